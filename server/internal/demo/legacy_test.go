package demo_test

import (
	"os"
	"path/filepath"
	"testing"

	"punchclock/app/attendance"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/demo/demotest"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/store"
)

// unmark removes the demo seed marker, as in a store an older punchd
// seeded, which did not mark its seeds.
func unmark(t *testing.T, st *sqlstore.DB) {
	t.Helper()
	if _, err := st.SQL().ExecContext(ctx, `DELETE FROM meta WHERE k LIKE 'demo_seed%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DemoSeed(ctx); err == nil {
		t.Fatal("the marker is still there")
	}
}

// TestSeedOlderFinishedDemo: a demo an older punchd finished (no marker)
// is recognised by its credentials and employees: marked, not seeded
// again, nothing doubled.
func TestSeedOlderFinishedDemo(t *testing.T) {
	backends(t, func(t *testing.T, open opener) {
		st := open(t)
		defer st.Close()
		dir := t.TempDir()
		first, err := seed(st, dir, t0)
		if err != nil {
			t.Fatal(err)
		}
		want := snapshot(t, st)
		unmark(t, st)
		c := &crashing{Store: st}
		res, err := seed(c, dir, t1)
		if err != nil || res.Seeded || res.AdminToken != first.AdminToken || res.KioskID != first.KioskID {
			t.Fatalf("older finished demo: %+v, %v; want it left as it is with token %s", res, err, first.AdminToken)
		}
		if c.writes != 1 || c.names[0] != "PutDemoSeed" {
			t.Errorf("writes %v, want the marker only", c.names)
		}
		// The marker is anchored at the kiosk's enrollment, at t0.
		checkWhole(t, st, dir, res, want, t0)
	})
}

// TestSeedOlderInterruptedDemo: the store an older punchd's interrupted
// seed left (two sites, three departments, ten of thirty employees, no
// token, no kiosk, no marker) is finished.
func TestSeedOlderInterruptedDemo(t *testing.T) {
	backends(t, func(t *testing.T, open opener) {
		ref := open(t)
		defer ref.Close()
		if _, err := seed(ref, t.TempDir(), t1); err != nil {
			t.Fatal(err)
		}
		want := snapshot(t, ref)

		st := open(t)
		defer st.Close()
		put := putter(t)
		for _, s := range demo.Sites {
			put(st.PutSite(ctx, s))
		}
		for _, d := range demo.Departments {
			put(st.PutDepartment(ctx, d))
		}
		for _, e := range demo.Employees()[:10] {
			put(st.PutEmployee(ctx, e))
		}
		dir := t.TempDir()
		res, err := seed(st, dir, t1)
		if err != nil || !res.Seeded || !res.Resumed {
			t.Fatalf("older interrupted demo: %+v, %v; want it finished", res, err)
		}
		checkWhole(t, st, dir, res, want, t1)
	})
}

// TestSeedLeavesRealData: a store with data the demo did not make, and no
// marker, is not seeded over, even when some of its ids are the demo's.
func TestSeedLeavesRealData(t *testing.T) {
	backends(t, func(t *testing.T, open opener) {
		put := putter(t)
		for name, fill := range map[string]func(st store.Store){
			"own site": func(st store.Store) {
				put(st.PutSite(ctx, attendance.Site{ID: "ber-1", Name: "Berlin", Zone: "Europe/Berlin"}))
			},
			"site under a demo id": func(st store.Store) {
				put(st.PutSite(ctx, attendance.Site{ID: "sh-jingan", Name: "Our Shanghai office", Zone: "Asia/Shanghai"}))
			},
			"own rules only": func(st store.Store) {
				put(st.PutRules(ctx, "ber-1", []byte(`{}`)))
			},
		} {
			st := open(t)
			fill(st)
			dir := t.TempDir()
			c := &crashing{Store: st}
			res, err := seed(c, dir, t0)
			if err != nil || res.Seeded || res.Skipped == "" || res.AdminToken != "" || c.writes != 0 {
				t.Errorf("%s: %+v, %v, writes %v; want it left alone, with the reason", name, res, err, c.names)
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("%s: the seed wrote %v into the data directory", name, files)
			}
			st.Close()
		}
	})
}

// TestSeedNewDataDir: a finished demo started with another data directory
// (PostgreSQL, a new -data) gets a new admin token the store knows, and
// nothing else.
func TestSeedNewDataDir(t *testing.T) {
	backends(t, func(t *testing.T, open opener) {
		st := open(t)
		defer st.Close()
		first, err := seed(st, t.TempDir(), t0)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		c := &crashing{Store: st}
		res, err := seed(c, dir, t1)
		if err != nil || res.Seeded || res.AdminToken == "" || res.AdminToken == first.AdminToken || res.AdminToken != demotest.ReadFile(t, dir, demo.AdminTokenFile) {
			t.Fatalf("new data directory: %+v, %v", res, err)
		}
		if _, err := st.TokenByHash(ctx, httpapi.HashToken(res.AdminToken)); err != nil || len(c.names) != 1 || c.names[0] != "PutToken" {
			t.Errorf("new token: %v, writes %v; want the token registered and nothing else", err, c.names)
		}
	})
}

// TestSeedLostKey: a seed interrupted between its two ingest batches
// whose data directory then lost the kiosk key finishes with a second
// kiosk, and no punch stored twice.
func TestSeedLostKey(t *testing.T) {
	st := openSQLite(t)
	dir := t.TempDir()
	count := &crashing{Store: openSQLite(t)}
	if _, err := seed(count, t.TempDir(), t0); err != nil {
		t.Fatal(err)
	}
	second := 0
	for i, n := range count.names {
		if n == "Ingest" {
			second = i + 1 // the last Ingest is the second batch
		}
	}
	if _, err := seed(&crashing{Store: st, n: second}, dir, t0); err == nil {
		t.Fatal("no crash")
	}
	for _, f := range []string{demo.KioskKeyFile, demo.KioskIDFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := seed(st, dir, t1); err != nil {
		t.Fatal(err)
	}
	devs, _ := st.Devices(ctx)
	if len(devs) != 2 {
		t.Errorf("%d devices, want the lost one and a new one", len(devs))
	}
	ps, err := st.Punches(ctx, store.PunchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	demotest.CheckWeek(t, ps, t0)
}

func openSQLite(t *testing.T) *sqlstore.DB {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// putter returns a function that fails t when a Put fails.
func putter(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}
