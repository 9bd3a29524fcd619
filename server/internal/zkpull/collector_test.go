package zkpull_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/zkpull"
	"punchclock/server/internal/zkpull/emulator"
	"punchclock/server/internal/zkpull/zkproto"
)

func readAll(t *testing.T, addr string) (string, []zkproto.User, []zkproto.Attendance, time.Time) {
	t.Helper()
	ctx := context.Background()
	c, err := zkpull.Dial(ctx, addr, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	serial, err := c.Serial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := c.Attendance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now, err := c.Time(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return serial, users, recs, now
}

// TestCollectorLayouts: the older firmware's 16-byte records and 28-byte
// users, tables answered at once (CmdData) or in chunks, an empty log.
func TestCollectorLayouts(t *testing.T) {
	for _, tc := range []struct {
		name              string
		recs, users, inln int
		n                 int
	}{
		{"40/72 chunked", 40, 72, 0, 1700},
		{"40/72 inline", 40, 72, 1 << 20, 20},
		{"16/28 chunked", 16, 28, 0, 4100},
		{"16/28 inline", 16, 28, 1 << 20, 3},
		{"8/72 chunked (PINs from the user table)", 8, 72, 0, 9000},
		{"empty log", 40, 72, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := fixtureRecords(tc.n)
			term := startTerminal(t, emulator.Config{Serial: "S-" + tc.name, Users: fixtureUsers, Records: want,
				RecordSize: tc.recs, UserSize: tc.users, InlineBelow: tc.inln})
			serial, users, recs, now := readAll(t, term.Addr())
			if serial != "S-"+tc.name || !now.Equal(terminalClock) {
				t.Errorf("serial %q, clock %v", serial, now)
			}
			sameRecords(t, "the collector", flatten(recs), flatten(want))
			if len(users) != len(fixtureUsers) {
				t.Fatalf("%d users", len(users))
			}
			for i, u := range users {
				w := fixtureUsers[i]
				if tc.users == 28 { // 5-byte passwords, 8-byte names
					w.Name = w.Name[:min(len(w.Name), 8)]
				}
				if u != w {
					t.Errorf("user %d: %+v, want %+v", i, u, w)
				}
			}
		})
	}
}

// fakeClock is a Clock the test steps: After hands out channels the test fires.
type fakeClock struct{ waits chan chan time.Time }

func (f fakeClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	f.waits <- ch
	return ch
}

type batch struct {
	serial string
	recs   []zkpull.Record
}

// TestPoller: the first poll hands on the whole log, the next only what was
// punched since; a failing sink gets the same records again; a cleared log
// is handed on whole; Run polls again when the clock says so.
func TestPoller(t *testing.T) {
	term := startTerminal(t, emulator.Config{Serial: "PULL-1", Users: fixtureUsers, Records: fixtureRecords(10)})
	got := make(chan batch, 10)
	failing := false
	p := &zkpull.Poller{
		Terminals: func(context.Context) ([]string, error) { return []string{term.Addr()}, nil },
		Sink: func(_ context.Context, _, serial string, recs []zkpull.Record) error {
			if failing {
				return errors.New("database away")
			}
			got <- batch{serial, recs}
			return nil
		},
		Timeout: time.Minute,
	}
	var clocks []time.Time
	p.OnTime = func(_ context.Context, _, serial string, now time.Time) { clocks = append(clocks, now) }
	ctx := context.Background()
	poll := func(wantN int) []zkpull.Record {
		t.Helper()
		if err := p.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if wantN == 0 {
			if len(got) != 0 {
				t.Fatalf("records handed on when none were new: %+v", <-got)
			}
			return nil
		}
		b := <-got
		if b.serial != "PULL-1" || len(b.recs) != wantN {
			t.Fatalf("handed on %d records of %q, want %d of PULL-1", len(b.recs), b.serial, wantN)
		}
		return b.recs
	}
	all := poll(10)
	if r := all[3]; r.Serial != "PULL-1" || r.PIN != "123456789" || r.Verify != 0 || r.State != 1 || len(r.Raw) != 40 ||
		r.Time.Format(naive) != "2026-03-01 07:21:39" {
		t.Errorf("record 3: %+v", r)
	}
	poll(0)
	if len(clocks) != 2 || !clocks[1].Equal(terminalClock) {
		t.Errorf("clocks heard: %v, want twice %v", clocks, terminalClock)
	}

	late := fixtureRecords(12)[10:]
	if err := term.Punch(late...); err != nil {
		t.Fatal(err)
	}
	failing = true
	if err := p.Poll(ctx); err == nil || !strings.Contains(err.Error(), "database away") {
		t.Fatalf("a failing sink: %v", err)
	}
	failing = false
	if recs := poll(2); recs[0].PIN != late[0].PIN || !recs[1].Time.Equal(late[1].Time) {
		t.Errorf("new records %+v, want %+v", recs, late)
	}
	if c := p.Cursors()["PULL-1"]; c.Seen != 12 {
		t.Errorf("cursor %+v", c)
	}

	term.ClearLog()
	if err := term.Punch(fixtureRecords(3)...); err != nil {
		t.Fatal(err)
	}
	poll(3) // a rewritten log is handed on whole: the sink deduplicates

	// Run: a poll at once, then one each time the clock fires.
	clock := fakeClock{waits: make(chan chan time.Time)}
	p.Clock = clock
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(rctx) }()
	tick := <-clock.waits // the first round is done
	if len(got) != 0 {
		t.Fatal("Run handed on old records")
	}
	if err := term.Punch(fixtureRecords(4)[3]); err != nil {
		t.Fatal(err)
	}
	tick <- time.Time{}
	if b := <-got; len(b.recs) != 1 {
		t.Errorf("after the tick: %d records", len(b.recs))
	}
	<-clock.waits
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run ended with %v", err)
	}
}

// TestFresh: the cursor's arithmetic alone.
func TestFresh(t *testing.T) {
	log := fixtureRecords(5)
	for i := range log {
		log[i].Raw, _ = zkproto.EncodeAttendance(log[i], 40)
	}
	fresh, cur := zkpull.Fresh(log[:3], zkpull.Cursor{})
	if len(fresh) != 3 || cur.Seen != 3 {
		t.Fatalf("%d fresh, %+v", len(fresh), cur)
	}
	if fresh, cur = zkpull.Fresh(log, cur); len(fresh) != 2 || cur.Seen != 5 {
		t.Fatalf("%d fresh, %+v", len(fresh), cur)
	}
	if fresh, _ = zkpull.Fresh(log[1:], cur); len(fresh) != 4 {
		t.Errorf("a shorter log: %d fresh", len(fresh))
	}
	if fresh, cur = zkpull.Fresh(nil, cur); len(fresh) != 0 || cur.Seen != 0 {
		t.Errorf("an empty log: %d fresh, %+v", len(fresh), cur)
	}
}
