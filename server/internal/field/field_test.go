package field_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/field"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
)

var (
	t0      = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	storeAt = attendance.LatLng{Lat: 31.2243, Lng: 121.4453}
	ctx     = context.Background()
)

func point(at, est time.Time, lat float64) wire.LocationPoint {
	id, _ := uuid.NewV7()
	return wire.LocationPoint{ID: id.String(), DeviceTime: at, EstTime: est, Location: attendance.Location{Lat: lat, Lng: storeAt.Lng, AccuracyM: 20}}
}

// TestReport, on both databases: a point's time is its device time
// corrected by the offset measured on the report, the phone's own
// estimate used only while it agrees; a point is placed against the
// fences of the employee's site (the site's own, else its rule set's); a
// site without fences gives no verdict; a point after the employee's
// last day is refused; a report of another device, or of a kiosk, is
// refused whole; the trail reads the points back with the fences.
func TestReport(t *testing.T) {
	for _, b := range sqlstoretest.Backends() {
		t.Run(b.Name, func(t *testing.T) { testReport(t, b.Open(t)) })
	}
}

func testReport(t *testing.T, st store.Store) {
	now := t0
	fromRules := false
	svc := &field.Service{Store: st, Now: func() time.Time { return now }, Fences: func(_ context.Context, site string) ([]attendance.Fence, error) {
		fromRules = true
		if site == "s2" {
			return []attendance.Fence{{Name: "depot", Center: &storeAt, RadiusM: 300}}, nil
		}
		return nil, nil
	}}
	for _, s := range []attendance.Site{
		{ID: "s1", Name: "Store", Zone: "Asia/Shanghai", Fences: []attendance.Fence{{Name: "store", Center: &storeAt, RadiusM: 200}}},
		{ID: "s2", Name: "Depot", Zone: "Asia/Shanghai"},
		{ID: "s3", Name: "Nowhere", Zone: "Asia/Shanghai"},
	} {
		if _, err := st.PutSite(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "Sales"}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []attendance.Employee{
		{ID: "e1", Name: "Field", DepartmentID: "d1", SiteID: "s1", Active: true, LeavingDate: "2026-11-20"},
		{ID: "e2", Name: "Depot", DepartmentID: "d1", SiteID: "s2", Active: true},
		{ID: "e3", Name: "Roamer", DepartmentID: "d1", SiteID: "s3", Active: true},
	} {
		if _, err := st.PutEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	phone := func(emp string) attendance.Device {
		return attendance.Device{ID: "ph-" + emp, Kind: attendance.DevicePhone, EmployeeID: emp, SiteID: "s1"}
	}
	report := func(dev attendance.Device, sentAt time.Time, pts ...wire.LocationPoint) wire.LocationResponse {
		t.Helper()
		resp, err := svc.Report(ctx, dev, wire.LocationReport{Protocol: wire.ProtocolVersion, DeviceID: dev.ID, SentAt: sentAt, Points: pts})
		if err != nil || len(resp.Results) != len(pts) {
			t.Fatalf("report: %+v %v", resp, err)
		}
		return resp
	}

	// The phone's clock is an hour slow; its estimate agrees, then not.
	slow := now.Add(-time.Hour)
	agree := point(slow.Add(-5*time.Minute), now.Add(-5*time.Minute+30*time.Second), 31.2244)
	wild := point(slow.Add(-4*time.Minute), now.Add(3*time.Hour), 31.2500)
	late := point(slow.Add(15*time.Hour), time.Time{}, 31.2244) // tomorrow: after e1's last day
	late.DeviceTime = slow.Add(14 * time.Hour)
	now = now.Add(14 * time.Hour)
	resp := report(phone("e1"), slow.Add(14*time.Hour), agree, wild, late)
	now = t0
	if r := resp.Results[0]; r.Status != wire.StatusAccepted || !r.At.Equal(t0.Add(-5*time.Minute+30*time.Second)) || r.Verdict != "inside" || r.Fence != "store" || fromRules {
		t.Errorf("a point whose estimate agrees: %+v (rule set asked: %v)", r, fromRules)
	}
	if r := resp.Results[1]; r.Status != wire.StatusAccepted || !r.At.Equal(t0.Add(-4*time.Minute)) || r.Verdict != "outside" {
		t.Errorf("a point whose estimate is wild: %+v", r)
	}
	if r := resp.Results[2]; r.Status != wire.StatusRejected || r.Code != wire.CodeInvalid {
		t.Errorf("a point after the last day: %+v", r)
	}
	if r := report(phone("e2"), now, point(now, time.Time{}, 31.2255)).Results[0]; r.Verdict != "inside" || r.Fence != "depot" || !fromRules {
		t.Errorf("a point judged by the rule set's fence: %+v", r)
	}
	if r := report(phone("e3"), now, point(now, time.Time{}, 31.2255)).Results[0]; r.Status != wire.StatusAccepted || r.Verdict != "" {
		t.Errorf("a point of a site without fences: %+v", r)
	}
	for name, dev := range map[string]attendance.Device{
		"a kiosk":       {ID: "k1", Kind: attendance.DeviceKiosk, SiteID: "s1"},
		"another phone": phone("e2"),
	} {
		_, err := svc.Report(ctx, dev, wire.LocationReport{Protocol: wire.ProtocolVersion, DeviceID: "ph-e1", SentAt: now})
		if wire.CodeOf(err) != wire.CodeForbidden {
			t.Errorf("%s reports: %v", name, err)
		}
	}
	tr, err := svc.Trail(ctx, "e1", t0.Add(-time.Hour), t0)
	if err != nil || len(tr.Points) != 2 || tr.Points[0].ID != agree.ID || tr.Points[1].Verdict != "outside" || tr.Site == nil || tr.Site.ID != "s1" || len(tr.Fences) != 1 {
		t.Errorf("the trail: %+v %v", tr, err)
	}
	if _, err := svc.Trail(ctx, "e1", t0, t0); wire.CodeOf(err) != wire.CodeInvalid {
		t.Errorf("an empty range: %v", err)
	}
	if _, err := svc.Trail(ctx, "nobody", t0.Add(-time.Hour), t0); wire.CodeOf(err) != wire.CodeNotFound {
		t.Errorf("the trail of nobody: %v", err)
	}
}
