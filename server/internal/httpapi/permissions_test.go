package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/server/internal/demo"
	"punchclock/server/internal/exportjob"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
)

// A route's class says who may call it.
const (
	public   = "public"    // anyone
	device   = "device"    // a device signature (tested by the device tests)
	adminOn  = "admin"     // admin tokens and super admins
	readerOn = "reader"    // + integrator tokens
	scopedOn = "scoped"    // + HR, managers and employees, within their scope
	listEmp  = "employees" // + the face token; people get their scope's employees
	anyOne   = "signedin"  // anyone identified
)

// TestPermissionMatrix calls every route the server registers as every
// kind of caller, on SQLite and PostgreSQL: an allowed call succeeds
// (2xx), a refused one answers 401 without credentials and 403 with, in
// a body that names nothing of the target. HR of a unit, a manager and an
// employee are held to their scope: the same call on someone outside it
// is refused exactly as on someone who does not exist.
func TestPermissionMatrix(t *testing.T) {
	for _, b := range sqlstoretest.Backends() {
		t.Run(b.Name, func(t *testing.T) { permissionMatrix(t, b.Open(t)) })
	}
}

type matrixCaller struct {
	name  string
	token string   // bearer, or
	web   *browser // a session
	// role: how the caller is expected to fare.
	role string
	// in and out are an employee inside and outside a person's scope,
	// inDept and outDept departments.
	in, out, inDept, outDept string
}

func permissionMatrix(t *testing.T, st store.Store) {
	ctx := context.Background()
	res, err := demo.Seed(ctx, st, t.TempDir(), func() time.Time { return now }, httpapi.HashToken, "")
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(st, func() time.Time { return now }, slog.Default(), "test")
	api.Exports = &exportjob.Runner{Store: st, Days: api.Days, Dir: t.TempDir(), Now: func() time.Time { return now }}
	stopJobs, err := api.Exports.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopJobs)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	startFaceService(t, st, api)
	base, u := srv.URL, srv.URL+"/api/v1"
	admin := res.AdminToken
	put := func(path string, body any) {
		t.Helper()
		data, _ := json.Marshal(body)
		if st, b := do(t, "PUT", u+path, admin, data, nil); st >= 300 {
			t.Fatalf("PUT %s: %d %s", path, st, b)
		}
	}
	for tok, role := range map[string]string{"m-int": "integrator", "m-face": "face", "m-spare": "integrator"} {
		if err := st.PutToken(ctx, store.Token{Hash: httpapi.HashToken(tok), Name: tok, Role: role, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	people := []struct{ id, login, role, unit, dept, emp string }{
		{"u-sa", "sa", "super_admin", "", "", ""},
		{"u-hq", "hr-hq", "hr", "*", "", ""},
		{"u-hr", "hr-retail", "hr", "retail", "", ""},
		{"u-mg", "mgr-retail", "manager", "", "retail", ""},
		{"u-em", "emp-e004", "employee", "", "", "E004"},
	}
	for _, p := range people {
		put("/admin/users/"+p.id, map[string]string{"login": p.login, "name": p.login, "role": p.role, "unit": p.unit, "department_id": p.dept, "employee_id": p.emp, "password": "matrix-password-1"})
	}
	signIn := func(login string) *browser {
		b := newBrowser(t)
		if st, body := b.signIn(base, login, "matrix-password-1"); st != 200 {
			t.Fatalf("sign in %s: %d %s", login, st, body)
		}
		return b
	}
	callers := []matrixCaller{
		{name: "nobody", role: "nobody", in: "E004", inDept: "retail"},
		{name: "admin token", token: admin, role: "admin", in: "E004", inDept: "retail"},
		{name: "integrator token", token: "m-int", role: "integrator", in: "E004", inDept: "retail"},
		{name: "face token", token: "m-face", role: "face", in: "E004", inDept: "retail"},
		{name: "super admin", web: signIn("sa"), role: "admin", in: "E004", inDept: "retail"},
		{name: "head office HR", web: signIn("hr-hq"), role: "person", in: "E004", inDept: "works"},
		{name: "retail HR", web: signIn("hr-retail"), role: "person", in: "E004", out: "E021", inDept: "retail", outDept: "works"},
		{name: "retail manager", web: signIn("mgr-retail"), role: "person", in: "E005", out: "E021", inDept: "retail", outDept: "hq"},
		{name: "employee E004", web: signIn("emp-e004"), role: "person", in: "E004", out: "E005", inDept: "", outDept: "retail"},
	}
	punchOf := func(emp string) string {
		ps, err := st.Punches(ctx, store.PunchFilter{EmployeeID: emp, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			// The demo's workshop has no punches: a punch id that exists
			// nowhere is refused to a person exactly as another's.
			return "019a0000-0000-7000-8000-000000000000"
		}
		return ps[0].ID
	}
	devs, _ := st.Devices(ctx)
	var site, dept, emp, rules json.RawMessage
	do(t, "GET", u+"/employees/E004", admin, nil, &emp)
	var sites struct{ Sites []json.RawMessage }
	do(t, "GET", u+"/sites", admin, nil, &sites)
	site = sites.Sites[0]
	var depts struct{ Departments []json.RawMessage }
	do(t, "GET", u+"/departments", admin, nil, &depts)
	for _, d := range depts.Departments {
		if strings.Contains(string(d), `"id":"retail"`) { // HR of the retail unit may change it
			dept = d
		}
	}
	var cfg struct{ Config json.RawMessage }
	do(t, "GET", u+"/rule/config?site_id=sh-jingan", admin, nil, &cfg)
	rules = cfg.Config
	// startFlow starts an overtime request of emp as the admin token.
	startFlow := func(emp string) string {
		t.Helper()
		fid, _ := uuid.NewV7()
		body := `{"id":"` + fid.String() + `","kind":"overtime","employee_id":"` + emp + `","date":"2026-11-19","minutes":30,"reason":"stock take"}`
		if st, b := do(t, "POST", u+"/approval/flow", admin, []byte(body), nil); st != 201 {
			t.Fatalf("start a flow of %s: %d %s", emp, st, b)
		}
		return fid.String()
	}
	flows := map[string]string{"E004": startFlow("E004"), "E005": startFlow("E005"), "E021": startFlow("E021"), "E999": "019a0000-0000-7000-8000-000000000001"}
	newFlow := func(emp string) []byte {
		fid, _ := uuid.NewV7()
		return []byte(`{"id":"` + fid.String() + `","kind":"overtime","employee_id":"` + emp + `","date":"2026-11-19","minutes":45,"reason":"inventory"}`)
	}
	id := func(raw json.RawMessage) string {
		var v struct{ ID string }
		json.Unmarshal(raw, &v)
		return v.ID
	}

	spare := 0 // departments made to be deleted
	// request builds a route's call; target is the employee (and dept
	// the department) it is about.
	type call struct {
		method, path string
		body         []byte
	}
	routes := map[string]struct {
		class   string
		request func(target, dept string) call
	}{
		"GET /api/v1/openapi.json":                {public, func(string, string) call { return call{"GET", "/openapi.json", nil} }},
		"GET /api/v1/health":                      {public, func(string, string) call { return call{"GET", "/health", nil} }},
		"POST /api/v1/auth/signin":                {"skip", nil}, // TestSignIn
		"POST /api/v1/auth/signout":               {"skip", nil}, // TestSignIn: it would end the matrix's sessions
		"POST /api/v1/devices/enroll":             {device, nil},
		"POST /api/v1/phones/activate":            {device, nil},
		"POST /api/v1/device/punches":             {device, nil},
		"GET /api/v1/device/pull":                 {device, nil},
		"GET /api/v1/device/records":              {device, nil}, // TestPhoneOwnDays
		"POST /api/v1/device/decisions":           {device, nil}, // TestKioskDecisions
		"POST /api/v1/device/health":              {device, nil}, // TestFleet
		"GET /api/v1/admin/fleet":                 {"hqWrite", func(string, string) call { return call{"GET", "/admin/fleet", nil} }},
		"POST /api/v1/device/flows/{id}/proof":    {device, nil}, // TestProof
		"GET /api/v1/device/flows":                {device, nil},
		"POST /api/v1/device/flows":               {device, nil},
		"POST /api/v1/device/flows/{id}/withdraw": {device, nil},
		"GET /api/v1/auth/me":                     {anyOne, func(string, string) call { return call{"GET", "/auth/me", nil} }},
		"POST /api/v1/admin/phone-links": {adminOn, func(string, string) call {
			return call{"POST", "/admin/phone-links", []byte(`{"employee_id":"E004"}`)}
		}},
		// Kiosks are head office's: admins and head office HR.
		"POST /api/v1/admin/enrollment-codes": {"hqWrite", func(string, string) call {
			return call{"POST", "/admin/enrollment-codes", []byte(`{"site_id":"sh-jingan"}`)}
		}},
		"GET /api/v1/admin/devices": {"hqDevices", func(string, string) call { return call{"GET", "/admin/devices", nil} }},
		"PUT /api/v1/admin/devices/{id}": {"hqWrite", func(string, string) call {
			return call{"PUT", "/admin/devices/" + devs[0].ID, []byte(`{"name":"Front door"}`)}
		}},
		"POST /api/v1/admin/devices/{id}/revoke": {"hqWrite", func(string, string) call {
			return call{"POST", "/admin/devices/" + devs[0].ID + "/revoke", nil}
		}},
		// Terminals too; each accept and delete has a terminal of its own.
		"GET /api/v1/admin/terminals": {"hqWrite", func(string, string) call { return call{"GET", "/admin/terminals", nil} }},
		"PUT /api/v1/admin/terminals/{serial}": {"hqWrite", func(string, string) call {
			return call{"PUT", "/admin/terminals/CQQC220960011", []byte(`{"site_id":"sh-jingan","name":"Front door"}`)}
		}},
		"POST /api/v1/admin/terminals/{serial}/accept": {"hqWrite", func(string, string) call {
			spare++
			serial := fmt.Sprintf("PENDING%d", spare)
			if _, err := st.SeeTerminal(ctx, serial, now, "10.0.0.9", ""); err != nil {
				t.Fatal(err)
			}
			return call{"POST", "/admin/terminals/" + serial + "/accept", []byte(`{"site_id":"sh-jingan"}`)}
		}},
		"DELETE /api/v1/admin/terminals/{serial}": {"hqWrite", func(string, string) call {
			spare++
			serial := fmt.Sprintf("GONE%d", spare)
			if _, err := st.PutTerminal(ctx, store.Terminal{Serial: serial, SiteID: "sh-jingan"}); err != nil {
				t.Fatal(err)
			}
			return call{"DELETE", "/admin/terminals/" + serial, nil}
		}},
		"POST /api/v1/admin/terminals/{serial}/commands": {"hqWrite", func(string, string) call {
			if _, err := st.PutTerminal(ctx, store.Terminal{Serial: "CMDS1", SiteID: "sh-jingan"}); err != nil {
				t.Fatal(err)
			}
			return call{"POST", "/admin/terminals/CMDS1/commands", []byte(`{"kind":"info"}`)}
		}},
		"POST /api/v1/face/events": {"devices", func(string, string) call {
			id, _ := uuid.NewV7()
			return call{"POST", "/face/events", []byte(`{"events":[{"id":"` + id.String() + `","action":"face.enroll","employee_id":"E004","site_id":"sh-jingan","at":"2026-11-20T09:00:00Z"}]}`)}
		}}, // TestFaceEvents
		"GET /api/v1/admin/audit":  {"auditors", func(string, string) call { return call{"GET", "/admin/audit", nil} }},
		"GET /api/v1/admin/users":  {adminOn, func(string, string) call { return call{"GET", "/admin/users", nil} }},
		"GET /api/v1/admin/tokens": {adminOn, func(string, string) call { return call{"GET", "/admin/tokens", nil} }},
		"POST /api/v1/admin/tokens": {adminOn, func(string, string) call {
			return call{"POST", "/admin/tokens", []byte(`{"name":"matrix","role":"integrator","ttl_days":1}`)}
		}},
		"POST /api/v1/admin/tokens/{id}/revoke": {adminOn, func(string, string) call {
			return call{"POST", "/admin/tokens/" + httpapi.HashToken("m-spare")[:12] + "/revoke", nil}
		}},
		"PUT /api/v1/admin/users/{id}": {adminOn, func(string, string) call {
			return call{"PUT", "/admin/users/u-matrix", []byte(`{"login":"matrix","role":"employee","employee_id":"E030"}`)}
		}},
		"POST /api/v1/admin/users/{id}/sessions/end": {adminOn, func(string, string) call {
			return call{"POST", "/admin/users/u-matrix/sessions/end", nil}
		}},
		"GET /api/v1/sites":            {"scopedList", func(string, string) call { return call{"GET", "/sites", nil} }},
		"PUT /api/v1/sites/{id}":       {"hqWrite", func(string, string) call { return call{"PUT", "/sites/" + id(site), site} }}, // TestSiteGeo
		"GET /api/v1/departments":      {"scopedList", func(string, string) call { return call{"GET", "/departments", nil} }},
		"PUT /api/v1/departments/{id}": {"hrWrite", func(string, string) call { return call{"PUT", "/departments/" + id(dept), dept} }}, // TestDepartmentScope
		"DELETE /api/v1/departments/{id}": {"hrWrite", func(string, string) call {
			// A new empty department under retail for each caller.
			spare++
			id := fmt.Sprintf("m-del-%d", spare)
			put("/departments/"+id, map[string]string{"name": id, "parent_id": "retail"})
			return call{"DELETE", "/departments/" + id, nil}
		}}, // TestDepartmentScope
		"GET /api/v1/employees": {listEmp, func(string, string) call { return call{"GET", "/employees", nil} }},
		"POST /api/v1/employees/import": {"hrWrite", func(string, string) call {
			return call{"POST", "/employees/import?dry_run=true", []byte("id,name,department\nE004,Li,retail\n")}
		}}, // TestImport
		"GET /api/v1/badges": {"hrWrite", func(string, string) call { return call{"GET", "/badges?employee_id=E004", nil} }}, // TestBadges
		"POST /api/v1/employees/{id}/nfc-tag": {"hrWrite", func(string, string) call {
			return call{"POST", "/employees/E004/nfc-tag", []byte(`{"serial":"04:A2:1B:7C"}`)}
		}}, // TestNFCTag
		"GET /api/v1/employees/{id}": {scopedOn, func(e, _ string) call { return call{"GET", "/employees/" + e, nil} }},
		"PUT /api/v1/employees/{id}": {"hrWrite", func(string, string) call { return call{"PUT", "/employees/E004", emp} }},
		// TestFaceEnrolment holds HR to its unit.
		"GET /api/v1/employees/{id}/face": {"hrWrite", func(string, string) call { return call{"GET", "/employees/E004/face", nil} }},
		"POST /api/v1/employees/{id}/face": {"hrWrite", func(string, string) call {
			return call{"POST", "/employees/E004/face?dry_run=true", enrollBody(true, testPhoto(oneFace, false))}
		}},
		"DELETE /api/v1/employees/{id}/face": {"hrWrite", func(string, string) call { return call{"DELETE", "/employees/E004/face", nil} }},
		"GET /api/v1/attendance/record": {scopedOn, func(e, d string) call {
			if d != "" {
				return call{"GET", "/attendance/record?department_id=" + d + "&from=2026-11-16&to=2026-11-20", nil}
			}
			return call{"GET", "/attendance/record?employee_id=" + e + "&from=2026-11-16&to=2026-11-20", nil}
		}},
		"GET /api/v1/rule/config":    {"hqRead", func(string, string) call { return call{"GET", "/rule/config?site_id=sh-jingan", nil} }},
		"PUT /api/v1/rule/config":    {"hqWrite", func(string, string) call { return call{"PUT", "/rule/config?site_id=sh-jingan", rules} }},
		"GET /api/v1/punches":        {scopedOn, func(e, _ string) call { return call{"GET", "/punches?employee_id=" + e, nil} }},
		"GET /api/v1/punches/{id}":   {scopedOn, func(e, _ string) call { return call{"GET", "/punches/" + punchOf(e), nil} }},
		"POST /api/v1/user/location": {device, nil}, // TestUserLocation
		"GET /api/v1/user/location": {scopedOn, func(e, _ string) call {
			return call{"GET", "/user/location?employee_id=" + e + "&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z", nil}
		}},
		"/api/v1/":                      {"skip", nil}, // the catch-all: 404
		"GET /api/v1/approval/settings": {readerOn, func(string, string) call { return call{"GET", "/approval/settings", nil} }},
		"PUT /api/v1/approval/settings": {adminOn, func(string, string) call {
			return call{"PUT", "/approval/settings", []byte(`{"policy":{"monthly_cap":5,"window_days":60,"cutoff_day":3},"matrix":[{"department_id":"works","kind":"overtime","approvers":["E003","E001"]}]}`)}
		}},
		"GET /api/v1/approval/matrix": {"scopedList", func(string, string) call { return call{"GET", "/approval/matrix", nil} }},
		"PUT /api/v1/approval/matrix": {"hrWrite", func(string, string) call {
			return call{"PUT", "/approval/matrix", []byte(`{"matrix":[{"department_id":"retail","kind":"makeup_punch","approvers":["E002"]}]}`)}
		}}, // TestUnitMatrix holds HR to its unit
		"GET /api/v1/approval/delegation": {"people", func(string, string) call { return call{"GET", "/approval/delegation", nil} }},
		"PUT /api/v1/approval/delegation": {"managers", func(string, string) call {
			return call{"PUT", "/approval/delegation", []byte(`{"delegations":[{"delegate":"E004","from":"2026-12-20T00:00:00Z","to":"2026-12-27T00:00:00Z"}]}`)}
		}}, // TestOwnDelegation
		"POST /api/v1/approval/flow":     {scopedOn, func(e, _ string) call { return call{"POST", "/approval/flow", newFlow(e)} }},
		"GET /api/v1/approval/flow":      {scopedOn, func(e, _ string) call { return call{"GET", "/approval/flow?employee_id=" + e, nil} }},
		"GET /api/v1/approval/flow/{id}": {scopedOn, func(e, _ string) call { return call{"GET", "/approval/flow/" + flows[e], nil} }},
		"POST /api/v1/approval/flow/{id}/decide": {"approver", func(e, _ string) call {
			d, _ := uuid.NewV7()
			return call{"POST", "/approval/flow/" + flows[e] + "/decide", []byte(`{"id":"` + d.String() + `","approve":true}`)}
		}},
		// Withdrawn by who asked: each call withdraws a flow the admin
		// token started, for the caller's employee.
		"POST /api/v1/approval/flow/{id}/proof":    {"skip", nil}, // TestProof: by who asked, in scope
		"GET /api/v1/approval/flow/{id}/proof":     {"skip", nil}, // TestProof
		"POST /api/v1/approval/flow/{id}/withdraw": {"requester", func(e, _ string) call { return call{"POST", "/approval/flow/" + startFlow(e) + "/withdraw", nil} }},
	}
	// Webhooks are the admins': an endpoint for the reads, rotation and
	// replay, and one made for each deletion.
	hook := func() string {
		t.Helper()
		var ep struct{ ID string }
		st, b := do(t, "POST", u+"/admin/webhooks", admin, []byte(`{"url":"https://hooks.example.com/matrix","events":["punch.accepted"]}`), nil)
		if json.Unmarshal([]byte(b), &ep); st != 201 || ep.ID == "" {
			t.Fatalf("make a webhook endpoint: %d %s", st, b)
		}
		return ep.ID
	}
	matrixHook := hook()
	feed, ok, err := st.LeaseWebhookFeed(ctx, "matrix", now, now.Add(time.Minute), store.WebhookFeed{At: now})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := st.EnqueueWebhooks(ctx, "matrix", feed, feed, []store.WebhookDelivery{{ID: "d-matrix", EndpointID: matrixHook, EventID: "msg_matrix", EventType: "punch.accepted", Payload: "{}", CreatedAt: now, NextAt: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	for pattern, c := range map[string]call{
		"GET /api/v1/admin/webhooks":                                    {"GET", "/admin/webhooks", nil},
		"POST /api/v1/admin/webhooks":                                   {"POST", "/admin/webhooks", []byte(`{"url":"https://hooks.example.com/x","events":["approval.decided"]}`)},
		"POST /api/v1/admin/webhooks/{id}/rotate":                       {"POST", "/admin/webhooks/" + matrixHook + "/rotate", nil},
		"GET /api/v1/admin/webhooks/{id}/deliveries":                    {"GET", "/admin/webhooks/" + matrixHook + "/deliveries", nil},
		"POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay": {"POST", "/admin/webhooks/" + matrixHook + "/deliveries/d-matrix/replay", nil},
	} {
		routes[pattern] = struct {
			class   string
			request func(target, dept string) call
		}{adminOn, func(string, string) call { return c }}
	}
	routes["DELETE /api/v1/admin/webhooks/{id}"] = struct {
		class   string
		request func(target, dept string) call
	}{adminOn, func(string, string) call { return call{"DELETE", "/admin/webhooks/" + hook(), nil} }}
	// The exports: one scope, the records'. TestMonthlyReport, TestExportReports.
	for _, name := range []string{"monthly", "punches", "overtime", "anomalies"} {
		routes["GET /api/v1/report/"+name] = struct {
			class   string
			request func(target, dept string) call
		}{scopedOn, func(e, d string) call {
			if d != "" {
				return call{"GET", "/report/" + name + "?department_id=" + d + "&from=2026-11-16&to=2026-11-20", nil}
			}
			return call{"GET", "/report/" + name + "?employee_id=" + e + "&from=2026-11-16&to=2026-11-20&format=xlsx", nil}
		}}
	}
	// The dashboard's charts: the records' scope. TestReportStats.
	routes["GET /api/v1/report/stats/{chart}"] = struct {
		class   string
		request func(target, dept string) call
	}{scopedOn, func(e, d string) call {
		if d != "" {
			return call{"GET", "/report/stats/ranking?department_id=" + d + "&from=2026-11-16&to=2026-11-20", nil}
		}
		return call{"GET", "/report/stats/anomalies?employee_id=" + e + "&from=2026-11-16&to=2026-11-20&reason=late", nil}
	}}
	routes["GET /api/v1/report/stats"] = struct {
		class   string
		request func(target, dept string) call
	}{scopedOn, func(e, d string) call {
		if d != "" {
			return call{"GET", "/report/stats?department_id=" + d + "&from=2026-11-16&to=2026-11-20", nil}
		}
		return call{"GET", "/report/stats?employee_id=" + e + "&from=2026-11-16&to=2026-11-20&charts=trend,methods", nil}
	}}
	// Export jobs: started by whoever may read the records; read by who
	// started them only (the admin token starts the one each caller asks
	// for, done before it is asked for). TestExportJob.
	routes["POST /api/v1/report/export"] = struct {
		class   string
		request func(target, dept string) call
	}{scopedOn, func(e, _ string) call {
		return call{"POST", "/report/export", []byte(`{"report":"monthly","employee_id":"` + e + `","from":"2026-11-16","to":"2026-11-20"}`)}
	}}
	adminJob := func() string {
		t.Helper()
		var j struct{ ID string }
		if st, b := do(t, "POST", u+"/report/export", admin, []byte(`{"report":"anomalies","department_id":"retail","from":"2026-11-16","to":"2026-11-20"}`), nil); st != 202 {
			t.Fatalf("start an export job: %d %s", st, b)
		} else {
			json.Unmarshal([]byte(b), &j)
		}
		waitJob(t, u, admin, j.ID)
		return j.ID
	}
	for _, suffix := range []string{"", "/file"} {
		routes["GET /api/v1/report/export/{id}"+suffix] = struct {
			class   string
			request func(target, dept string) call
		}{"jobOwner", func(string, string) call { return call{"GET", "/report/export/" + adminJob() + suffix, nil} }}
	}
	allowed := func(c matrixCaller, class string) bool {
		switch class {
		case public:
			return true
		case anyOne:
			return c.role != "nobody"
		case adminOn:
			return c.role == "admin"
		case readerOn:
			return c.role == "admin" || c.role == "integrator"
		case "devices":
			return c.role == "admin" || c.role == "face"
		case "hqDevices": // + head office HR, who manages the kiosks
			return c.role == "admin" || c.role == "face" || c.name == "head office HR"
		case listEmp:
			return c.role != "nobody"
		case scopedOn, "scopedList": // scopedList: people get their scope's entries
			return c.role == "admin" || c.role == "integrator" || c.role == "person"
		case "people": // HR, managers and employees: their own
			return c.role == "person"
		case "managers": // a manager with an employee id delegates their own decisions (TestOwnDelegation);
			// the matrix's manager account has none, so nothing to hand over
			return false
		case "hrWrite": // admins; HR within its unit (E004 is in retail)
			return c.role == "admin" || strings.HasSuffix(c.name, " HR")
		case "hqWrite": // admins and head office HR: sites, rules and kiosks belong to no unit
			return c.role == "admin" || c.name == "head office HR"
		case "hqRead": // + integrators
			return c.role == "admin" || c.role == "integrator" || c.name == "head office HR"
		case "auditors": // admins; HR its unit's entries
			return c.role == "admin" || strings.HasSuffix(c.name, " HR")
		case "jobOwner": // the admin token started it
			return c.name == "admin token"
		case "requester": // the admin token started it; the employee it is about may withdraw it too
			return c.name == "admin token" || c.name == "employee E004"
		}
		return false
	}
	send := func(c matrixCaller, k call) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(k.method, u+k.path, bytes.NewReader(k.body))
		client := http.DefaultClient
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.web != nil {
			client = c.web.client
			req.Header.Set("X-CSRF-Token", c.web.csrf)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	refusedWell := func(c matrixCaller, what string, st int, body, target string) {
		t.Helper()
		want := 403
		if c.role == "nobody" {
			want = 401
		}
		if st != want {
			t.Errorf("%s: %s: %d %s, want %d", c.name, what, st, body, want)
		}
		if target != "" && strings.Contains(body, target) || strings.Contains(body, "李") || strings.Contains(body, `"count"`) {
			t.Errorf("%s: %s: the refusal names something: %s", c.name, what, body)
		}
	}
	for _, pattern := range api.Routes() {
		r, ok := routes[pattern]
		if !ok {
			t.Errorf("route %s is not in the permission matrix: add it with who may call it", pattern)
			continue
		}
		if r.request == nil {
			continue
		}
		for _, c := range callers {
			k := r.request(c.in, "")
			st, body := send(c, k)
			if allowed(c, r.class) {
				if st < 200 || st > 299 {
					t.Errorf("%s: %s %s: %d %s, want success", c.name, k.method, k.path, st, body)
				}
			} else {
				refusedWell(c, k.method+" "+k.path, st, body, "")
			}
			if r.class != scopedOn || c.role != "person" {
				continue
			}
			// Held to the scope: someone outside it, and someone who does
			// not exist, are refused alike.
			if c.out != "" {
				k := r.request(c.out, "")
				st, body := send(c, k)
				refusedWell(c, k.method+" "+k.path+" (outside the scope)", st, body, c.out)
			}
			if c.out != "" && pattern != "GET /api/v1/punches/{id}" {
				k := r.request("E999", "")
				st, body := send(c, k)
				refusedWell(c, k.method+" "+k.path+" (no such employee)", st, body, "E999")
			}
			if pattern == "GET /api/v1/attendance/record" || strings.HasPrefix(pattern, "GET /api/v1/report/") {
				if c.inDept != "" {
					k := r.request("", c.inDept)
					if st, body := send(c, k); st != 200 {
						t.Errorf("%s: %s: %d %s, want 200", c.name, k.path, st, body)
					}
				}
				if c.outDept != "" {
					k := r.request("", c.outDept)
					st, body := send(c, k)
					refusedWell(c, k.path, st, body, c.outDept)
				}
			}
		}
	}
	// The change feed of the records is scoped as they are: its first
	// call (a cursor to start from) and a read with the cursor.
	var start struct {
		NextCursor string `json:"next_cursor"`
	}
	do(t, "GET", u+"/attendance/record?changes=true&department_id=retail&from=2026-11-16&to=2026-11-20", admin, nil, &start)
	if start.NextCursor == "" {
		t.Fatal("the change feed gave no cursor")
	}
	for _, c := range callers {
		for _, q := range []string{"", "&cursor=" + start.NextCursor} {
			target := func(who string) call {
				return call{"GET", "/attendance/record?changes=true&" + who + "&from=2026-11-16&to=2026-11-20" + q, nil}
			}
			ins := []string{"employee_id=" + c.in}
			if c.inDept != "" {
				ins = append(ins, "department_id="+c.inDept)
			}
			for _, in := range ins {
				st, body := send(c, target(in))
				if allowed(c, scopedOn) {
					if st != 200 || !strings.Contains(body, `"next_cursor"`) {
						t.Errorf("%s: changes of %s: %d %s", c.name, in, st, body)
					}
				} else {
					refusedWell(c, "changes of "+in, st, body, "")
				}
			}
			if c.role != "person" || c.out == "" {
				continue
			}
			for _, out := range []string{"employee_id=" + c.out, "department_id=" + c.outDept, "employee_id=E999"} {
				if strings.HasSuffix(out, "=") {
					continue
				}
				st, body := send(c, target(out))
				refusedWell(c, "changes of "+out+" (outside the scope)", st, body, strings.SplitN(out, "=", 2)[1])
			}
		}
	}
	// HR of a unit changes its unit's employees only, and moves none out.
	var e21 json.RawMessage
	do(t, "GET", u+"/employees/E021", admin, nil, &e21)
	moved := strings.Replace(string(emp), `"department_id":"retail"`, `"department_id":"works"`, 1)
	for _, c := range callers {
		if c.name != "retail HR" {
			continue
		}
		if st, body := send(c, call{"PUT", "/employees/E021", e21}); st != 403 || strings.Contains(body, "E021") {
			t.Errorf("retail HR changes E021 of the workshop: %d %s", st, body)
		}
		if st, body := send(c, call{"PUT", "/employees/E004", []byte(moved)}); st != 403 {
			t.Errorf("retail HR moves E004 to the workshop: %d %s", st, body)
		}
	}
	// HR of a unit reads its unit's audit entries only.
	for _, c := range callers {
		if c.name == "retail HR" {
			_, body := send(c, call{"GET", "/admin/audit", nil})
			if !strings.Contains(body, `"unit":"retail"`) || strings.Contains(body, `"unit":"works"`) || strings.Contains(body, "device.revoke") {
				t.Errorf("retail HR reads the audit log: %.400s", body)
			}
		}
	}
	// People list only their scope's employees.
	for _, c := range callers {
		if c.role != "person" {
			continue
		}
		_, body := send(c, call{"GET", "/employees", nil})
		if !strings.Contains(body, `"`+c.in+`"`) || c.out != "" && strings.Contains(body, `"`+c.out+`"`) {
			t.Errorf("%s lists employees: %.300s; want %s and not %s", c.name, body, c.in, c.out)
		}
	}
}
