package punchd_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// TestLocationRetention: punchd deletes the location points older than
// its retention by its clock, and keeps the rest; a negative retention
// keeps everything.
func TestLocationRetention(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	pt := func(id string, age time.Duration) store.LocationPoint {
		at := t0.Add(-age)
		return store.LocationPoint{ID: id, EmployeeID: "E019", DeviceID: "ph", SiteID: "sh-jingan", At: at, DeviceTime: at, ReceivedAt: at,
			Lat: 31.2243, Lng: 121.4453, AccuracyM: 10, Datum: "wgs84", Verdict: "inside"}
	}
	points := []store.LocationPoint{pt("old", 31*24*time.Hour), pt("recent", 29*24*time.Hour), pt("today", time.Hour)}
	trail := func(m *punchd.Main) (ids []string) {
		got, err := m.Store.Trail(ctx, store.TrailFilter{EmployeeID: "E019"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		return ids
	}

	m := serve(t, punchd.Config{DB: filepath.Join(t.TempDir(), "p.db"), DataDir: t.TempDir(), WebDir: t.TempDir(), Now: clk.Now,
		LocationRetention: 30 * 24 * time.Hour, PruneEvery: 5 * time.Millisecond})
	if _, err := m.Store.PutLocations(ctx, points); err != nil {
		t.Fatal(err)
	}
	// The loop runs every 5 ms: wait for the old point to go.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		ids := trail(m)
		if len(ids) == 2 {
			if ids[0] != "recent" || ids[1] != "today" {
				t.Errorf("kept %q, want recent and today", ids)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute the trail is %q, want the 31-day-old point gone", ids)
		}
	}

	// At start, before punchd serves: a store holding the three points,
	// opened with the retention and with none (negative).
	for _, c := range []struct {
		keep time.Duration
		want int
	}{{30 * 24 * time.Hour, 2}, {-1, 3}} {
		db := filepath.Join(t.TempDir(), "p.db")
		st, err := punchd.OpenStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutLocations(ctx, points); err != nil {
			t.Fatal(err)
		}
		st.Close()
		m := serve(t, punchd.Config{DB: db, DataDir: t.TempDir(), WebDir: t.TempDir(), Now: clk.Now, LocationRetention: c.keep})
		if ids := trail(m); len(ids) != c.want {
			t.Errorf("retention %v: at start the trail is %q, want %d points", c.keep, ids, c.want)
		}
	}
}
