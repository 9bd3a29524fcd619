package attendance_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the zones to compare with, in Chromium too

	"punchclock/app/attendance"
)

// TestZoneRules checks a zone read back from ZoneRules gives the zone
// database's offset, name and daylight saving at every instant sampled
// from 1960 to 2100, around each transition, in zones with daylight
// saving both sides of the equator, half and quarter hours, a zone that
// changed its standard offset, and zones without transitions.
func TestZoneRules(t *testing.T) {
	for _, name := range []string{"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
		"Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "America/Sao_Paulo", "Europe/Moscow", "Africa/Casablanca", "UTC", "Etc/GMT-14"} {
		want, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		data := attendance.ZoneRules(want)
		site := attendance.Site{ID: "s", Name: "s", Zone: name, ZoneRules: data}
		got, err := site.Location()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != name {
			t.Errorf("%s: the location is named %q", name, got)
		}
		check := func(at time.Time) {
			wn, wo := at.In(want).Zone()
			gn, goff := at.In(got).Zone()
			if wn != gn || wo != goff || at.In(want).IsDST() != at.In(got).IsDST() {
				t.Fatalf("%s at %s: got %s %d dst=%v, want %s %d dst=%v (%d bytes of rules)",
					name, at.UTC(), gn, goff, at.In(got).IsDST(), wn, wo, at.In(want).IsDST(), len(data))
			}
		}
		end := time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
		for at := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); at.Before(end); at = at.Add(5*time.Hour + 17*time.Minute) {
			check(at)
		}
		// Around every change, found hour by hour.
		transitions := 0
		for at := time.Unix(0, 0); at.Before(end); at = at.Add(time.Hour) {
			next := at.Add(time.Hour)
			if a, b := at.In(want), next.In(want); a.Format("MST-0700") != b.Format("MST-0700") || a.IsDST() != b.IsDST() {
				transitions++
				for x := at; !x.After(next); x = x.Add(time.Minute) {
					check(x)
				}
			}
		}
		// Before 1970 the offset of 1970 applies.
		wn, wo := time.Unix(0, 0).In(want).Zone()
		if gn, goff := time.Date(1960, 6, 1, 0, 0, 0, 0, time.UTC).In(got).Zone(); gn != wn || goff != wo {
			t.Errorf("%s in 1960: got %s %d, want 1970's %s %d", name, gn, goff, wn, wo)
		}
		t.Logf("%s: %d transitions to 2100, %d bytes", name, transitions, len(data))
	}
}

// TestSiteLocation checks a site without zone rules loads its zone from
// the database, and a zone that is no zone is refused.
func TestSiteLocation(t *testing.T) {
	s := attendance.Site{Zone: "Asia/Shanghai"}
	if loc, err := s.Location(); err != nil || loc.String() != "Asia/Shanghai" {
		t.Errorf("without rules: %v, %v", loc, err)
	}
	for _, zone := range []string{"", "Local", "Mars/Olympus"} {
		s := attendance.Site{Zone: zone}
		if _, err := s.Location(); !errors.Is(err, attendance.ErrNoZone) {
			t.Errorf("zone %q: err %v, want ErrNoZone", zone, err)
		}
	}
	// Broken rules fall back to the database.
	s = attendance.Site{Zone: "Europe/Berlin", ZoneRules: []byte("TZif2 broken")}
	if loc, err := s.Location(); err != nil || loc.String() != "Europe/Berlin" {
		t.Errorf("broken rules: %v, %v", loc, err)
	}
}
