package outbox_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Today needs Asia/Shanghai, in the browser too

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
)

var (
	ctx = context.Background()
	key = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	t0  = time.Date(2026, 11, 22, 0, 57, 0, 0, time.UTC) // 08:57 in Shanghai
	id  = outbox.Identity{
		DeviceID: "kiosk-1",
		Key:      key,
		QRSecret: bytes.Repeat([]byte{2}, 32),
		Site:     attendance.Site{ID: "site-1", Name: "Store 1", Zone: "Asia/Shanghai"},
	}
)

// clock is a settable fake clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// newOutbox returns an enrolled outbox over a fresh memstore.
func newOutbox(t *testing.T, opts outbox.Options) (*outbox.Outbox, *memstore.Store, *clock) {
	t.Helper()
	c := &clock{now: t0}
	if opts.Clock == nil {
		opts.Clock = c.Now
	}
	s := memstore.New()
	o, err := outbox.Open(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	return o, s, c
}

func badge(emp string) attendance.Punch {
	return attendance.Punch{EmployeeID: emp, Method: attendance.MethodBadge, Evidence: attendance.Evidence{BadgeCode: "B" + emp}}
}

func TestRecordChainsSignsAndCommits(t *testing.T) {
	o, s, c := newOutbox(t, outbox.Options{})
	var prev wire.Chain
	for i, emp := range []string{"e1", "e2", "e3"} {
		e, err := o.Record(ctx, badge(emp))
		if err != nil {
			t.Fatalf("Record %d: %v", i, err)
		}
		// Committed before Record returned: the store has it and the chain.
		stored, err := s.List(ctx, outbox.Filter{})
		if err != nil || len(stored) != i+1 || stored[i].ID != e.ID {
			t.Fatalf("after Record %d the store has %d entries, %v", i, len(stored), err)
		}
		chain, _ := s.Chain(ctx)
		if want := (wire.Chain{Seq: uint64(i + 1), Hash: wire.HashBody(e.Signed.Body)}); chain != want || o.Chain() != want {
			t.Errorf("chain: got store %+v, outbox %+v, want %+v", chain, o.Chain(), want)
		}
		if e.Seq != uint64(i+1) || e.Punch.Prev != prev.Hash {
			t.Errorf("entry %d: seq %d prev %q, want %d %q", i, e.Seq, e.Punch.Prev, i+1, prev.Hash)
		}
		if !ed25519.Verify(key.Public().(ed25519.PublicKey), e.Signed.Body, e.Signed.Sig) {
			t.Errorf("entry %d: signature does not verify", i)
		}
		var body attendance.Punch
		if err := json.Unmarshal(e.Signed.Body, &body); err != nil {
			t.Fatal(err)
		}
		gotJSON, _ := json.Marshal(body)
		wantJSON, _ := json.Marshal(e.Punch)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("signed body %s differs from entry punch %s", gotJSON, wantJSON)
		}
		if err := e.Punch.Validate(); err != nil {
			t.Errorf("recorded punch invalid: %v", err)
		}
		if e.Punch.DeviceID != "kiosk-1" || e.Punch.SiteID != "site-1" || !e.Punch.DeviceTime.Equal(c.now) || !e.At.Equal(c.now) || e.State != outbox.StatePending {
			t.Errorf("entry %d fields: %+v", i, e)
		}
		prev = chain
		c.Advance(time.Second)
	}
}

// TestRecordIDs checks the UUIDv7 comes from the injected clock and keeps
// increasing within one millisecond.
func TestRecordIDs(t *testing.T) {
	o, _, c := newOutbox(t, outbox.Options{DedupWindow: -1})
	var last string
	for i := range 5 {
		e, err := o.Record(ctx, badge(fmt.Sprint("e", i)))
		if err != nil {
			t.Fatal(err)
		}
		if !attendance.IsUUIDv7(e.ID) {
			t.Fatalf("id %q is not a UUIDv7", e.ID)
		}
		ms, err := strconv.ParseInt(strings.ReplaceAll(e.ID[:13], "-", ""), 16, 64)
		if err != nil || ms != c.now.UnixMilli() {
			t.Errorf("id %s has time %d, want the clock's %d", e.ID, ms, c.now.UnixMilli())
		}
		if e.ID <= last {
			t.Errorf("id %s does not sort after %s", e.ID, last)
		}
		last = e.ID
		c.Advance(100 * time.Microsecond) // same millisecond, mostly
	}
}

func TestRecordDedup(t *testing.T) {
	cases := []struct {
		name     string
		window   time.Duration
		second   attendance.Punch
		after    time.Duration
		wantDup  bool
		wantSeqs int
	}{
		{"same badge at once", 0, badge("e1"), 0, true, 1},
		{"same badge after 59 s", 0, badge("e1"), 59 * time.Second, true, 1},
		{"same badge after 60 s", 0, badge("e1"), 60 * time.Second, false, 2},
		{"other employee", 0, badge("e2"), time.Second, false, 2},
		{"same employee, other method", 0, attendance.Punch{EmployeeID: "e1", Method: attendance.MethodFace}, time.Second, false, 2},
		{"clock set back a little", 0, badge("e1"), -30 * time.Second, true, 1},
		{"clock set back an hour", 0, badge("e1"), -time.Hour, false, 2},
		{"window 5 s, after 6 s", 5 * time.Second, badge("e1"), 6 * time.Second, false, 2},
		{"window 5 s, after 4 s", 5 * time.Second, badge("e1"), 4 * time.Second, true, 1},
		{"guard off", -1, badge("e1"), 0, false, 2},
		{"unknown badge twice", 0, attendance.Punch{Method: attendance.MethodBadge, Evidence: attendance.Evidence{BadgeCode: "X"}}, time.Second, false, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, s, clk := newOutbox(t, outbox.Options{DedupWindow: c.window})
			first, err := o.Record(ctx, badge("e1"))
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(c.after)
			got, err := o.Record(ctx, c.second)
			if c.wantDup {
				if !errors.Is(err, outbox.ErrRecentDuplicate) || got.ID != first.ID {
					t.Errorf("got %s, %v, want the earlier entry %s and ErrRecentDuplicate", got.ID, err, first.ID)
				}
			} else if err != nil {
				t.Errorf("got %v, want a new punch", err)
			}
			if es, _ := s.List(ctx, outbox.Filter{}); len(es) != c.wantSeqs {
				t.Errorf("store has %d entries, want %d", len(es), c.wantSeqs)
			}
		})
	}
	// The unknown badge of the last case is keyed by its code.
	o, _, _ := newOutbox(t, outbox.Options{})
	unknown := attendance.Punch{Method: attendance.MethodBadge, Evidence: attendance.Evidence{BadgeCode: "X"}}
	if _, err := o.Record(ctx, unknown); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Record(ctx, unknown); !errors.Is(err, outbox.ErrRecentDuplicate) {
		t.Errorf("unknown badge twice: got %v, want ErrRecentDuplicate", err)
	}
}

// failing is a Store whose writes fail as a full browser store does.
type failing struct {
	outbox.Store
	fail bool
}

func (f *failing) Append(ctx context.Context, e outbox.Entry, c wire.Chain) error {
	if f.fail {
		return fmt.Errorf("teststore: append: %w", outbox.ErrQuota)
	}
	return f.Store.Append(ctx, e, c)
}

func TestRecordStoreErrors(t *testing.T) {
	c := &clock{now: t0}
	f := &failing{Store: memstore.New()}
	o, err := outbox.Open(ctx, f, outbox.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Record(ctx, badge("e1")); !errors.Is(err, outbox.ErrNotEnrolled) {
		t.Errorf("before enrollment: got %v, want ErrNotEnrolled", err)
	}
	if err := o.SetIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	f.fail = true
	_, err = o.Record(ctx, badge("e1"))
	if !errors.Is(err, outbox.ErrQuota) || !strings.HasPrefix(err.Error(), "outbox: record: ") {
		t.Fatalf("store full: got %v, want a wrapped ErrQuota", err)
	}
	if o.Chain() != (wire.Chain{}) {
		t.Errorf("a failed Record moved the chain to %+v", o.Chain())
	}
	// Invalid punches are refused before they take a chain position.
	if _, err := o.Record(ctx, attendance.Punch{Method: attendance.MethodFace}); !errors.Is(err, attendance.ErrInvalid) {
		t.Errorf("punch without employee: got %v, want ErrInvalid", err)
	}
	f.fail = false
	e, err := o.Record(ctx, badge("e1"))
	if err != nil || e.Seq != 1 {
		t.Errorf("after the store recovered: got seq %d, %v, want 1", e.Seq, err)
	}
}

func TestRecordTime(t *testing.T) {
	o, s, c := newOutbox(t, outbox.Options{DedupWindow: -1})
	e, err := o.Record(ctx, badge("e1"))
	if err != nil {
		t.Fatal(err)
	}
	if !e.Punch.EstTime.IsZero() || e.Punch.OffsetMS != 0 || e.Punch.OffsetAgeS != -1 {
		t.Errorf("without an offset: est %v offset %d age %d, want zero, 0, -1", e.Punch.EstTime, e.Punch.OffsetMS, e.Punch.OffsetAgeS)
	}
	learnt := outbox.ClockOffset{Offset: 90 * time.Second, RTT: 40 * time.Millisecond, At: c.now}
	if err := o.SetClock(ctx, learnt); err != nil {
		t.Fatal(err)
	}
	c.Advance(5*time.Minute + 500*time.Millisecond)
	e, err = o.Record(ctx, badge("e1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := c.now.Add(90 * time.Second); !e.Punch.EstTime.Equal(want) || e.Punch.OffsetMS != 90000 || e.Punch.OffsetAgeS != 300 {
		t.Errorf("with an offset: est %v offset %d age %d, want %v, 90000, 300", e.Punch.EstTime, e.Punch.OffsetMS, e.Punch.OffsetAgeS, want)
	}
	if got, fresh, err := o.Clock(ctx); err != nil || !fresh || got != learnt {
		t.Errorf("Clock: got %+v, %v, %v", got, fresh, err)
	}

	// After a restart the stored offset is shown but not used: its age can
	// no longer be measured on the monotonic clock.
	o2, err := outbox.Open(ctx, s.Reopen(), outbox.Options{Clock: c.Now, DedupWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	got, fresh, err := o2.Clock(ctx)
	if err != nil || fresh || got.Offset != learnt.Offset || !got.At.Equal(learnt.At) {
		t.Errorf("Clock after reopen: got %+v, %v, %v", got, fresh, err)
	}
	e, err = o2.Record(ctx, badge("e1"))
	if err != nil {
		t.Fatal(err)
	}
	if !e.Punch.EstTime.IsZero() || e.Punch.OffsetAgeS != -1 {
		t.Errorf("after reopen: est %v age %d, want zero and -1", e.Punch.EstTime, e.Punch.OffsetAgeS)
	}
	if e.Seq != 3 {
		t.Errorf("after reopen the chain restarted: seq %d, want 3", e.Seq)
	}
}

func TestStateAndViews(t *testing.T) {
	o, s, c := newOutbox(t, outbox.Options{})
	if err := o.SetIdentity(ctx, outbox.Identity{DeviceID: "kiosk-2", Key: key}); !errors.Is(err, outbox.ErrOtherDevice) {
		t.Errorf("SetIdentity of another device: got %v, want ErrOtherDevice", err)
	}
	if err := o.SetIdentity(ctx, outbox.Identity{DeviceID: "kiosk-1", Key: key[:10]}); err == nil {
		t.Errorf("SetIdentity with a short key succeeded")
	}
	pull := outbox.PullState{Cursor: "42", At: t0, Employees: []attendance.Employee{{ID: "e1", Name: "Li Lei", DepartmentID: "d1", Active: true}}}
	if err := o.SetPull(ctx, pull); err != nil {
		t.Fatal(err)
	}
	o2, err := outbox.Open(ctx, s.Reopen(), outbox.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	gotID, err := o2.Identity()
	if err != nil || gotID.DeviceID != id.DeviceID || !bytes.Equal(gotID.Key, id.Key) || !bytes.Equal(gotID.QRSecret, id.QRSecret) || !reflect.DeepEqual(gotID.Site, id.Site) {
		t.Errorf("Identity after reopen: got %+v, %v", gotID, err)
	}
	gotPull, err := o2.Pull(ctx)
	if err != nil || gotPull.Cursor != "42" || len(gotPull.Employees) != 1 || gotPull.Employees[0].Name != "Li Lei" {
		t.Errorf("Pull after reopen: got %+v, %v", gotPull, err)
	}

	// Today is the site's day: 23:59 UTC yesterday was 07:59 today in Shanghai.
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	c.now = time.Date(2026, 11, 21, 15, 59, 0, 0, time.UTC) // 23:59 yesterday in Shanghai
	if _, err := o.Record(ctx, badge("yesterday")); err != nil {
		t.Fatal(err)
	}
	c.now = time.Date(2026, 11, 21, 23, 59, 0, 0, time.UTC) // 07:59 today
	early, err := o.Record(ctx, badge("early"))
	if err != nil {
		t.Fatal(err)
	}
	c.now = t0
	today, err := o.Today(ctx, sh)
	if err != nil || len(today) != 1 || today[0].ID != early.ID {
		t.Errorf("Today: got %d entries, %v, want only the 07:59 one", len(today), err)
	}
	if err := o.Mark(ctx, []outbox.Mark{{ID: early.ID, State: outbox.StateRejected, At: t0, Code: wire.CodeInvalid}}); err != nil {
		t.Fatal(err)
	}
	if rej, err := o.Rejected(ctx); err != nil || len(rej) != 1 || rej[0].ID != early.ID {
		t.Errorf("Rejected: got %v, %v", rej, err)
	}
	if st, err := o.Stats(ctx); err != nil || st.Pending != 1 || st.Rejected != 1 {
		t.Errorf("Stats: got %+v, %v", st, err)
	}
}

// TestPullCached: the pull state is decoded once and kept; SetPull
// replaces it, and a reopened outbox reads it back from the store.
func TestPullCached(t *testing.T) {
	ctx := context.Background()
	ob, st, _ := newOutbox(t, outbox.Options{})
	if s, err := ob.Pull(ctx); err != nil || s.Cursor != "" {
		t.Fatalf("before any pull: %+v %v", s, err)
	}
	if err := ob.SetPull(ctx, outbox.PullState{Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	// A write behind the outbox's back is not seen: it owns the state.
	if err := st.SetState(ctx, outbox.KeyPull, []byte(`{"cursor":"elsewhere"}`)); err != nil {
		t.Fatal(err)
	}
	if s, _ := ob.Pull(ctx); s.Cursor != "c1" {
		t.Errorf("cached pull state: %q, want c1", s.Cursor)
	}
	if err := ob.SetPull(ctx, outbox.PullState{Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := ob.Pull(ctx); s.Cursor != "c2" {
		t.Errorf("after SetPull: %q, want c2", s.Cursor)
	}
	again, err := outbox.Open(ctx, st, outbox.Options{Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := again.Pull(ctx); s.Cursor != "c2" {
		t.Errorf("reopened: %q, want c2", s.Cursor)
	}
}

// countingStats counts the store's Stats calls.
type countingStats struct {
	outbox.Store
	n int
}

func (c *countingStats) Stats(ctx context.Context) (outbox.Stats, error) {
	c.n++
	return c.Store.Stats(ctx)
}

// TestStatsCached: Stats asks the store once between writes, and every
// write (a record, a mark, a prune that deleted) shows in the next answer.
func TestStatsCached(t *testing.T) {
	c := &clock{now: t0}
	cs := &countingStats{Store: memstore.New()}
	o, err := outbox.Open(ctx, cs, outbox.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	stats := func(what string, pending, rejected, calls int) {
		t.Helper()
		for range 3 {
			st, err := o.Stats(ctx)
			if err != nil || st.Pending != pending || st.Rejected != rejected {
				t.Fatalf("%s: %+v, %v; want %d pending, %d rejected", what, st, err, pending, rejected)
			}
		}
		if cs.n != calls {
			t.Errorf("%s: the store was asked %d times in all, want %d", what, cs.n, calls)
		}
	}
	stats("empty", 0, 0, 1)
	e1, err := o.Record(ctx, badge("e1"))
	if err != nil {
		t.Fatal(err)
	}
	e2, err := o.Record(ctx, badge("e2"))
	if err != nil {
		t.Fatal(err)
	}
	stats("two recorded", 2, 0, 2)
	if err := o.Mark(ctx, []outbox.Mark{{ID: e1.ID, State: outbox.StateSynced, At: t0}, {ID: e2.ID, State: outbox.StateRejected, At: t0, Code: wire.CodeInvalid}}); err != nil {
		t.Fatal(err)
	}
	stats("marked", 0, 1, 3)
	c.now = t0.Add(48 * time.Hour)
	if n, err := o.Prune(ctx, time.Hour); err != nil || n != 1 {
		t.Fatalf("Prune: %d, %v", n, err)
	}
	stats("pruned", 0, 1, 4)
	if n, err := o.Prune(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("Prune again: %d, %v", n, err)
	}
	stats("nothing pruned", 0, 1, 4)
}
