// Package storetest is the conformance suite every store.Store passes.
// An implementation's test calls Run with a factory for empty stores.
package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// Run runs the suite; newStore returns a fresh, empty, migrated store and
// closes it when the test ends.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Organisation", testOrganisation},
		{"BadgeConflict", testBadgeConflict},
		{"Changes", testChanges},
		{"Rules", testRules},
		{"Enroll", testEnroll},
		{"Revoke", testRevoke},
		{"Tokens", testTokens},
		{"DemoSeed", testDemoSeed},
		{"IngestWritesPlan", testIngestWritesPlan},
		{"IngestView", testIngestView},
		{"IngestAllOrNothing", testIngestAllOrNothing},
		{"Punches", testPunches},
		{"AppendOnly", testAppendOnly},
		{"LeanPunches", testLeanPunches},
		{"PhonesAndQRUses", testPhonesAndQRUses},
		{"BadText", testBadText},
		{"Take", testTake},
		{"TakeWait", testTakeWait},
		{"ExportJobs", testExportJobs},
		{"Audit", testAudit},
		{"Accounts", testAccounts},
		{"Approvals", testApprovals},
		{"Feed", testFeed},
		{"Webhooks", testWebhooks},
		{"Trail", testTrail},
		{"TagKeys", testTagKeys},
		{"Terminals", testTerminals},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

// T0 is the suite's fixed "now".
var T0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// must returns v, or panics on an unexpected error (which fails the test
// with the stack of the call that broke).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func mustDo(err error) {
	if err != nil {
		panic(err)
	}
}

// Seed stores the suite's organisation: site s1, department d1, employees
// e1 (badge B-1) and e2 (badge B-2).
func Seed(t *testing.T, s store.Store) { seedOrg(t, s) }

func seedOrg(t *testing.T, s store.Store) {
	t.Helper()
	must(s.PutSite(ctx, attendance.Site{ID: "s1", Name: "Store 1", Zone: "Asia/Shanghai"}))
	must(s.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "Sales"}))
	must(s.PutEmployee(ctx, attendance.Employee{ID: "e1", Name: "Li Wei", DepartmentID: "d1", SiteID: "s1", BadgeCode: "B-1", Active: true}))
	must(s.PutEmployee(ctx, attendance.Employee{ID: "e2", Name: "Anna", DepartmentID: "d1", SiteID: "s1", BadgeCode: "B-2", Active: true}))
}

func testOrganisation(t *testing.T, s store.Store) {
	seedOrg(t, s)
	must(s.PutDepartment(ctx, attendance.Department{ID: "d2", Name: "Tills", ParentID: "d1", ManagerID: "e1"}))
	site := must(s.Site(ctx, "s1"))
	if site.Name != "Store 1" || site.Zone != "Asia/Shanghai" || site.Version == 0 {
		t.Errorf("Site = %+v", site)
	}
	if _, err := s.Site(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Site(nope) err = %v, want ErrNotFound", err)
	}
	// A department is deleted only when nothing refers to it.
	must(s.PutDepartment(ctx, attendance.Department{ID: "d3", Name: "Empty", ParentID: "d2"}))
	if err := s.DeleteDepartment(ctx, "d2"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeleteDepartment(d2, the parent of d3) err = %v, want ErrConflict", err)
	}
	if err := s.DeleteDepartment(ctx, "d1"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeleteDepartment(d1, with employees) err = %v, want ErrConflict", err)
	}
	mustDo(s.DeleteDepartment(ctx, "d3"))
	if err := s.DeleteDepartment(ctx, "d3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteDepartment(d3) again err = %v, want ErrNotFound", err)
	}
	// A site's address, point, fences and networks come back as put.
	geo := attendance.Site{ID: "s9", Name: "Store 9", Zone: "Europe/Berlin", Address: "Marienplatz 1, München",
		Point: &attendance.LatLng{Lat: 48.137, Lng: 11.575}, Networks: []string{"203.0.113.0/24"},
		Fences: []attendance.Fence{{Center: &attendance.LatLng{Lat: 48.137, Lng: 11.575}, RadiusM: 120},
			{Name: "yard", Polygon: []attendance.LatLng{{Lat: 48.1, Lng: 11.5}, {Lat: 48.2, Lng: 11.5}, {Lat: 48.2, Lng: 11.6}}}}}
	must(s.PutSite(ctx, geo))
	if got := must(s.Site(ctx, "s9")); got.Version == 0 || !reflect.DeepEqual(got.Fences, geo.Fences) || *got.Point != *geo.Point ||
		got.Address != geo.Address || !reflect.DeepEqual(got.Networks, geo.Networks) {
		t.Errorf("Site(s9) = %+v, want %+v", got, geo)
	}
	depts := must(s.Departments(ctx))
	if len(depts) != 2 || depts[1].ParentID != "d1" || depts[1].ManagerID != "e1" {
		t.Errorf("Departments = %+v", depts)
	}
	e := must(s.Employee(ctx, "e1"))
	if e.Name != "Li Wei" || !e.Active || e.BadgeCode != "B-1" {
		t.Errorf("Employee = %+v", e)
	}
	// Update in place, with a position and a leaving date, and back.
	e.Name, e.Position, e.LeavingDate = "Li Wei (Mgr)", "店长 store manager", "2026-03-31"
	must(s.PutEmployee(ctx, e))
	if got := must(s.Employee(ctx, "e1")); got.Name != "Li Wei (Mgr)" || got.Version <= e.Version-1 || got.LeavingDate != "2026-03-31" || got.Position != e.Position {
		t.Errorf("after update: %+v", got)
	}
	if got := must(s.Employees(ctx, store.EmployeeFilter{SiteID: "s1"})); len(got) == 0 || got[0].ID != "e1" || got[0].LeavingDate != "2026-03-31" {
		t.Errorf("Employees after update: %+v", got)
	}
	e.LeavingDate = ""
	must(s.PutEmployee(ctx, e))
	if got := must(s.Employee(ctx, "e1")); got.LeavingDate != "" {
		t.Errorf("leaving date not cleared: %+v", got)
	}
	e = must(s.Employee(ctx, "e1"))
	if got := must(s.EmployeeByBadge(ctx, "B-2")); got.ID != "e2" {
		t.Errorf("EmployeeByBadge(B-2) = %s", got.ID)
	}
	if _, err := s.EmployeeByBadge(ctx, "B-9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EmployeeByBadge(B-9) err = %v", err)
	}
	if _, err := s.EmployeeByBadge(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EmployeeByBadge(\"\") err = %v", err)
	}
	// A leaver's badge no longer resolves.
	e2 := must(s.Employee(ctx, "e2"))
	e2.Active = false
	must(s.PutEmployee(ctx, e2))
	if _, err := s.EmployeeByBadge(ctx, "B-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("leaver's badge err = %v", err)
	}
	all := must(s.Employees(ctx, store.EmployeeFilter{}))
	active := must(s.Employees(ctx, store.EmployeeFilter{ActiveOnly: true, SiteID: "s1"}))
	if len(all) != 2 || len(active) != 1 || active[0].ID != "e1" {
		t.Errorf("Employees all=%d active=%v", len(all), active)
	}
	// Pages in Go's byte order (upper case before lower, "E10" before
	// "E9"), of a list of departments.
	for _, id := range []string{"E9", "E10", "Z1", "a1"} {
		must(s.PutEmployee(ctx, attendance.Employee{ID: id, Name: "N", DepartmentID: "d2", SiteID: "s1", Active: true}))
	}
	ids := func(f store.EmployeeFilter) string {
		var out []string
		for _, e := range must(s.Employees(ctx, f)) {
			out = append(out, e.ID)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		f    store.EmployeeFilter
		want string
	}{
		{store.EmployeeFilter{DepartmentIDs: []string{"d1", "d2"}}, "E10 E9 Z1 a1 e1 e2"},
		{store.EmployeeFilter{DepartmentIDs: []string{"d2"}, Limit: 2}, "E10 E9"},
		{store.EmployeeFilter{DepartmentIDs: []string{"d1", "d2"}, AfterID: "E9", Limit: 3, ActiveOnly: true}, "Z1 a1 e1"},
		{store.EmployeeFilter{AfterID: "a1"}, "e1 e2"},
		{store.EmployeeFilter{DepartmentIDs: []string{"d9"}}, ""},
	} {
		if got := ids(c.f); got != c.want {
			t.Errorf("Employees(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func testBadgeConflict(t *testing.T, s store.Store) {
	seedOrg(t, s)
	_, err := s.PutEmployee(ctx, attendance.Employee{ID: "e3", Name: "X", DepartmentID: "d1", BadgeCode: "B-1", Active: true})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate badge err = %v, want ErrConflict", err)
	}
	if _, err := s.Employee(ctx, "e3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("conflicting employee was stored: %v", err)
	}
	// An inactive employee may keep an old badge code.
	must(s.PutEmployee(ctx, attendance.Employee{ID: "e4", Name: "Y", DepartmentID: "d1", BadgeCode: "B-1", Active: false}))
	// An import writes all its employees or none: a badge an employee
	// outside it holds fails the whole import.
	_, err = s.PutEmployees(ctx, []attendance.Employee{
		{ID: "e5", Name: "Z", DepartmentID: "d1", Active: true},
		{ID: "e6", Name: "W", DepartmentID: "d1", BadgeCode: "B-2", Active: true},
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an import taking e2's badge: %v, want ErrConflict", err)
	}
	if _, err := s.Employee(ctx, "e5"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed import stored e5: %v", err)
	}
	// Badges moved between the import's own employees go through.
	xs := must(s.PutEmployees(ctx, []attendance.Employee{
		{ID: "e1", Name: "Li Wei", DepartmentID: "d1", BadgeCode: "B-2", Active: true},
		{ID: "e2", Name: "Anna", DepartmentID: "d1", BadgeCode: "B-1", Active: true},
	}))
	if len(xs) != 2 || xs[0].Version == 0 || must(s.Employee(ctx, "e1")).BadgeCode != "B-2" || must(s.Employee(ctx, "e2")).BadgeCode != "B-1" {
		t.Errorf("badges swapped by an import: %+v", xs)
	}
}

func testChanges(t *testing.T, s store.Store) {
	c0 := must(s.Changes(ctx, 0))
	seedOrg(t, s)
	c1 := must(s.Changes(ctx, c0.Version))
	if c1.Version <= c0.Version || len(c1.Sites) != 1 || len(c1.Departments) != 1 || len(c1.Employees) != 2 {
		t.Fatalf("Changes after seed = %+v", c1)
	}
	none := must(s.Changes(ctx, c1.Version))
	if none.Version != c1.Version || len(none.Employees)+len(none.Sites)+len(none.Departments) != 0 {
		t.Errorf("Changes with current cursor = %+v, want nothing", none)
	}
	e := must(s.Employee(ctx, "e2"))
	e.Active = false
	must(s.PutEmployee(ctx, e))
	c2 := must(s.Changes(ctx, c1.Version))
	if len(c2.Employees) != 1 || c2.Employees[0].ID != "e2" || c2.Employees[0].Active {
		t.Errorf("Changes after leaver = %+v", c2.Employees)
	}
}

func testRules(t *testing.T, s store.Store) {
	if _, _, err := s.Rules(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Rules before any = %v", err)
	}
	v1 := must(s.PutRules(ctx, "", json.RawMessage(`{"default":true}`)))
	doc, v, err := s.Rules(ctx, "s1")
	if err != nil || string(doc) != `{"default":true}` || v != v1 {
		t.Errorf("Rules(s1) falls back to default: %s %d %v", doc, v, err)
	}
	v2 := must(s.PutRules(ctx, "s1", json.RawMessage(`{"site":1}`)))
	if doc, v, _ := s.Rules(ctx, "s1"); string(doc) != `{"site":1}` || v != v2 {
		t.Errorf("Rules(s1) = %s %d", doc, v)
	}
	if doc, _, _ := s.Rules(ctx, "s2"); string(doc) != `{"default":true}` {
		t.Errorf("Rules(s2) = %s", doc)
	}
	c := must(s.Changes(ctx, v1))
	if !slices.Equal(c.RulesChanged, []string{"s1"}) {
		t.Errorf("RulesChanged = %v", c.RulesChanged)
	}
}

// testDemoSeed: the marker reads back as written, starts absent, and
// leaves the change version alone.
func testDemoSeed(t *testing.T, s store.Store) {
	if _, err := s.DemoSeed(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DemoSeed before any: err = %v, want ErrNotFound", err)
	}
	v0 := must(s.Changes(ctx, 0)).Version
	for _, want := range []store.DemoSeed{{Anchor: T0}, {Anchor: T0, Done: T0.Add(time.Minute)}} {
		mustDo(s.PutDemoSeed(ctx, want))
		got := must(s.DemoSeed(ctx))
		if !got.Anchor.Equal(want.Anchor) || !got.Done.Equal(want.Done) {
			t.Errorf("DemoSeed = %+v, want %+v", got, want)
		}
	}
	if v := must(s.Changes(ctx, 0)).Version; v != v0 {
		t.Errorf("PutDemoSeed moved the change version from %d to %d", v0, v)
	}
}

// punchN makes a stored punch of dev1 with seq n for employee e1.
func punchN(n int, at time.Time) store.StoredPunch {
	id := fmt.Sprintf("019a0000-0000-7000-8000-%012d", n)
	p := attendance.Punch{ID: id, EmployeeID: "e1", DeviceID: "dev1", Method: attendance.MethodBadge,
		DeviceTime: at, Seq: uint64(n), Evidence: attendance.Evidence{BadgeCode: "B-1"}}
	body, _ := json.Marshal(p)
	return store.StoredPunch{Punch: p, Body: body, Sig: []byte("sig"), Hash: fmt.Sprintf("h%d", n),
		ReceivedAt: T0, TrueTime: at, Status: store.PunchAccepted, Flags: []string{"clock_skew"}}
}

func ingest(t *testing.T, s store.Store, ps ...store.StoredPunch) error {
	t.Helper()
	var keys store.IngestKeys
	for _, p := range ps {
		keys.IDs = append(keys.IDs, p.ID)
	}
	return s.Ingest(ctx, "dev1", keys, func(v store.IngestView) (store.IngestPlan, error) {
		d := v.Device
		d.OffsetMS, d.SeenAt = 1234, T0
		return store.IngestPlan{Insert: ps, Device: d, UpdateDevice: true}, nil
	})
}

func testIngestWritesPlan(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	p1, p2 := punchN(1, T0), punchN(2, T0.Add(time.Minute))
	p1.SiteID, p2.SiteID = "s1", "s1"
	if err := ingest(t, s, p1, p2); err != nil {
		t.Fatal(err)
	}
	d := must(s.Device(ctx, "dev1"))
	if d.LastSeq != 2 || d.LastHash != "h2" || d.OffsetMS != 1234 || !d.SeenAt.Equal(T0) {
		t.Errorf("device after ingest = %+v", d)
	}
	got := must(s.Punch(ctx, p2.ID))
	if string(got.Body) != string(p2.Body) || string(got.Sig) != "sig" || got.Hash != "h2" || got.Seq != 2 ||
		!got.TrueTime.Equal(p2.TrueTime) || got.EmployeeID != "e1" || got.SiteID != "s1" || got.Status != store.PunchAccepted ||
		!slices.Equal(got.Flags, []string{"clock_skew"}) || got.Evidence.BadgeCode != "B-1" {
		t.Errorf("Punch = %+v", got)
	}
	// Without UpdateDevice the device row stays as it was; the chain head
	// still follows the punches.
	p3 := punchN(3, T0)
	mustDo(s.Ingest(ctx, "dev1", store.IngestKeys{}, func(v store.IngestView) (store.IngestPlan, error) {
		d := v.Device
		d.OffsetMS = 99
		return store.IngestPlan{Insert: []store.StoredPunch{p3}, Device: d}, nil
	}))
	if d := must(s.Device(ctx, "dev1")); d.OffsetMS != 1234 || d.LastSeq != 3 || d.LastHash != "h3" {
		t.Errorf("device after an ingest without UpdateDevice = %+v", d)
	}
	if _, err := s.Punch(ctx, "019a0000-0000-7000-8000-999999999999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown punch err = %v", err)
	}
	// The same id again is a conflict and writes nothing, not even the device.
	if err := ingest(t, s, punchN(4, T0), p1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("re-insert err = %v, want ErrConflict", err)
	}
	if _, err := s.Punch(ctx, punchN(4, T0).ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("half a failed batch was written: %v", err)
	}
	if d := must(s.Device(ctx, "dev1")); d.LastSeq != 3 || d.OffsetMS != 1234 {
		t.Errorf("device moved on a failed batch: %+v", d)
	}
}

func testIngestView(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	if err := ingest(t, s, punchN(1, T0), punchN(2, T0)); err != nil {
		t.Fatal(err)
	}
	var seen store.IngestView
	err := s.Ingest(ctx, "dev1", store.IngestKeys{IDs: []string{punchN(2, T0).ID, "019a0000-0000-7000-8000-000000000042"}, Seqs: []uint64{1, 7}},
		func(v store.IngestView) (store.IngestPlan, error) {
			seen = v
			return store.IngestPlan{Device: v.Device}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen.ByID) != 1 || seen.ByID[punchN(2, T0).ID].Hash != "h2" || seen.ByID[punchN(2, T0).ID].Seq != 2 {
		t.Errorf("ByID = %+v", seen.ByID)
	}
	if len(seen.BySeq) != 1 || seen.BySeq[1].ID != punchN(1, T0).ID || !slices.Equal(seen.BySeq[1].Flags, []string{"clock_skew"}) {
		t.Errorf("BySeq = %+v", seen.BySeq)
	}
	if seen.Device.ID != "dev1" || seen.Device.LastSeq != 2 {
		t.Errorf("Device = %+v", seen.Device)
	}
	err = s.Ingest(ctx, "nope", store.IngestKeys{}, func(store.IngestView) (store.IngestPlan, error) {
		t.Error("decide called for unknown device")
		return store.IngestPlan{}, nil
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown device err = %v", err)
	}
}

func testIngestAllOrNothing(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	boom := errors.New("boom")
	err := s.Ingest(ctx, "dev1", store.IngestKeys{}, func(v store.IngestView) (store.IngestPlan, error) {
		return store.IngestPlan{}, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("decide error not returned: %v", err)
	}
	got := must(s.Punches(ctx, store.PunchFilter{}))
	if len(got) != 0 {
		t.Errorf("punches after failed decide: %d", len(got))
	}
	// A cancelled context writes nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Ingest(cctx, "dev1", store.IngestKeys{}, func(v store.IngestView) (store.IngestPlan, error) {
		return store.IngestPlan{Insert: []store.StoredPunch{punchN(1, T0)}, Device: v.Device}, nil
	}); err == nil {
		t.Error("ingest with cancelled context succeeded")
	}
	if got := must(s.Punches(ctx, store.PunchFilter{})); len(got) != 0 {
		t.Errorf("punches after cancelled ingest: %d", len(got))
	}
}

func testPunches(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	var ps []store.StoredPunch
	for i := 1; i <= 5; i++ {
		p := punchN(i, T0.Add(time.Duration(6-i)*time.Hour)) // later seq, earlier time
		p.SiteID = "s1"
		if i == 3 {
			p.EmployeeID = "e2"
		}
		ps = append(ps, p)
	}
	if err := ingest(t, s, ps...); err != nil {
		t.Fatal(err)
	}
	ids := func(xs []store.StoredPunch) []uint64 {
		var out []uint64
		for _, x := range xs {
			out = append(out, x.Seq)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.PunchFilter
		want []uint64
	}{
		{"all by time", store.PunchFilter{}, []uint64{5, 4, 3, 2, 1}},
		{"employee", store.PunchFilter{EmployeeID: "e2"}, []uint64{3}},
		{"employees", store.PunchFilter{EmployeeIDs: []string{"e2", "e9"}}, []uint64{3}},
		{"employees and range", store.PunchFilter{EmployeeIDs: []string{"e1", "e2"}, From: T0.Add(2 * time.Hour), To: T0.Add(4 * time.Hour)}, []uint64{4, 3}},
		{"range", store.PunchFilter{From: T0.Add(2 * time.Hour), To: T0.Add(4 * time.Hour)}, []uint64{4, 3}},
		{"site and device", store.PunchFilter{SiteID: "s1", DeviceID: "dev1", Limit: 2}, []uint64{5, 4}},
		{"page", store.PunchFilter{AfterTime: T0.Add(2 * time.Hour), AfterID: ps[3].ID, Limit: 2}, []uint64{3, 2}},
		{"other site", store.PunchFilter{SiteID: "s2"}, nil},
		{"status", store.PunchFilter{Status: store.PunchRejected}, nil},
		{"by employee", store.PunchFilter{ByEmployee: true}, []uint64{5, 4, 2, 1, 3}},
		{"by employee, range", store.PunchFilter{ByEmployee: true, EmployeeIDs: []string{"e2", "e1"}, From: T0.Add(2 * time.Hour)}, []uint64{4, 2, 1, 3}},
	}
	for _, tt := range tests {
		got := ids(must(s.Punches(ctx, tt.f)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, p := range must(s.Punches(ctx, store.PunchFilter{NoEvidence: true})) {
		if p.Body != nil || p.Sig != nil || p.ID == "" || p.EmployeeID == "" || p.Hash == "" || p.TrueTime.IsZero() {
			t.Errorf("without evidence: %+v, want the punch without its body and signature", p)
		}
	}
	stop, n := errors.New("enough"), 0
	err := s.EachPunch(ctx, store.PunchFilter{}, func(p *store.StoredPunch) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("EachPunch stopped by its callback: %v after %d punches", err, n)
	}
}

// testAppendOnly checks that the database itself refuses to change a raw
// punch, for stores that expose their *sql.DB.
func testAppendOnly(t *testing.T, s store.Store) {
	sq, ok := s.(interface{ SQL() *sql.DB })
	if !ok {
		t.Skip("store has no SQL database to check")
	}
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	p := punchN(1, T0)
	if err := ingest(t, s, p); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE punches SET employee_id = 'e2'`,
		`DELETE FROM punches`,
	} {
		if _, err := sq.SQL().ExecContext(ctx, q); err == nil {
			t.Errorf("%s: succeeded on an append-only table", q)
		}
	}
	if got := must(s.Punch(ctx, p.ID)); got.EmployeeID != "e1" {
		t.Errorf("punch changed: %+v", got)
	}
}

// testTake: a bucket gives its burst, then one token per interval; buckets
// are independent; a clock stepping back takes nothing back; and the
// buckets are in the store, so a store opened again keeps them (the
// suite's stores are reopened by their own tests where they can be).
func testTake(t *testing.T, s store.Store) {
	take := func(key string, at time.Time) bool {
		t.Helper()
		return must(s.Take(ctx, key, at, 6*time.Second, 3))
	}
	var got []bool
	for range 4 {
		got = append(got, take("enroll:10.0.0.1", T0))
	}
	if !slices.Equal(got, []bool{true, true, true, false}) {
		t.Fatalf("a bucket of 3 taken 4 times at once: %v", got)
	}
	if !take("enroll:10.0.0.2", T0) {
		t.Error("another key's bucket is empty")
	}
	if take("enroll:10.0.0.1", T0.Add(5*time.Second)) {
		t.Error("a token came back before its 6 s")
	}
	if !take("enroll:10.0.0.1", T0.Add(6*time.Second)) || take("enroll:10.0.0.1", T0.Add(6*time.Second)) {
		t.Error("6 s should bring back exactly one token")
	}
	if take("enroll:10.0.0.1", T0.Add(-time.Hour)) {
		t.Error("a clock stepped back an hour refilled the bucket")
	}
	if !take("enroll:10.0.0.1", T0.Add(time.Hour)) || !take("enroll:10.0.0.1", T0.Add(time.Hour)) || !take("enroll:10.0.0.1", T0.Add(time.Hour)) || take("enroll:10.0.0.1", T0.Add(time.Hour)) {
		t.Error("an hour later the bucket should hold its 3 tokens, no more")
	}
	if _, err := s.Take(ctx, "k", T0, 0, 3); err == nil {
		t.Error("a bucket without a refill interval was taken from")
	}
}
