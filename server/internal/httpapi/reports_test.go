package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"punchclock/server/internal/report"
)

// TestMonthlyReport: a retail manager exports retail's sheet, which holds
// retail's employees only, and is refused the head office's (which holds
// retail) and the workshop's alike, naming nothing; the export is
// audited with who, what and which scope; headers follow Accept-Language.
func TestMonthlyReport(t *testing.T) {
	base, admin := demoServer(t)
	u := base + "/api/v1"
	mgr := retailManager(t, base, admin)
	st, body := mgr.do("GET", u+"/report/monthly?department_id=retail&from=2026-11-16&to=2026-11-20&lang=zh", nil, false)
	if st != 200 {
		t.Fatalf("retail: %d %s", st, body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "工号" || len(rows) != 1+18*5 {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	var recs struct{ Records []record }
	if st, body := do(t, "GET", u+"/attendance/record?department_id=retail&from=2026-11-16&to=2026-11-20&reasons=code", admin, nil, &recs); st != 200 {
		t.Fatalf("records: %d %s", st, body)
	}
	for i, r := range rows[1:] {
		if want := recs.Records[i]; r[0] != want.EmployeeID || r[3] != want.Date.String() || r[5] != report.Word("zh", want.Status) || r[2] != "Retail 门店" {
			t.Errorf("row %d: %q, want %s %s %s", i, r[:6], want.EmployeeID, want.Date, want.Status)
		}
	}
	for _, dept := range []string{"hq", "works", "nowhere"} {
		st, body := mgr.do("GET", u+"/report/monthly?department_id="+dept+"&from=2026-11-16&to=2026-11-20", nil, false)
		if st != 403 || strings.Contains(body, dept) {
			t.Errorf("%s: %d %s, want a refusal naming nothing", dept, st, body)
		}
	}
	if st, _ := mgr.do("GET", u+"/report/monthly?employee_id=E021&from=2026-11-16&format=xlsx", nil, false); st != 403 {
		t.Errorf("E021 of the workshop: %d, want 403", st)
	}
	if st, body := mgr.do("GET", u+"/report/monthly?department_id=retail&from=2026-11-16&to=2027-01-31", nil, false); st != 400 || !strings.Contains(body, `"invalid"`) {
		t.Errorf("77 days: %d %s", st, body)
	}

	// An integrator's XLSX, headers from Accept-Language.
	req, _ := http.NewRequest("GET", u+"/report/monthly?employee_id=E006&from=2026-11-16&to=2026-11-20&format=xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var xlsx bytes.Buffer
	xlsx.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") ||
		resp.Header.Get("Content-Disposition") != "attachment; filename=attendance-2026-11-16-2026-11-20.xlsx" || !bytes.HasPrefix(xlsx.Bytes(), []byte("PK")) {
		t.Errorf("xlsx: %d %v %q", resp.StatusCode, resp.Header, xlsx.Bytes()[:min(xlsx.Len(), 8)])
	}

	var got []string
	for _, e := range exportsAudited(t, u, admin) {
		got = append(got, e.Target+" "+e.Unit+" "+fmt.Sprint(e.Detail["format"], " ", e.Detail["lang"], " ", e.Detail["from"], " ", e.Detail["to"]))
		if e.Actor == "" {
			t.Errorf("no actor: %+v", e)
		}
	}
	want := []string{"department:retail retail csv zh 2026-11-16 2026-11-20", "employee:E006 retail xlsx en 2026-11-16 2026-11-20"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audited exports %q, want %q (refusals are not exports)", got, want)
	}
}

// TestExportReports: a retail manager's punch details, overtime summary
// and anomaly list hold retail's employees only, the head office's and
// the workshop's are refused naming nothing, bad input is invalid, and
// each export is audited with its report's name.
func TestExportReports(t *testing.T) {
	base, admin := demoServer(t)
	u := base + "/api/v1"
	mgr := retailManager(t, base, admin)
	var recs struct{ Records []record }
	if st, body := do(t, "GET", u+"/attendance/record?department_id=retail&from=2026-11-16&to=2026-11-20&reasons=code", admin, nil, &recs); st != 200 {
		t.Fatalf("records: %d %s", st, body)
	}
	retail := map[string]bool{}
	for _, r := range recs.Records {
		retail[r.EmployeeID] = true
	}
	for _, name := range []string{"punches", "overtime", "anomalies"} {
		st, body := mgr.do("GET", u+"/report/"+name+"?department_id=retail&from=2026-11-16&to=2026-11-20&lang=en", nil, false)
		if st != 200 {
			t.Fatalf("%s: %d %s", name, st, body)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil || len(rows) < 2 || rows[0][0] != "Employee ID" {
			t.Fatalf("%s: %v %q", name, err, rows)
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			if !retail[r[0]] || r[2] != "Retail 门店" {
				t.Errorf("%s: row %q is not retail's", name, r)
			}
			seen[r[0]] = true
		}
		if name != "anomalies" && len(seen) != len(retail) {
			t.Errorf("%s: %d employees, want retail's %d", name, len(seen), len(retail))
		}
		for _, dept := range []string{"hq", "works", "nowhere"} {
			st, body := mgr.do("GET", u+"/report/"+name+"?department_id="+dept+"&from=2026-11-16&to=2026-11-20", nil, false)
			if st != 403 || strings.Contains(body, dept) {
				t.Errorf("%s of %s: %d %s, want a refusal naming nothing", name, dept, st, body)
			}
		}
		if st, _ := mgr.do("GET", u+"/report/"+name+"?employee_id=E021&from=2026-11-16&format=xlsx", nil, false); st != 403 {
			t.Errorf("%s of E021 of the workshop: %d, want 403", name, st)
		}
		for _, bad := range []string{"department_id=retail%ff&from=2026-11-16", "department_id=retail&from=2026-11-16&lang=e%00n"} {
			if st, body := mgr.do("GET", u+"/report/"+name+"?"+bad, nil, false); st != 400 || !strings.Contains(body, `"invalid"`) {
				t.Errorf("%s?%s: %d %s, want invalid", name, bad, st, body)
			}
		}
	}
	var got []string
	for _, e := range exportsAudited(t, u, admin) {
		got = append(got, fmt.Sprint(e.Detail["report"], " ", e.Target))
	}
	if want := "punches department:retail|overtime department:retail|anomalies department:retail"; strings.Join(got, "|") != want {
		t.Errorf("audited %q, want %q", got, want)
	}
}

// retailManager signs in a new manager of retail.
func retailManager(t *testing.T, base, admin string) *browser {
	t.Helper()
	put := map[string]string{"login": "mgr", "name": "mgr", "role": "manager", "department_id": "retail", "password": "report-password-1"}
	data, _ := json.Marshal(put)
	if st, body := do(t, "PUT", base+"/api/v1/admin/users/u-mgr", admin, data, nil); st >= 300 {
		t.Fatalf("PUT user: %d %s", st, body)
	}
	mgr := newBrowser(t)
	if st, body := mgr.signIn(base, "mgr", "report-password-1"); st != 200 {
		t.Fatalf("sign in: %d %s", st, body)
	}
	return mgr
}

// exportAudit is an audit entry of an export.
type exportAudit struct {
	Actor, Action, Target, Unit string
	Detail                      map[string]any
}

// exportsAudited are the report.export entries of the audit log.
func exportsAudited(t *testing.T, u, admin string) []exportAudit {
	t.Helper()
	var page struct{ Entries []exportAudit }
	if st, body := do(t, "GET", u+"/admin/audit?limit=1000", admin, nil, &page); st != 200 {
		t.Fatalf("audit: %d %s", st, body)
	}
	var out []exportAudit
	for _, e := range page.Entries {
		if e.Action == "report.export" {
			out = append(out, e)
		}
	}
	return out
}
