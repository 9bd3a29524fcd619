// Package outboxtest is the conformance suite of outbox.Store: every
// implementation runs Run from its own tests (memstore natively, idbstore in
// headless Chromium), so they all behave alike.
package outboxtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// Opener opens the store called name. Opening a name again after closing the
// store it returned must give the same data back, as a page reload would;
// different names must be independent. The opener registers its own
// clean-up (with t.Cleanup); the suite closes what it opens, and may close a
// store twice.
type Opener func(t *testing.T, name string) outbox.Store

// Run runs the conformance suite against the stores open makes.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(t *testing.T, open func() outbox.Store)
	}{
		{"Empty", testEmpty},
		{"AppendListOrder", testAppendListOrder},
		{"ListFilter", testListFilter},
		{"AppendAtomic", testAppendAtomic},
		{"RoundTripExact", testRoundTripExact},
		{"Mark", testMark},
		{"MarkAtomic", testMarkAtomic},
		{"Stats", testStats},
		{"Prune", testPrune},
		{"State", testState},
		{"Reopen", testReopen},
		{"Concurrent", testConcurrent},
		{"Closed", testClosed},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("outboxtest-%02d-%s", i, tt.name)
			tt.f(t, func() outbox.Store {
				s := open(t, name)
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

var (
	ctx  = context.Background()
	key  = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))
	base = time.Date(2026, 11, 22, 8, 57, 0, 0, time.UTC)
)

// chainer makes a realistic chain of signed entries.
type chainer struct {
	chain wire.Chain
	n     int
}

// next makes the next pending entry, recorded at base+at. Ids are made so
// that their string order is the reverse of the chain order: a store that
// sorts by id instead of Seq fails.
func (c *chainer) next(t *testing.T, employee string, at time.Duration) (outbox.Entry, wire.Chain) {
	t.Helper()
	c.n++
	when := base.Add(at)
	p := attendance.Punch{
		ID:         fmt.Sprintf("%08x-0000-7000-8000-%012x", 0xffffffff-c.n, c.n),
		EmployeeID: employee,
		DeviceID:   "kiosk-1",
		SiteID:     "site-1",
		Method:     attendance.MethodBadge,
		DeviceTime: when,
		OffsetAgeS: -1,
		Evidence:   attendance.Evidence{BadgeCode: "B-" + employee},
	}
	sp, next, err := c.chain.Next(&p, key)
	if err != nil {
		t.Fatal(err)
	}
	c.chain = next
	return outbox.Entry{ID: p.ID, Seq: p.Seq, At: when, Punch: p, Signed: sp, State: outbox.StatePending}, next
}

// appendN appends n entries, one a minute, and returns them.
func appendN(t *testing.T, s outbox.Store, c *chainer, n int) []outbox.Entry {
	t.Helper()
	var es []outbox.Entry
	for i := 0; i < n; i++ {
		e, ch := c.next(t, fmt.Sprintf("e%d", c.n+1), time.Duration(c.n)*time.Minute)
		if err := s.Append(ctx, e, ch); err != nil {
			t.Fatalf("Append #%d: %v", i, err)
		}
		es = append(es, e)
	}
	return es
}

// same compares entries exactly: JSON (every field, times as instants) and
// the signed body byte for byte, since the server verifies those bytes.
func same(a, b outbox.Entry) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb) && bytes.Equal(a.Signed.Body, b.Signed.Body) && a.At.Equal(b.At)
}

func checkList(t *testing.T, what string, got, want []outbox.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d entries %v, want %d %v", what, len(got), seqs(got), len(want), seqs(want))
	}
	for i := range got {
		if !same(got[i], want[i]) {
			g, _ := json.Marshal(got[i])
			w, _ := json.Marshal(want[i])
			t.Fatalf("%s: entry %d:\n got %s\nwant %s", what, i, g, w)
		}
	}
}

func seqs(es []outbox.Entry) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func list(t *testing.T, s outbox.Store, f outbox.Filter) []outbox.Entry {
	t.Helper()
	es, err := s.List(ctx, f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	return es
}

func chainOf(t *testing.T, s outbox.Store) wire.Chain {
	t.Helper()
	c, err := s.Chain(ctx)
	if err != nil {
		t.Fatalf("Chain: %v", err)
	}
	return c
}

func stats(t *testing.T, s outbox.Store) outbox.Stats {
	t.Helper()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

func settled(e outbox.Entry, m outbox.Mark) outbox.Entry {
	m.Apply(&e)
	return e
}

func testEmpty(t *testing.T, open func() outbox.Store) {
	s := open()
	if got := chainOf(t, s); got != (wire.Chain{}) {
		t.Errorf("Chain of an empty store: got %+v, want zero", got)
	}
	if got := list(t, s, outbox.Filter{}); len(got) != 0 {
		t.Errorf("List of an empty store: got %d entries", len(got))
	}
	if got := stats(t, s); got != (outbox.Stats{}) {
		t.Errorf("Stats of an empty store: got %+v, want zero", got)
	}
	if _, err := s.State(ctx, outbox.KeyIdentity); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("State of a missing key: got %v, want ErrNotFound", err)
	}
	if err := s.Mark(ctx, nil); err != nil {
		t.Errorf("Mark(nil): %v", err)
	}
	if n, err := s.Prune(ctx, base.Add(time.Hour)); n != 0 || err != nil {
		t.Errorf("Prune of an empty store: got %d, %v", n, err)
	}
}

func testAppendListOrder(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	var want []outbox.Entry
	// The device clock is set back by an hour after the second punch: the
	// order is still the chain's.
	for i, at := range []time.Duration{0, time.Minute, -time.Hour, -time.Hour + time.Minute, 2 * time.Minute} {
		e, ch := c.next(t, fmt.Sprintf("e%d", i), at)
		if err := s.Append(ctx, e, ch); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		if got := chainOf(t, s); got != ch {
			t.Fatalf("Chain after Append %d: got %+v, want %+v", i, got, ch)
		}
		want = append(want, e)
	}
	checkList(t, "List all", list(t, s, outbox.Filter{}), want)
	checkList(t, "List pending", list(t, s, outbox.Filter{State: outbox.StatePending}), want)
	checkList(t, "List limit 2", list(t, s, outbox.Filter{Limit: 2}), want[:2])
	checkList(t, "List pending limit 3", list(t, s, outbox.Filter{State: outbox.StatePending, Limit: 3}), want[:3])
	checkList(t, "List limit 10", list(t, s, outbox.Filter{Limit: 10}), want)
}

func testListFilter(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 6) // At = base + 0..5 min
	marks := []outbox.Mark{
		{ID: es[1].ID, State: outbox.StateSynced, At: base.Add(time.Hour)},
		{ID: es[3].ID, State: outbox.StateRejected, At: base.Add(time.Hour), Code: wire.CodeInvalid, Message: "unknown employee"},
		{ID: es[4].ID, State: outbox.StateSynced, At: base.Add(time.Hour)},
	}
	if err := s.Mark(ctx, marks); err != nil {
		t.Fatal(err)
	}
	es[1], es[3], es[4] = settled(es[1], marks[0]), settled(es[3], marks[1]), settled(es[4], marks[2])
	cases := []struct {
		name string
		f    outbox.Filter
		want []outbox.Entry
	}{
		{"pending", outbox.Filter{State: outbox.StatePending}, []outbox.Entry{es[0], es[2], es[5]}},
		{"pending limit 2", outbox.Filter{State: outbox.StatePending, Limit: 2}, []outbox.Entry{es[0], es[2]}},
		{"synced", outbox.Filter{State: outbox.StateSynced}, []outbox.Entry{es[1], es[4]}},
		{"rejected", outbox.Filter{State: outbox.StateRejected}, []outbox.Entry{es[3]}},
		{"since 2 min (inclusive)", outbox.Filter{Since: base.Add(2 * time.Minute)}, es[2:]},
		{"since 2 min, synced", outbox.Filter{Since: base.Add(2 * time.Minute), State: outbox.StateSynced}, []outbox.Entry{es[4]}},
		{"since 2 min, limit 2", outbox.Filter{Since: base.Add(2 * time.Minute), Limit: 2}, es[2:4]},
		{"since later", outbox.Filter{Since: base.Add(time.Hour)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkList(t, c.name, list(t, s, c.f), c.want)
		})
	}
}

func testAppendAtomic(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 2)
	before := chainOf(t, s)

	// Same id, next seq: refused, and the chain must not move.
	dupID, ch := c.next(t, "x", time.Hour)
	dupID.ID = es[0].ID
	if err := s.Append(ctx, dupID, ch); !errors.Is(err, outbox.ErrExists) {
		t.Errorf("Append of an existing id: got %v, want ErrExists", err)
	}
	// New id, existing seq.
	dupSeq, ch2 := c.next(t, "y", time.Hour)
	dupSeq.Seq = es[1].Seq
	if err := s.Append(ctx, dupSeq, ch2); !errors.Is(err, outbox.ErrExists) {
		t.Errorf("Append of an existing seq: got %v, want ErrExists", err)
	}
	if got := chainOf(t, s); got != before {
		t.Errorf("Chain after refused appends: got %+v, want %+v", got, before)
	}
	checkList(t, "List after refused appends", list(t, s, outbox.Filter{}), es)
}

func testRoundTripExact(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	e, ch := c.next(t, "emp-ü", 0)
	e.At = base.Add(123 * time.Millisecond)
	e.Punch.Location = &attendance.Location{Lat: 31.2304, Lng: 121.4737, AccuracyM: 12.5, Datum: "gcj02"}
	e.Punch.Evidence.Note = "补卡 <ok> & \u2028 \"quoted\""
	e.Punch.EstTime = base.Add(90 * time.Second)
	// The body is opaque signed bytes: spaces, raw '<' and a raw U+2028
	// must survive untouched (a JSON re-encoding would change them).
	e.Signed.Body = json.RawMessage("{ \"id\" : \"x\", \"note\": \"<\u2028>\" }")
	e.Signed.Sig = bytes.Repeat([]byte{0, 255, 7}, 21)
	if err := s.Append(ctx, e, ch); err != nil {
		t.Fatal(err)
	}
	checkList(t, "round trip", list(t, s, outbox.Filter{}), []outbox.Entry{e})
	got := list(t, s, outbox.Filter{})[0]
	if !bytes.Equal(got.Signed.Body, e.Signed.Body) {
		t.Errorf("body: got %q, want %q", got.Signed.Body, e.Signed.Body)
	}
	// What List returns is a copy: changing it must not change the store.
	got.Signed.Body[0] = 'X'
	got.Punch.Location.Lat = 0
	checkList(t, "after changing a returned entry", list(t, s, outbox.Filter{}), []outbox.Entry{e})
}

func testMark(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 3)
	at := base.Add(time.Hour + 250*time.Millisecond)
	marks := []outbox.Mark{
		{ID: es[0].ID, State: outbox.StateSynced, At: at, Flags: []string{wire.FlagClockSkew}},
		{ID: es[2].ID, State: outbox.StateRejected, At: at, Code: wire.CodeConflict, Message: "chain forked"},
	}
	if err := s.Mark(ctx, marks); err != nil {
		t.Fatal(err)
	}
	want := []outbox.Entry{settled(es[0], marks[0]), es[1], settled(es[2], marks[1])}
	checkList(t, "after Mark", list(t, s, outbox.Filter{}), want)
	if got := want[2]; got.Code != wire.CodeConflict || got.Message != "chain forked" || !got.SettledAt.Equal(at) {
		t.Fatalf("Mark.Apply lost fields: %+v", got)
	}

	// Marking again is allowed: a retried response settles the same punch.
	if err := s.Mark(ctx, marks[:1]); err != nil {
		t.Errorf("Mark again: %v", err)
	}
	checkList(t, "after Mark again", list(t, s, outbox.Filter{}), want)

	// Marking back to pending is not a mark.
	err := s.Mark(ctx, []outbox.Mark{{ID: es[1].ID, State: outbox.StatePending, At: at}})
	if !errors.Is(err, outbox.ErrInvalidMark) {
		t.Errorf("Mark as pending: got %v, want ErrInvalidMark", err)
	}
	checkList(t, "after invalid Mark", list(t, s, outbox.Filter{}), want)
}

func testMarkAtomic(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 3)
	marks := []outbox.Mark{
		{ID: es[0].ID, State: outbox.StateSynced, At: base},
		{ID: "00000000-0000-7000-8000-000000000000", State: outbox.StateSynced, At: base},
		{ID: es[1].ID, State: outbox.StateSynced, At: base},
	}
	if err := s.Mark(ctx, marks); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("Mark with an unknown id: got %v, want ErrNotFound", err)
	}
	checkList(t, "after a failed Mark", list(t, s, outbox.Filter{}), es)
	bad := []outbox.Mark{marks[0], {ID: es[1].ID, State: "lost", At: base}}
	if err := s.Mark(ctx, bad); !errors.Is(err, outbox.ErrInvalidMark) {
		t.Errorf("Mark with a bad state: got %v, want ErrInvalidMark", err)
	}
	checkList(t, "after a failed Mark", list(t, s, outbox.Filter{}), es)
}

func testStats(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	var es []outbox.Entry
	// The first punch was recorded with the clock an hour ahead; it is still
	// the one waiting longest.
	for i, at := range []time.Duration{time.Hour, 0, time.Minute, 2 * time.Minute} {
		e, ch := c.next(t, fmt.Sprintf("e%d", i), at)
		if err := s.Append(ctx, e, ch); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	steps := []struct {
		marks []outbox.Mark
		want  outbox.Stats
	}{
		{nil, outbox.Stats{Pending: 4, OldestPending: es[0].At}},
		{[]outbox.Mark{{ID: es[0].ID, State: outbox.StateSynced, At: base}}, outbox.Stats{Pending: 3, OldestPending: es[1].At}},
		{[]outbox.Mark{{ID: es[2].ID, State: outbox.StateRejected, At: base, Code: wire.CodeInvalid}}, outbox.Stats{Pending: 2, Rejected: 1, OldestPending: es[1].At}},
		{[]outbox.Mark{{ID: es[1].ID, State: outbox.StateSynced, At: base}, {ID: es[3].ID, State: outbox.StateRejected, At: base}}, outbox.Stats{Rejected: 2}},
	}
	for i, st := range steps {
		if err := s.Mark(ctx, st.marks); err != nil {
			t.Fatal(err)
		}
		got := stats(t, s)
		if got.Pending != st.want.Pending || got.Rejected != st.want.Rejected || !got.OldestPending.Equal(st.want.OldestPending) {
			t.Errorf("step %d: got %+v, want %+v", i, got, st.want)
		}
	}
}

func testPrune(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 6) // At = base + 0..5 min
	marks := []outbox.Mark{
		{ID: es[0].ID, State: outbox.StateSynced, At: base},
		{ID: es[1].ID, State: outbox.StateRejected, At: base},
		{ID: es[3].ID, State: outbox.StateSynced, At: base},
		{ID: es[5].ID, State: outbox.StateSynced, At: base},
	}
	if err := s.Mark(ctx, marks); err != nil {
		t.Fatal(err)
	}
	chain := chainOf(t, s)
	// Cut at 4 min: synced #0 and #3 go; rejected #1 and pending #2, #4
	// stay whatever their age; synced #5 is too young.
	n, err := s.Prune(ctx, base.Add(4*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("Prune: got %d, %v, want 2, nil", n, err)
	}
	want := []outbox.Entry{settled(es[1], marks[1]), es[2], es[4], settled(es[5], marks[3])}
	checkList(t, "after Prune", list(t, s, outbox.Filter{}), want)
	if got := chainOf(t, s); got != chain {
		t.Errorf("Prune moved the chain: got %+v, want %+v", got, chain)
	}
	if n, err := s.Prune(ctx, base.Add(4*time.Minute)); n != 0 || err != nil {
		t.Errorf("Prune again: got %d, %v, want 0, nil", n, err)
	}
	// The chain continues after a prune.
	more := appendN(t, s, &c, 1)
	checkList(t, "after Append", list(t, s, outbox.Filter{}), append(want, more...))
}

func testState(t *testing.T, open func() outbox.Store) {
	s := open()
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	steps := []struct{ key, value string }{
		{outbox.KeyIdentity, `{"device_id":"kiosk-1"}`},
		{outbox.KeyClock, `{"offset":90000000000}`},
		{outbox.KeyIdentity, `{"device_id":"kiosk-1","site":"x"}`}, // overwrite
		{"binary", string(binary)},
		{"empty", ""},
		{"unicode ключ 键", "值"},
	}
	want := map[string]string{}
	for _, st := range steps {
		if err := s.SetState(ctx, st.key, []byte(st.value)); err != nil {
			t.Fatalf("SetState(%q): %v", st.key, err)
		}
		want[st.key] = st.value
		for k, v := range want {
			got, err := s.State(ctx, k)
			if err != nil || !bytes.Equal(got, []byte(v)) {
				t.Fatalf("State(%q) after setting %q: got %q, %v, want %q", k, st.key, got, err, v)
			}
		}
	}
	// A returned value is a copy.
	got, _ := s.State(ctx, "binary")
	got[0] = 99
	if again, _ := s.State(ctx, "binary"); again[0] != 0 {
		t.Errorf("changing a returned value changed the store")
	}
	if _, err := s.State(ctx, "missing"); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("State(missing): got %v, want ErrNotFound", err)
	}
}

func testReopen(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 4)
	mark := outbox.Mark{ID: es[1].ID, State: outbox.StateRejected, At: base, Code: wire.CodeInvalid, Message: "why"}
	if err := s.Mark(ctx, []outbox.Mark{mark}); err != nil {
		t.Fatal(err)
	}
	es[1] = settled(es[1], mark)
	if err := s.SetState(ctx, outbox.KeyPull, []byte(`{"cursor":"7"}`)); err != nil {
		t.Fatal(err)
	}
	chain, st := chainOf(t, s), stats(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open()
	checkList(t, "after reopen", list(t, s, outbox.Filter{}), es)
	if got := chainOf(t, s); got != chain {
		t.Errorf("Chain after reopen: got %+v, want %+v", got, chain)
	}
	if got := stats(t, s); got.Pending != st.Pending || got.Rejected != st.Rejected || !got.OldestPending.Equal(st.OldestPending) {
		t.Errorf("Stats after reopen: got %+v, want %+v", got, st)
	}
	if got, err := s.State(ctx, outbox.KeyPull); err != nil || string(got) != `{"cursor":"7"}` {
		t.Errorf("State after reopen: got %q, %v", got, err)
	}
	// The chain goes on where it stopped.
	more := appendN(t, s, &c, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open()
	checkList(t, "after second reopen", list(t, s, outbox.Filter{}), append(es, more...))
}

func testConcurrent(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	const n = 20
	es := make([]outbox.Entry, n)
	chains := make([]wire.Chain, n)
	for i := range es {
		es[i], chains[i] = c.next(t, fmt.Sprintf("e%d", i), time.Duration(i)*time.Second)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range es {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- s.Append(ctx, es[i], chains[i])
		}()
		go func() {
			defer wg.Done()
			_, err := s.List(ctx, outbox.Filter{State: outbox.StatePending, Limit: 5})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	checkList(t, "after concurrent appends", list(t, s, outbox.Filter{}), es)
	if got := stats(t, s); got.Pending != n {
		t.Errorf("Stats: got %d pending, want %d", got.Pending, n)
	}
}

func testClosed(t *testing.T, open func() outbox.Store) {
	s := open()
	var c chainer
	es := appendN(t, s, &c, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	e, ch := c.next(t, "late", time.Hour)
	calls := map[string]error{}
	calls["Append"] = s.Append(ctx, e, ch)
	_, calls["Chain"] = s.Chain(ctx)
	_, calls["List"] = s.List(ctx, outbox.Filter{})
	calls["Mark"] = s.Mark(ctx, []outbox.Mark{{ID: es[0].ID, State: outbox.StateSynced, At: base}})
	_, calls["Stats"] = s.Stats(ctx)
	_, calls["Prune"] = s.Prune(ctx, base.Add(time.Hour))
	_, calls["State"] = s.State(ctx, "k")
	calls["SetState"] = s.SetState(ctx, "k", []byte("v"))
	for name, err := range calls {
		if !errors.Is(err, outbox.ErrClosed) {
			t.Errorf("%s on a closed store: got %v, want ErrClosed", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), ":") {
			t.Errorf("%s: error %q has no context prefix", name, err)
		}
	}
}
