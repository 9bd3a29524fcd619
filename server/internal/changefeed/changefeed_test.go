package changefeed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
	"punchclock/server/internal/store/storetest"
)

var ctx = context.Background()

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock     { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)      { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration)  { c.ns.Add(int64(d)) }
func (c *clock) now() time.Time       { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) at() func() time.Time { return c.now }

// kiosk enrolls device dev at site s1 and returns a function that stores
// a punch of emp at true time at, received at recv, calling hold inside
// the ingest transaction (nil: none).
func kiosk(t *testing.T, s store.Store, dev string) func(emp string, at, recv time.Time, hold func()) string {
	t.Helper()
	if err := s.PutEnrollCode(ctx, store.EnrollCode{Hash: "code-" + dev, SiteID: "s1", CreatedAt: storetest.T0, ExpiresAt: storetest.T0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enroll(ctx, "code-"+dev, attendance.Device{ID: dev, Name: "Kiosk", PublicKey: make([]byte, 32), QRSecret: []byte("0123456789abcdef")}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	seq := 0
	return func(emp string, at, recv time.Time, hold func()) string {
		t.Helper()
		seq++
		id := fmt.Sprintf("019a0000-0000-7000-8000-%04d%08d", len(dev), seq)
		p := attendance.Punch{ID: id, EmployeeID: emp, DeviceID: dev, SiteID: "s1", Method: attendance.MethodBadge, DeviceTime: at, Seq: uint64(seq)}
		body, _ := json.Marshal(p)
		sp := store.StoredPunch{Punch: p, Body: body, Sig: []byte("sig"), Hash: fmt.Sprintf("h%d", seq), ReceivedAt: recv, TrueTime: at, Status: store.PunchAccepted}
		err := s.Ingest(ctx, dev, store.IngestKeys{IDs: []string{id}}, func(v store.IngestView) (store.IngestPlan, error) {
			if hold != nil {
				hold()
			}
			return store.IngestPlan{Insert: []store.StoredPunch{sp}}, nil
		})
		if err != nil {
			t.Error(err)
		}
		return id
	}
}

// everyone keeps every employee.
func everyone(attendance.Employee) bool { return true }

// drain reads the feed from cur until it is read up to now, and returns
// the changes by employee and the cursor after them.
func drain(t *testing.T, f *changefeed.Feed, cur changefeed.Cursor, limit int) (map[string]*changefeed.Change, changefeed.Cursor, int) {
	t.Helper()
	out := map[string]*changefeed.Change{}
	pages := 0
	for {
		pg, err := f.Page(ctx, cur, everyone, limit)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range pg.Changes {
			if _, dup := out[c.EmployeeID]; dup {
				t.Errorf("%s twice in one window", c.EmployeeID)
			}
			out[c.EmployeeID] = c
		}
		cur = pg.Next
		if !pg.More {
			return out, cur, pages
		}
	}
}

func TestCursor(t *testing.T) {
	c := changefeed.Cursor{Pos: changefeed.Position{Version: 3, At: storetest.T0}, End: changefeed.Position{Version: 5, At: storetest.T0.Add(time.Minute)}, After: "E004"}
	got, err := changefeed.ParseCursor(c.String())
	if err != nil || got != c {
		t.Fatalf("round trip: %+v %v, want %+v", got, err, c)
	}
	for _, bad := range []string{"", "x", "cf1_!!", "cf1_" + "e30", "cf1_eyJ2IjoxLCJ0IjoxLCJ4IjoxfQ", // {} ; unknown field
		changefeed.Cursor{Pos: changefeed.Position{Version: 5, At: storetest.T0}, End: changefeed.Position{Version: 4, At: storetest.T0}}.String(), // end before start
		changefeed.Cursor{Pos: changefeed.Position{At: storetest.T0}, After: "E\x00"}.String(),
		"cf1_" + strings.Repeat("A", 2000)} {
		if _, err := changefeed.ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
}

func TestFeed(t *testing.T) {
	for _, b := range sqlstoretest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("SlowCommit", func(t *testing.T) { slowCommit(t, b.Open(t), b.Name == "postgres") })
			t.Run("Days", func(t *testing.T) { days(t, b.Open(t)) })
		})
	}
}

// slowCommit: a punch whose arrival time was taken before a reader read
// the feed, and which committed after, is still reported. The window
// ends Lag before now; on PostgreSQL also Lag before the oldest
// transaction in flight, however late now is.
func slowCommit(t *testing.T, s store.Store, postgres bool) {
	storetest.Seed(t, s)
	n0 := time.Now().UTC().Truncate(time.Millisecond)
	clk := newClock(n0)
	f := &changefeed.Feed{Store: s, Now: clk.at()}
	cur, err := f.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	punch := kiosk(t, s, "dev1")
	// e1's punch arrives after the start, Lag before n0; e2's at n0, and
	// its transaction stays open while the feed is read.
	seen := map[string]int{}
	note := func(got map[string]*changefeed.Change) {
		for id := range got {
			seen[id]++
		}
	}
	punch("e1", n0.Add(-time.Hour), n0.Add(-45*time.Second), nil)
	inTx, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		punch("e2", n0.Add(-time.Hour), n0, func() { close(inTx); <-release })
	}()
	<-inTx
	// The reader comes while the punch of e2 is uncommitted.
	clk.add(30 * time.Second)
	got, cur, _ := drain(t, f, cur, 10)
	note(got)
	if got["e2"] != nil {
		t.Errorf("30 s on: e2 before its punch committed")
	}
	if !postgres && got["e1"] == nil {
		// (On PostgreSQL the open transaction may hold the window
		// before e1's arrival too.)
		t.Errorf("30 s on: %v, want e1", got)
	}
	if postgres {
		// Ten minutes on, the open transaction holds the window back.
		clk.add(10 * time.Minute)
		got, cur, _ = drain(t, f, cur, 10)
		note(got)
		if got["e2"] != nil {
			t.Errorf("10 min on with the transaction open: e2 before its punch committed")
		}
		if !cur.Pos.At.Before(n0) {
			t.Errorf("10 min on with a transaction open since about %v, the cursor passed it: %v", n0, cur.Pos.At)
		}
	}
	close(release)
	<-done
	clk.add(2 * time.Minute)
	got, _, _ = drain(t, f, cur, 10)
	note(got)
	if got["e2"] == nil {
		t.Errorf("after the commit: %v, want e2", got)
	}
	if seen["e1"] != 1 || seen["e2"] != 1 {
		t.Errorf("reported %v, want e1 and e2 once each", seen)
	}
}

// days: a punch reports its local day and both neighbours; an approval
// its day and neighbours; a rule change every employee of the site, all
// days, a page at a time; nothing twice, nothing outside the window.
func days(t *testing.T, s store.Store) {
	storetest.Seed(t, s)
	for i := 3; i <= 7; i++ {
		if _, err := s.PutEmployee(ctx, attendance.Employee{ID: fmt.Sprintf("e%d", i), Name: "N", DepartmentID: "d1", SiteID: "s1", Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	clk := newClock(storetest.T0)
	f := &changefeed.Feed{Store: s, Now: clk.at(), Lag: time.Second}
	cur, err := f.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	punch := kiosk(t, s, "dev1")
	// 00:30 on the 20th in Shanghai is 16:30 UTC on the 19th.
	punch("e1", time.Date(2026, 11, 19, 16, 30, 0, 0, time.UTC), clk.now(), nil)
	row := store.ApprovalRow{ID: "f1", Kind: "makeup_punch", EmployeeID: "e2", Day: int32(rules.NewDate(2026, 11, 10)), State: "pending", WaitingFor: "e1", CreatedAt: clk.now(), Body: json.RawMessage(`{}`)}
	if _, _, err := s.StartApproval(ctx, row); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	got, cur, _ := drain(t, f, cur, 10)
	want := map[string]string{
		"e1": "e1: [2026-11-19 2026-11-20 2026-11-21] (punch)",
		"e2": "e2: [2026-11-09 2026-11-10 2026-11-11] (approval)",
	}
	if len(got) != len(want) {
		t.Errorf("changes: %v, want %v", got, want)
	}
	for id, w := range want {
		if c := got[id]; c == nil || c.String() != w {
			t.Errorf("%s: %v, want %s", id, c, w)
		}
	}
	if c := got["e1"]; c != nil {
		if d := c.DaysIn(rules.NewDate(2026, 11, 20), rules.NewDate(2026, 11, 30)); !slices.Equal(d, []rules.Date{rules.NewDate(2026, 11, 20), rules.NewDate(2026, 11, 21)}) {
			t.Errorf("e1's days in 20..30: %v", d)
		}
	}
	// Nothing new: nothing.
	clk.add(time.Minute)
	if got, _, _ := drain(t, f, cur, 10); len(got) != 0 {
		t.Errorf("nothing changed: %v", got)
	}
	// A rule change: all seven employees of s1, two a page.
	if _, err := s.PutRules(ctx, "s1", json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	got, _, pages := drain(t, f, cur, 2)
	if len(got) != 7 || pages != 4 {
		t.Errorf("after a rule change: %d employees in %d pages, want 7 in 4", len(got), pages)
	}
	for id, c := range got {
		if !c.AllDays || !slices.Equal(c.Reasons, []string{changefeed.ReasonRules}) {
			t.Errorf("%s after a rule change: %v", id, c)
		}
		if d := c.DaysIn(rules.NewDate(2026, 11, 1), rules.NewDate(2026, 11, 3)); len(d) != 3 {
			t.Errorf("%s: every day of 1..3 changed, got %v", id, d)
		}
	}
}
