package pages

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
)

// benchKiosk is an enrolled kiosk whose latest pull has a 10,000-employee
// roster and hintRules, with stored punches of today: the in and out of
// E00001 to E02000 (n of them, from 07:00 on), then one punch each of the
// 50 employees the benchmark scans (E09001 to E09050), whose ids it
// returns.
func benchKiosk(b *testing.B, n int) (*Env, *time.Location, []attendance.Employee, []string) {
	b.Helper()
	clk := &clock{t: time.Date(2026, 11, 18, 23, 0, 0, 0, time.UTC)} // Thursday 07:00 in Shanghai
	ctx := context.Background()
	ob, err := outbox.Open(ctx, memstore.New(), outbox.Options{Clock: clk.now})
	if err != nil {
		b.Fatal(err)
	}
	if err := ob.SetIdentity(ctx, outbox.Identity{DeviceID: "dev-1", Key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)), Site: site}); err != nil {
		b.Fatal(err)
	}
	env := &Env{Outbox: ob, Clock: clk.now}
	roster := hintRoster(10000)
	if err := env.Outbox.SetPull(ctx, outbox.PullState{Site: &site, Employees: roster, Rules: hintRules(b)}); err != nil {
		b.Fatal(err)
	}
	_, loc, err := env.Site(ctx)
	if err != nil {
		b.Fatal(err)
	}
	step := 10 * time.Hour / time.Duration(max(n, 1))
	for i := range n {
		emp := roster[i%2000]
		if _, err := env.Outbox.Record(ctx, attendance.Punch{EmployeeID: emp.ID, Method: attendance.MethodBadge, Evidence: attendance.Evidence{BadgeCode: emp.BadgeCode}}); err != nil {
			b.Fatal(err)
		}
		clk.add(step)
	}
	scanned := roster[9000:9050]
	ids := make([]string, len(scanned))
	for i, emp := range scanned {
		e, err := env.Outbox.Record(ctx, attendance.Punch{EmployeeID: emp.ID, Method: attendance.MethodBadge, Evidence: attendance.Evidence{BadgeCode: emp.BadgeCode}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = e.ID
		clk.add(time.Second)
	}
	env.warmRules() // as after a sync: the rules compiled, the index loaded
	return env, loc, scanned, ids
}

// BenchmarkScanHint measures, natively over the memory store, the scan
// path's badge lookup and provisional in/out hint with a 10,000-employee
// roster: before (the roster map built on the first scan after a pull,
// every punch since yesterday listed on each scan; commit 1c721f4) and
// after (the outbox's indexes), alternately in the same run, reported as
// ms-before, ms-after and their ratio.
//
//   - punches=N: a scan with N punches already stored today;
//   - first-after-pull: the first scan after a pull of the roster (the
//     rules compiled already, as the syncer's notify does), 4,000 punches.
func BenchmarkScanHint(b *testing.B) {
	scan := func(env *Env, loc *time.Location, emp attendance.Employee, id string, before bool, rc *rosterBefore) (time.Duration, attendance.Direction) {
		ctx := context.Background()
		t0 := time.Now()
		var (
			got   attendance.Employee
			known bool
			err   error
			dir   attendance.Direction
		)
		if before {
			got, known, err = env.employeeBefore(ctx, rc, emp.BadgeCode)
		} else {
			got, known, err = env.employee(ctx, emp.BadgeCode)
		}
		if err != nil || !known || got.ID != emp.ID {
			b.Fatalf("badge %s: %+v %v %v", emp.BadgeCode, got, known, err)
		}
		if before {
			dir, _ = env.directionBefore(ctx, got, id, loc)
		} else {
			dir, _ = env.direction(ctx, got, id, loc)
		}
		return time.Since(t0), dir
	}
	// both scans emp the old way, then the new, and checks they agree.
	both := func(env *Env, loc *time.Location, emp attendance.Employee, id string, rc *rosterBefore, before func(), old, new *time.Duration) {
		if before != nil {
			before()
		}
		d, want := scan(env, loc, emp, id, true, rc)
		*old += d
		if before != nil {
			before()
		}
		d, got := scan(env, loc, emp, id, false, nil)
		*new += d
		if got != want {
			b.Fatalf("%s: %q, before %q", emp.ID, got, want)
		}
	}
	report := func(b *testing.B, old, new time.Duration) {
		b.ReportMetric(float64(old.Microseconds())/1000/float64(b.N), "ms-before")
		b.ReportMetric(float64(new.Microseconds())/1000/float64(b.N), "ms-after")
		b.ReportMetric(float64(old)/float64(max(new, 1)), "x-faster")
		b.ReportMetric(0, "ns/op")
	}
	for _, n := range []int{0, 1000, 4000} {
		b.Run(fmt.Sprintf("punches=%d", n), func(b *testing.B) {
			env, loc, scanned, ids := benchKiosk(b, n)
			var rc rosterBefore
			scan(env, loc, scanned[0], ids[0], true, &rc) // the old roster map, built once
			var old, new time.Duration
			b.ResetTimer()
			for i := range b.N {
				k := i % len(scanned)
				both(env, loc, scanned[k], ids[k], &rc, nil, &old, &new)
			}
			report(b, old, new)
		})
	}
	b.Run("first-after-pull", func(b *testing.B) {
		env, loc, scanned, ids := benchKiosk(b, 4000)
		ctx := context.Background()
		st, err := env.Outbox.Pull(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var rc rosterBefore
		var old, new time.Duration
		pull := func() {
			st.Cursor = fmt.Sprint(time.Now().UnixNano())
			if err := env.Outbox.SetPull(ctx, st); err != nil {
				b.Fatal(err)
			}
			if _, loc, err := env.Site(ctx); err != nil {
				b.Fatal(err)
			} else if _, err := env.ruleEngine(ctx, loc); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for i := range b.N {
			k := i % len(scanned)
			both(env, loc, scanned[k], ids[k], &rc, pull, &old, &new)
		}
		report(b, old, new)
	})
}
