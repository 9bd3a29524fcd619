package demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/demo/demotest"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/postgres"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/store"
)

var ctx = context.Background()

// t0 is the first attempt's "now": Friday 2026-11-20, 20:00 in Shanghai.
// A retry runs a day and two hours later, so a seed that laid its week
// out from the retry's clock would show.
var (
	t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(26 * time.Hour)
)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// opener makes a fresh, empty, migrated store; the test closes it.
type opener func(t *testing.T) *sqlstore.DB

// backends runs fn on SQLite and on PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(t *testing.T) *sqlstore.DB {
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, func(t *testing.T) *sqlstore.DB {
			st, err := postgres.Open(ctx, pgtest.NewDB(t))
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

var errCrash = errors.New("crash")

// crashing is a store whose writes stop at the n-th: that write fails
// undone, or (after) is done and then fails, as a crash just after its
// commit would leave it; every later write fails undone. n = 0 never
// fails. It counts the writes it was asked for, and names them.
type crashing struct {
	store.Store
	n, writes int
	after     bool
	names     []string
}

func (c *crashing) write(name string, do func() error) error {
	c.writes++
	c.names = append(c.names, name)
	switch {
	case c.n == 0 || c.writes < c.n:
		return do()
	case c.writes == c.n && c.after:
		if err := do(); err != nil {
			return err
		}
	}
	return errCrash
}

func write1[T any](c *crashing, name string, do func() (T, error)) (T, error) {
	var v T
	err := c.write(name, func() (err error) { v, err = do(); return err })
	return v, err
}

func (c *crashing) PutSite(ctx context.Context, s attendance.Site) (attendance.Site, error) {
	return write1(c, "PutSite", func() (attendance.Site, error) { return c.Store.PutSite(ctx, s) })
}

func (c *crashing) PutDepartment(ctx context.Context, d attendance.Department) (attendance.Department, error) {
	return write1(c, "PutDepartment", func() (attendance.Department, error) { return c.Store.PutDepartment(ctx, d) })
}

func (c *crashing) PutEmployee(ctx context.Context, e attendance.Employee) (attendance.Employee, error) {
	return write1(c, "PutEmployee", func() (attendance.Employee, error) { return c.Store.PutEmployee(ctx, e) })
}

func (c *crashing) PutRules(ctx context.Context, site string, doc json.RawMessage) (int64, error) {
	return write1(c, "PutRules", func() (int64, error) { return c.Store.PutRules(ctx, site, doc) })
}

func (c *crashing) PutEnrollCode(ctx context.Context, e store.EnrollCode) error {
	return c.write("PutEnrollCode", func() error { return c.Store.PutEnrollCode(ctx, e) })
}

func (c *crashing) Enroll(ctx context.Context, hash string, d attendance.Device, now time.Time) (attendance.Device, error) {
	return write1(c, "Enroll", func() (attendance.Device, error) { return c.Store.Enroll(ctx, hash, d, now) })
}

func (c *crashing) RevokeDevice(ctx context.Context, id string) error {
	return c.write("RevokeDevice", func() error { return c.Store.RevokeDevice(ctx, id) })
}

func (c *crashing) Ingest(ctx context.Context, id string, keys store.IngestKeys, decide func(store.IngestView) (store.IngestPlan, error)) error {
	return c.write("Ingest", func() error { return c.Store.Ingest(ctx, id, keys, decide) })
}

func (c *crashing) PutToken(ctx context.Context, tok store.Token) error {
	return c.write("PutToken", func() error { return c.Store.PutToken(ctx, tok) })
}

func (c *crashing) PutDemoSeed(ctx context.Context, m store.DemoSeed) error {
	return c.write("PutDemoSeed", func() error { return c.Store.PutDemoSeed(ctx, m) })
}

func seed(st store.Store, dir string, now time.Time) (demo.Result, error) {
	return demo.Seed(ctx, st, dir, at(now), httpapi.HashToken, "")
}

// TestSeedCrashAnywhere interrupts the first seed at every one of its
// writes, before and just after it takes effect, then seeds again on the
// same store and data directory a day later: the end is always the whole
// demo, the same as an uninterrupted seed's, each punch stored once.
func TestSeedCrashAnywhere(t *testing.T) {
	backends(t, func(t *testing.T, open opener) {
		ref := open(t)
		defer ref.Close()
		count := &crashing{Store: ref}
		if _, err := seed(count, t.TempDir(), t0); err != nil {
			t.Fatal(err)
		}
		want := snapshot(t, ref)
		t.Logf("an uninterrupted seed makes %d writes and %d punches", count.writes, len(want.punches))
		for n := 1; n <= count.writes; n++ {
			if !crashPoint(t, count.names, n) {
				continue
			}
			for _, after := range []bool{false, true} {
				t.Run(fmt.Sprintf("%02d_%s_done=%v", n, count.names[n-1], after), func(t *testing.T) {
					// Each crash point has its own store and folder; the
					// time is spent waiting on fsync, so they overlap.
					t.Parallel()
					st := open(t)
					defer st.Close()
					dir := t.TempDir()
					if _, err := seed(&crashing{Store: st, n: n, after: after}, dir, t0); !errors.Is(err, errCrash) {
						t.Fatalf("first seed err = %v, want the crash", err)
					}
					res, err := seed(st, dir, t1)
					if err != nil {
						t.Fatalf("seed after the crash: %v", err)
					}
					// Before the marker's first write the store was still
					// empty; after its last the demo was finished.
					fresh, finished := n == 1 && !after, n == count.writes && after
					if res.Seeded == finished || res.Resumed != (!fresh && !finished) {
						t.Errorf("result %+v, want seeded %v, resumed %v", res, !finished, !fresh && !finished)
					}
					anchor := t0
					if fresh {
						anchor = t1
					}
					checkWhole(t, st, dir, res, want, anchor)
					// Once finished, a start writes nothing.
					again := &crashing{Store: st}
					if res2, err := seed(again, dir, t1.Add(time.Hour)); err != nil || res2.Seeded || res2.AdminToken != res.AdminToken || again.writes != 0 {
						t.Errorf("seeding a finished demo: %+v, %v, writes %v", res2, err, again.names)
					}
				})
			}
		}
	})
}

// crashPoint says whether to crash at write n (1-based) of names: on
// SQLite at every write; on PostgreSQL, whose SQL is SQLite's, at the
// first and last write of each step and at the eleventh employee (the
// store of the issue: two sites, ten of thirty employees), to keep the
// test's time in bounds.
func crashPoint(t *testing.T, names []string, n int) bool {
	if !strings.HasSuffix(t.Name(), "/postgres") {
		return true
	}
	i := n - 1
	first := i == 0 || names[i-1] != names[i]
	last := i == len(names)-1 || names[i+1] != names[i]
	return first || last || names[i] == "PutEmployee" && i >= 11 && names[i-11] == "PutDepartment"
}

// demoState is what a seed leaves in the store, for comparison.
type demoState struct {
	sites       []attendance.Site
	departments []attendance.Department
	employees   []attendance.Employee
	rules       map[string]string
	punches     []string // id, employee, true time, status and flags of each
	anchor      time.Time
}

func snapshot(t *testing.T, st store.Store) demoState {
	t.Helper()
	ch, err := st.Changes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := demoState{sites: ch.Sites, departments: ch.Departments, employees: ch.Employees, rules: map[string]string{}}
	for i := range s.sites {
		s.sites[i].Version = 0
	}
	for i := range s.departments {
		s.departments[i].Version = 0
	}
	for i := range s.employees {
		s.employees[i].Version = 0
	}
	for _, id := range ch.RulesChanged {
		doc, _, err := st.Rules(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		s.rules[id] = string(doc)
	}
	ps, err := st.Punches(ctx, store.PunchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := st.DemoSeed(ctx); err == nil {
		s.anchor = m.Anchor
	}
	for _, p := range ps {
		s.punches = append(s.punches, fmt.Sprintf("%s %s %s %s %v", p.ID, p.EmployeeID, p.TrueTime.Format(time.RFC3339), p.Status, p.Flags))
	}
	return s
}

// checkWhole checks st and dir hold the whole demo (demotest.CheckWhole),
// anchored at anchor, with the result's credentials, and the very
// organisation, rules and (when anchored alike) punches of want.
func checkWhole(t *testing.T, st store.Store, dir string, res demo.Result, want demoState, anchor time.Time) {
	t.Helper()
	if got := demotest.CheckWhole(t, st, dir, res.AdminToken, httpapi.HashToken); !got.Equal(anchor) {
		t.Errorf("the week is laid out before %s, want %s", got, anchor)
	}
	if id := demotest.ReadFile(t, dir, demo.KioskIDFile); res.KioskID != id {
		t.Errorf("result's kiosk %s, the data directory's %s", res.KioskID, id)
	}
	got := snapshot(t, st)
	if !reflect.DeepEqual(got.sites, want.sites) || !slices.Equal(got.departments, want.departments) || !slices.Equal(got.employees, want.employees) || !maps.Equal(got.rules, want.rules) {
		t.Errorf("organisation or rules differ from an uninterrupted seed's:\n%+v\nwant\n%+v", got, want)
	}
	if anchor.Equal(want.anchor) && !slices.Equal(got.punches, want.punches) {
		t.Errorf("%d punches differ from an uninterrupted seed's %d", len(got.punches), len(want.punches))
	}
}
