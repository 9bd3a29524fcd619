package storetest

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// leanOf is what PunchFilter.Lean promises of p.
func leanOf(p store.StoredPunch) store.StoredPunch {
	return store.StoredPunch{
		Punch: attendance.Punch{ID: p.ID, EmployeeID: p.EmployeeID, SiteID: p.SiteID, DeviceID: p.DeviceID,
			Method: p.Method, Direction: p.Direction, Location: p.Location},
		TrueTime: p.TrueTime, Status: p.Status, Flags: p.Flags, Addr: p.Addr,
	}
}

// testLeanPunches checks that lean punches are the full ones' engine
// fields, in the same order, whether the store reads them from digests it
// builds, finds stale or finds broken.
func testLeanPunches(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	var ps []store.StoredPunch
	seq := 0
	add := func(emp string, at time.Time, edit func(p *store.StoredPunch)) {
		seq++
		p := punchN(seq, at)
		p.EmployeeID, p.SiteID, p.Flags = emp, "s1", nil
		if edit != nil {
			edit(&p)
		}
		p.Body, _ = json.Marshal(p.Punch) // as the device signed it
		ps = append(ps, p)
	}
	// Two employees over 70 days (three buckets of a digest and more),
	// twice a day; one punch with a location, a direction, flags and an
	// address, one rejected.
	start := T0.AddDate(0, 0, -70)
	for d := range 70 {
		for _, emp := range []string{"e2", "e1"} {
			add(emp, start.AddDate(0, 0, d), nil)
			add(emp, start.AddDate(0, 0, d).Add(9*time.Hour+time.Duration(d)*time.Second), func(p *store.StoredPunch) {
				if d == 40 && emp == "e1" {
					p.Direction, p.Addr, p.Flags = attendance.DirectionOut, "203.0.113.7", []string{"clock_skew", "chain_gap"}
					p.Location = &attendance.Location{Lat: 31.2304, Lng: 121.4737, AccuracyM: 12.5, Datum: "gcj02"}
				}
				if d == 41 && emp == "e2" {
					p.Status, p.Code, p.Message = store.PunchRejected, "invalid", "refused"
				}
			})
		}
	}
	if err := ingest(t, s, ps...); err != nil {
		t.Fatal(err)
	}
	from, to := start.AddDate(0, 0, 5).Add(3*time.Hour), start.AddDate(0, 0, 66)
	check := func(what string) {
		t.Helper()
		full := store.PunchFilter{EmployeeIDs: []string{"e2", "e1", "e9"}, From: from, To: to, Status: store.PunchAccepted, ByEmployee: true, NoEvidence: true}
		var want []store.StoredPunch
		for _, p := range must(s.Punches(ctx, full)) {
			want = append(want, leanOf(p))
		}
		lean := full
		lean.Lean = true
		got := must(s.Punches(ctx, lean))
		if len(want) < 200 || len(got) != len(want) {
			t.Fatalf("%s: %d lean punches, want %d", what, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.TrueTime.Equal(w.TrueTime) {
				t.Fatalf("%s: punch %d at %v, want %v", what, i, g.TrueTime, w.TrueTime)
			}
			g.TrueTime = w.TrueTime
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s: punch %d\n got %+v\nwant %+v", what, i, g, w)
			}
		}
		if !slices.ContainsFunc(got, func(p store.StoredPunch) bool { return p.Location != nil && p.Location.Datum == "gcj02" }) {
			t.Errorf("%s: the punch with a location is missing", what)
		}
	}
	check("first read")
	check("second read")
	// A punch arriving in a bucket already read is in the next read.
	late := punchN(1000, start.AddDate(0, 0, 30).Add(12*time.Hour))
	late.EmployeeID, late.SiteID, late.Flags = "e1", "s1", nil
	if err := ingest(t, s, late); err != nil {
		t.Fatal(err)
	}
	check("after a late punch")
	// A broken digest is rebuilt, not trusted.
	if sq, ok := s.(interface{ SQL() *sql.DB }); ok {
		if _, err := sq.SQL().ExecContext(ctx, `UPDATE punch_digests SET data = data || data`); err != nil {
			t.Fatal(err)
		}
		check("after the digests were garbled")
		var n int
		if err := sq.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM punch_digests`).Scan(&n); err != nil || n < 4 {
			t.Errorf("%d digests (%v), want those of two employees over three buckets or more", n, err)
		}
	}
	for _, f := range []store.PunchFilter{
		{Lean: true, ByEmployee: true, From: from, To: to, Status: store.PunchAccepted},
		{Lean: true, EmployeeIDs: []string{"e1"}, From: from, To: to, Status: store.PunchAccepted},
		{Lean: true, EmployeeIDs: []string{"e1"}, ByEmployee: true, From: from, To: to},
		{Lean: true, EmployeeIDs: []string{"e1"}, ByEmployee: true, Status: store.PunchAccepted},
		{Lean: true, EmployeeIDs: []string{"e1"}, ByEmployee: true, From: from, To: to, Status: store.PunchAccepted, Limit: 3},
	} {
		if _, err := s.Punches(ctx, f); err == nil {
			t.Errorf("lean punches with %s: no error", fmt.Sprintf("%+v", f))
		}
	}
}
