package storetest

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testTrail: location points are stored once by id (a resent report
// stores nothing twice, in one batch or the next), read back whole by
// employee and time range in time order, bounded by a limit; bad text in
// any string and a coordinate that is not a number are refused as invalid
// and store nothing.
func testTrail(t *testing.T, s store.Store) {
	pt := func(id, emp string, at time.Time) store.LocationPoint {
		return store.LocationPoint{ID: id, EmployeeID: emp, DeviceID: "ph1", SiteID: "s1", At: at, DeviceTime: at.Add(-3 * time.Second),
			ReceivedAt: at.Add(time.Minute), Lat: 31.2304, Lng: 121.4737, AccuracyM: 12.5, Datum: "wgs84", Verdict: "inside", Fence: "店 store"}
	}
	// A site keeps the accuracy its phones' fixes need.
	seedOrg(t, s)
	site := must(s.Site(ctx, "s1"))
	site.FixAccuracyM = 150
	must(s.PutSite(ctx, site))
	if got := must(s.Site(ctx, "s1")); got.FixAccuracyM != 150 {
		t.Errorf("the site's fix accuracy: %v, want 150", got.FixAccuracyM)
	}
	a, b, c := pt("p1", "e1", T0), pt("p2", "e1", T0.Add(time.Minute)), pt("p3", "e1", T0.Add(2*time.Minute))
	other := pt("p4", "e2", T0.Add(30*time.Second))
	other.Verdict, other.Fence, other.SiteID, other.Datum, other.AccuracyM = "outside", "", "", "", 0
	fresh := must(s.PutLocations(ctx, []store.LocationPoint{c, a, other}))
	if !reflect.DeepEqual(fresh, []bool{true, true, true}) {
		t.Errorf("first report: %v", fresh)
	}
	changed := a
	changed.Lat = 1
	fresh = must(s.PutLocations(ctx, []store.LocationPoint{changed, b, b}))
	if !reflect.DeepEqual(fresh, []bool{false, true, false}) {
		t.Errorf("resent report: %v, want only p2 new", fresh)
	}
	got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e1"}))
	if !reflect.DeepEqual(got, []store.LocationPoint{a, b, c}) {
		t.Errorf("trail of e1:\n%+v\nwant\n%+v", got, []store.LocationPoint{a, b, c})
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e1", From: T0.Add(time.Minute), To: T0.Add(2 * time.Minute)})); !reflect.DeepEqual(got, []store.LocationPoint{b}) {
		t.Errorf("trail of e1 in [09:01, 09:02): %+v", got)
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e1", Limit: 2})); len(got) != 2 || got[1].ID != "p2" {
		t.Errorf("trail of e1 limited to 2: %+v", got)
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e2"})); !reflect.DeepEqual(got, []store.LocationPoint{other}) {
		t.Errorf("trail of e2: %+v", got)
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "nobody"})); len(got) != 0 {
		t.Errorf("trail of nobody: %+v", got)
	}
	// The retention deletes what is older than its bound, of everyone.
	if n := must(s.PruneLocations(ctx, T0.Add(time.Minute))); n != 2 {
		t.Errorf("pruned %d points before 09:01, want p1 and p4", n)
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e1"})); !reflect.DeepEqual(got, []store.LocationPoint{b, c}) {
		t.Errorf("trail of e1 after the pruning: %+v", got)
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e2"})); len(got) != 0 {
		t.Errorf("trail of e2 after the pruning: %+v", got)
	}
	must(s.PutLocations(ctx, []store.LocationPoint{a, other}))

	type mod struct {
		name string
		id   bool
		set  func(*store.LocationPoint, string)
	}
	mods := []mod{
		{"id", true, func(p *store.LocationPoint, v string) { p.ID = v }},
		{"employee_id", true, func(p *store.LocationPoint, v string) { p.EmployeeID = v }},
		{"device_id", true, func(p *store.LocationPoint, v string) { p.DeviceID = v }},
		{"site_id", true, func(p *store.LocationPoint, v string) { p.SiteID = v }},
		{"datum", false, func(p *store.LocationPoint, v string) { p.Datum = v }},
		{"verdict", false, func(p *store.LocationPoint, v string) { p.Verdict = v }},
		{"fence", false, func(p *store.LocationPoint, v string) { p.Fence = v }},
	}
	for _, m := range mods {
		cases := badText
		if m.id {
			cases = append(cases[:len(cases):len(cases)], badIDs...)
		}
		for _, bad := range cases {
			p := pt("p9", "e1", T0)
			m.set(&p, bad.s)
			if _, err := s.PutLocations(ctx, []store.LocationPoint{pt("p8", "e1", T0), p}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("PutLocations %s with %s: err = %v, want ErrInvalid", m.name, bad.name, err)
			}
		}
	}
	for _, bad := range append(badText[:len(badText):len(badText)], badIDs...) {
		if _, err := s.Trail(ctx, store.TrailFilter{EmployeeID: bad.s}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Trail with %s: err = %v, want ErrInvalid", bad.name, err)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		p := pt("p9", "e1", T0)
		p.Lat = v
		if _, err := s.PutLocations(ctx, []store.LocationPoint{p}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutLocations with lat %v: err = %v, want ErrInvalid", v, err)
		}
	}
	if got := must(s.Trail(ctx, store.TrailFilter{EmployeeID: "e1"})); len(got) != 3 {
		t.Errorf("refused points were stored: %+v", got)
	}
}
