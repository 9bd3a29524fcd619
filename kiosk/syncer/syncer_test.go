package syncer_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
	"punchclock/kiosk/syncer"
)

var (
	ctx  = context.Background()
	key  = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	t0   = time.Date(2026, 11, 22, 0, 57, 0, 0, time.UTC)
	skew = 90 * time.Second // the server's clock is ahead of the kiosk's
	tick = 10 * time.Millisecond
)

// clock is the kiosk's fake clock: every reading advances it by tick, so a
// round trip has a known length and the server's reading (made through the
// same clock, plus skew) falls exactly at its midpoint.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(tick)
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waits records the delays the syncer asked for, returning at once; after
// stopAfter waits it cancels the run.
type waits struct {
	mu        sync.Mutex
	got       []time.Duration
	stopAfter int
	cancel    context.CancelFunc
}

func (w *waits) Wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.got = append(w.got, d)
	stop := w.stopAfter > 0 && len(w.got) >= w.stopAfter
	w.mu.Unlock()
	if stop {
		w.cancel()
	}
	return ctx.Err()
}

type env struct {
	clock *clock
	// skew is the server's clock minus the kiosk's (skew by default).
	skew   time.Duration
	server *fakeServer
	http   *httptest.Server
	outbox *outbox.Outbox
	syncer *syncer.Syncer
	waits  *waits
}

// newEnv makes an enrolled kiosk (outbox over memstore) and a fake server
// that knows it.
func newEnv(t *testing.T, cfg syncer.Config) *env {
	t.Helper()
	e := &env{clock: &clock{now: t0}, skew: skew, waits: &waits{}}
	e.server = newFakeServer(t, func() time.Time { return e.clock.Now().Add(e.skew) })
	e.server.devices["kiosk-1"] = key.Public().(ed25519.PublicKey)
	e.http = httptest.NewServer(e.server)
	t.Cleanup(e.http.Close)
	var err error
	e.outbox, err = outbox.Open(ctx, memstore.New(), outbox.Options{Clock: e.clock.Now, DedupWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.outbox.SetIdentity(ctx, outbox.Identity{DeviceID: "kiosk-1", Key: key, Site: e.server.site}); err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL, cfg.Outbox, cfg.Clock, cfg.Wait = e.http.URL, e.outbox, e.clock.Now, e.waits.Wait
	if cfg.Client == nil {
		cfg.Client = e.http.Client()
	}
	if cfg.Rand == nil {
		cfg.Rand = func() float64 { return 0.5 }
	}
	e.syncer, err = syncer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// record records n badge punches of the given employees in turn.
func (e *env) record(t *testing.T, n int, employees ...string) []outbox.Entry {
	t.Helper()
	if len(employees) == 0 {
		employees = []string{"e1"}
	}
	var es []outbox.Entry
	for i := range n {
		en, err := e.outbox.Record(ctx, attendance.Punch{EmployeeID: employees[i%len(employees)], Method: attendance.MethodBadge})
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, en)
	}
	return es
}

func (e *env) status(t *testing.T) syncer.Status {
	t.Helper()
	st, err := e.syncer.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPushBatchesAndLearnsOffset(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	if st := e.status(t); st.OffsetKnown || st.Online {
		t.Errorf("status before any sync: %+v", st)
	}
	es := e.record(t, 250, "e1", "e2", "e3")
	if st := e.status(t); st.Pending != 250 || st.OldestPending <= 0 {
		t.Errorf("status before push: %+v", st)
	}
	if err := e.syncer.Push(ctx); err != nil {
		t.Fatal(err)
	}
	n, batches := e.server.stored()
	if n != 250 {
		t.Errorf("server stored %d punches, want 250", n)
	}
	var sizes []int
	for _, b := range batches {
		sizes = append(sizes, len(b))
	}
	if fmt.Sprint(sizes) != "[100 100 50]" {
		t.Errorf("batch sizes %v, want [100 100 50]", sizes)
	}
	if batches[0][0] != es[0].ID || batches[2][49] != es[249].ID {
		t.Errorf("batches not in chain order")
	}
	st := e.status(t)
	if st.Pending != 0 || st.OldestPending != 0 || !st.Online || st.LastSync.IsZero() {
		t.Errorf("status after push: %+v", st)
	}
	if !st.OffsetKnown || st.Offset != skew {
		t.Errorf("offset: got %v (known %v), want %v", st.Offset, st.OffsetKnown, skew)
	}
	c, fresh, err := e.outbox.Clock(ctx)
	if err != nil || !fresh || c.RTT != 2*tick {
		t.Errorf("stored clock: %+v, %v, %v", c, fresh, err)
	}
	// The next punch carries the corrected time.
	p := e.record(t, 1)[0].Punch
	if p.OffsetMS != skew.Milliseconds() || !p.EstTime.Equal(p.DeviceTime.Add(skew)) {
		t.Errorf("punch after sync: offset %d ms, est %v, device %v", p.OffsetMS, p.EstTime, p.DeviceTime)
	}
	synced, _ := e.outbox.Store().List(ctx, outbox.Filter{State: outbox.StateSynced})
	if len(synced) != 250 {
		t.Errorf("%d entries synced, want 250", len(synced))
	}
}

// TestStaleSignatureSignedAgain: a kiosk whose clock is 3 h 7 min slow and
// that never learnt an offset signs its first batch with its own clock. The
// server refuses the stale signature and gives its time; the syncer learns
// the offset from it and resends at once, signed with the corrected time:
// every punch is stored, none parked, and later requests are fresh at once.
// A clock set wrong later costs one more round trip, never a punch.
func TestStaleSignatureSignedAgain(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	e.skew = 3*time.Hour + 7*time.Minute
	e.record(t, 3, "e1", "e2")
	if err := e.syncer.Push(ctx); err != nil {
		t.Fatal(err)
	}
	stale := func() int {
		e.server.mu.Lock()
		defer e.server.mu.Unlock()
		return e.server.stale
	}
	if n, batches := e.server.stored(); n != 3 || len(batches) != 1 || stale() != 1 {
		t.Fatalf("stored %d punches in %d batches after %d stale answers; want 3 in 1 after 1", n, len(batches), stale())
	}
	if st := e.status(t); !st.OffsetKnown || st.Offset != e.skew || st.Rejected != 0 || st.Pending != 0 {
		t.Errorf("status: %+v", st)
	}
	if err := e.syncer.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	e.record(t, 1)
	if err := e.syncer.Push(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.server.stored(); n != 4 || stale() != 1 {
		t.Errorf("with the offset learnt: %d stored, %d stale answers; want 4 and still 1", n, stale())
	}
	// Somebody sets the tablet's clock two hours forward.
	e.skew -= 2 * time.Hour
	if err := e.syncer.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	e.record(t, 2)
	if err := e.syncer.Push(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.server.stored(); n != 6 || stale() != 2 {
		t.Errorf("after the clock moved: %d stored, %d stale answers; want 6 and 2", n, stale())
	}
	if st := e.status(t); st.Offset != e.skew || st.Rejected != 0 || st.Pending != 0 {
		t.Errorf("status after the clock moved: %+v", st)
	}
}

// TestRetryAfterFailureMidBatch kills the server in the middle of a batch
// (it stored three punches, then dropped the connection): the retry resends
// the batch, and the server ends with each punch exactly once.
func TestRetryAfterFailureMidBatch(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	e.record(t, 5, "e1", "e2")
	e.server.set(func(f *fakeServer) { f.abortAfter = 3 })
	err := e.syncer.Push(ctx)
	if !errors.Is(err, syncer.ErrOffline) {
		t.Fatalf("push with the server dying: got %v, want ErrOffline", err)
	}
	if st := e.status(t); st.Online || st.Pending != 5 {
		t.Errorf("status after the failure: %+v", st)
	}
	if err := e.syncer.Push(ctx); err != nil {
		t.Fatalf("retry: %v", err)
	}
	n, batches := e.server.stored()
	if n != 5 {
		t.Errorf("server stored %d punches, want exactly 5", n)
	}
	if len(batches) != 2 || len(batches[0]) != 3 || len(batches[1]) != 5 {
		t.Errorf("batches %v, want a cut one of 3 and a full resend of 5", batches)
	}
	if st := e.status(t); !st.Online || st.Pending != 0 {
		t.Errorf("status after the retry: %+v", st)
	}
}

func TestPerPunchResults(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	e.server.set(func(f *fakeServer) {
		f.verdicts["ghost"] = []wire.PunchResult{{Status: wire.StatusRejected, Code: wire.CodeInvalid, Message: "unknown employee"}}
		f.verdicts["twin"] = []wire.PunchResult{{Status: wire.StatusRejected, Code: wire.CodeConflict, Message: "id reused"}}
		f.verdicts["busy"] = []wire.PunchResult{{Status: wire.StatusRejected, Code: wire.CodeTransient, Message: "try later"}}
		f.verdicts["odd"] = []wire.PunchResult{{Status: wire.StatusRejected, Code: "brand_new_code", Message: "?"}}
	})
	es := e.record(t, 5, "e1", "ghost", "twin", "busy", "odd")
	err := e.syncer.Push(ctx)
	var werr *wire.Error
	if !errors.As(err, &werr) || werr.Code != wire.CodeTransient || errors.Is(err, syncer.ErrFatal) {
		t.Fatalf("push: got %v, want a retryable transient error", err)
	}
	rejected, err := e.outbox.Rejected(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rejected {
		got[r.Punch.EmployeeID] = string(r.Code) + ": " + r.Message
	}
	want := map[string]string{"ghost": "invalid: unknown employee", "twin": "conflict: id reused", "odd": "brand_new_code: ?"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rejected: got %v, want %v", got, want)
	}
	pending, _ := e.outbox.Pending(ctx, 0)
	if len(pending) != 1 || pending[0].ID != es[3].ID {
		t.Errorf("pending after push: %v, want only the transient one", pending)
	}
	// The retry sends only the pending punch, and the server takes it now.
	if err := e.syncer.Push(ctx); err != nil {
		t.Fatal(err)
	}
	if _, batches := e.server.stored(); len(batches) != 2 || len(batches[1]) != 1 || batches[1][0] != es[3].ID {
		t.Errorf("retry batch: %v", batches)
	}
	if st := e.status(t); st.Pending != 0 || st.Rejected != 3 {
		t.Errorf("status: %+v, want 0 pending, 3 rejected", st)
	}
}

// failingDoer is a network that is down.
type failingDoer struct{}

func (failingDoer) Do(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial tcp: connection refused")
}

func TestRequestErrors(t *testing.T) {
	cases := []struct {
		name      string
		status    int    // injected answer; 0: network down
		raw       string // non-JSON body
		wantCode  wire.Code
		fatal     bool
		online    bool
		nextBatch int
	}{
		{"network down", 0, "", "", false, false, 100},
		{"transient", 503, "", wire.CodeTransient, false, true, 100},
		{"internal", 500, "", wire.CodeInternal, false, true, 100},
		{"rate limited", 429, "", wire.CodeRateLimited, false, true, 100},
		{"proxy page", 502, "<html>Bad Gateway</html>", wire.CodeTransient, false, true, 100},
		{"too large", 413, "", wire.CodeTooLarge, false, true, 50},
		{"unauthorized", 401, "", wire.CodeUnauthorized, true, true, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cfg syncer.Config
			if c.status == 0 {
				cfg.Client = failingDoer{}
			}
			e := newEnv(t, cfg)
			e.record(t, 120)
			e.server.set(func(f *fakeServer) {
				if c.status != 0 {
					f.failNext = []int{c.status}
				}
				if c.raw != "" {
					f.rawFail[c.status] = c.raw
				}
			})
			err := e.syncer.SyncOnce(ctx)
			if err == nil {
				t.Fatal("SyncOnce succeeded")
			}
			var werr *wire.Error
			if c.wantCode != "" && (!errors.As(err, &werr) || werr.Code != c.wantCode) {
				t.Errorf("got %v, want code %s", err, c.wantCode)
			}
			if c.status == 0 && !errors.Is(err, syncer.ErrOffline) {
				t.Errorf("got %v, want ErrOffline", err)
			}
			if got := errors.Is(err, syncer.ErrFatal); got != c.fatal {
				t.Errorf("fatal: got %v, want %v (%v)", got, c.fatal, err)
			}
			st := e.status(t)
			if st.Online != c.online || st.Pending != 120 || st.LastError == "" || (st.Fatal != nil) != c.fatal {
				t.Errorf("status: %+v", st)
			}
			if c.status == 0 {
				return
			}
			// Next attempt: a fatal syncer sends nothing more; the others
			// retry, with a smaller batch after too_large.
			err = e.syncer.SyncOnce(ctx)
			_, batches := e.server.stored()
			if c.fatal {
				if !errors.Is(err, syncer.ErrFatal) || len(batches) != 0 {
					t.Errorf("after fatal: got %v and %d batches", err, len(batches))
				}
				return
			}
			var sizes []int
			for _, b := range batches {
				sizes = append(sizes, len(b))
			}
			if err != nil || len(sizes) == 0 || sizes[0] != c.nextBatch {
				t.Errorf("retry: got %v, batches %v, want the first of %d", err, sizes, c.nextBatch)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	const min, max = time.Second, 30 * time.Second
	cases := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 0.5, 500 * time.Millisecond},
		{1, 0.999, 999 * time.Millisecond},
		{2, 0.5, time.Second},
		{3, 0.5, 2 * time.Second},
		{5, 1, 16 * time.Second},
		{6, 1, 30 * time.Second},
		{7, 0.5, 15 * time.Second},
		{1000, 0.5, 15 * time.Second},
		{3, 0, 0},
	}
	for _, c := range cases {
		if got := syncer.Backoff(c.attempt, min, max, c.r); got != c.want {
			t.Errorf("Backoff(%d, r=%v): got %v, want %v", c.attempt, c.r, got, c.want)
		}
	}
	if got := syncer.Backoff(80, time.Second, time.Duration(1<<62), 1); got != time.Duration(1<<62) {
		t.Errorf("Backoff with a huge cap overflowed: %v", got)
	}
}

// TestRunBacksOff runs the loop against a server failing eight times: the
// delays grow and are capped, then a success resets them and the loop
// idles for the interval.
func TestRunBacksOff(t *testing.T) {
	e := newEnv(t, syncer.Config{Rand: func() float64 { return 1 }, MinBackoff: time.Second, MaxBackoff: 30 * time.Second, Interval: time.Minute})
	e.record(t, 3)
	e.server.set(func(f *fakeServer) { f.failNext = []int{503, 503, 500, 503, 429, 503, 503, 503} })
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.waits.cancel, e.waits.stopAfter = cancel, 9
	if err := e.syncer.Run(rctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: got %v, want context.Canceled", err)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30, 60}
	for i := range want {
		want[i] *= time.Second
	}
	if fmt.Sprint(e.waits.got) != fmt.Sprint(want) {
		t.Errorf("waits: got %v, want %v", e.waits.got, want)
	}
	if n, _ := e.server.stored(); n != 3 {
		t.Errorf("server stored %d, want 3", n)
	}
	if st := e.status(t); st.Failures != 0 || st.LastError != "" || st.Pending != 0 {
		t.Errorf("status after recovery: %+v", st)
	}
}

// TestRunStopsWhenFatal checks Run returns the fatal error at once.
func TestRunStopsWhenFatal(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	e.record(t, 1)
	e.server.set(func(f *fakeServer) { delete(f.devices, "kiosk-1") })
	err := e.syncer.Run(ctx)
	var werr *wire.Error
	if !errors.Is(err, syncer.ErrFatal) || !errors.As(err, &werr) || werr.Code != wire.CodeUnauthorized {
		t.Fatalf("Run: got %v, want a fatal unauthorized error", err)
	}
	if len(e.waits.got) != 0 {
		t.Errorf("Run waited %v before stopping", e.waits.got)
	}
	if st := e.status(t); st.Fatal == nil || st.Pending != 1 {
		t.Errorf("status: %+v", st)
	}
}

// running starts Run on a syncer of e's outbox with an hour's interval,
// whose waits block on their context, as the real one does, and report
// their length on entered; stop ends Run and checks it ended so.
func running(t *testing.T, e *env) (s *syncer.Syncer, entered chan time.Duration, stop func()) {
	t.Helper()
	entered = make(chan time.Duration)
	s, err := syncer.New(syncer.Config{
		BaseURL: e.http.URL, Client: e.http.Client(), Outbox: e.outbox, Clock: e.clock.Now,
		Rand: func() float64 { return 0.5 }, Interval: time.Hour,
		Wait: func(ctx context.Context, d time.Duration) error {
			entered <- d
			<-ctx.Done()
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var runErr error
	done := make(chan struct{})
	rctx, cancel := context.WithCancel(ctx)
	go func() { runErr = s.Run(rctx); close(done) }()
	return s, entered, func() {
		t.Helper()
		cancel()
		<-done
		if !errors.Is(runErr, context.Canceled) {
			t.Errorf("Run: got %v", runErr)
		}
	}
}

// TestKick checks a recorded punch goes out at once instead of after the
// interval. The wait blocks on its context, as the real one does.
func TestKick(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	s, entered, stop := running(t, e)
	if d := <-entered; d != time.Hour {
		t.Fatalf("first wait %v, want the interval", d)
	}
	e.record(t, 1)
	s.Kick()
	<-entered // idle again, after pushing
	if n, _ := e.server.stored(); n != 1 {
		t.Errorf("after Kick the server has %d punches, want 1", n)
	}
	stop()
}

func TestPull(t *testing.T) {
	for _, withETag := range []bool{true, false} {
		t.Run(fmt.Sprintf("etag=%v", withETag), func(t *testing.T) { testPull(t, withETag) })
	}
}

// testPull pulls a full roster, then nothing (304 when the server gives an
// ETag, an empty delta when not), then a delta, then nothing again.
func testPull(t *testing.T, withETag bool) {
	e := newEnv(t, syncer.Config{})
	e.server.set(func(f *fakeServer) {
		f.noETag = !withETag
		f.employees = []attendance.Employee{
			{ID: "e1", Name: "Li Lei", DepartmentID: "d1", BadgeCode: "B1", Active: true, Version: 1},
			{ID: "e2", Name: "Han Meimei", DepartmentID: "d1", BadgeCode: "B2", Active: true, Version: 1},
		}
	})
	steps := []struct {
		name        string
		change      func(f *fakeServer)
		wantCursor  string
		wantNames   string
		wantSent    string // cursor the request carried
		notModified bool   // the server answered 304 (with an ETag)
	}{
		{"first pull is full", nil, "1", "[Li Lei:true Han Meimei:true]", "", false},
		{"nothing changed", nil, "1", "[Li Lei:true Han Meimei:true]", "1", true},
		{"a delta", func(f *fakeServer) {
			f.version = 2
			f.employees[1] = attendance.Employee{ID: "e2", Name: "Han Meimei", DepartmentID: "d1", Active: false, Version: 2}
			f.employees = append(f.employees, attendance.Employee{ID: "e3", Name: "Wei Hua", DepartmentID: "d2", Active: true, Version: 2})
		}, "2", "[Li Lei:true Han Meimei:false Wei Hua:true]", "1", false},
		{"nothing changed again", nil, "2", "[Li Lei:true Han Meimei:false Wei Hua:true]", "2", true},
	}
	want304 := 0
	for i, st := range steps {
		if st.change != nil {
			e.server.set(st.change)
		}
		if err := e.syncer.Pull(ctx); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		ps, err := e.outbox.Pull(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, em := range ps.Employees {
			names = append(names, fmt.Sprintf("%s:%v", em.Name, em.Active))
		}
		if ps.Cursor != st.wantCursor || fmt.Sprint(names) != st.wantNames {
			t.Errorf("%s: cursor %q employees %v, want %q %s", st.name, ps.Cursor, names, st.wantCursor, st.wantNames)
		}
		if st.notModified && withETag {
			want304++
		}
		e.server.set(func(f *fakeServer) {
			if got := f.pulls[i]; got != st.wantSent {
				t.Errorf("%s: request cursor %q, want %q", st.name, got, st.wantSent)
			}
			if f.notModified != want304 {
				t.Errorf("%s: server sent %d 304s, want %d", st.name, f.notModified, want304)
			}
		})
		if ps.Site == nil || ps.Site.Zone != "Asia/Shanghai" || string(ps.Rules) != `{"grace_minutes":5}` {
			t.Errorf("%s: site %v rules %s", st.name, ps.Site, ps.Rules)
		}
	}
	if st := e.status(t); st.Offset != skew || st.LastSync.IsZero() {
		t.Errorf("status after pulls: %+v", st)
	}

	// A revoked device stops.
	e.server.set(func(f *fakeServer) { f.revoked = true })
	if err := e.syncer.Pull(ctx); !errors.Is(err, syncer.ErrFatal) {
		t.Fatalf("revoked: got %v, want ErrFatal", err)
	}
	if ps, _ := e.outbox.Pull(ctx); !ps.Revoked {
		t.Errorf("revocation not stored")
	}
	if err := e.syncer.Push(ctx); !errors.Is(err, syncer.ErrFatal) {
		t.Errorf("push after revocation: got %v, want ErrFatal", err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	cases := []syncer.Config{
		{Client: e.http.Client(), Clock: e.clock.Now, Rand: func() float64 { return 0 }, Wait: e.waits.Wait},
		{Outbox: e.outbox, Clock: e.clock.Now, Rand: func() float64 { return 0 }, Wait: e.waits.Wait},
		{Outbox: e.outbox, Client: e.http.Client(), Rand: func() float64 { return 0 }, Wait: e.waits.Wait},
		{Outbox: e.outbox, Client: e.http.Client(), Clock: e.clock.Now, Wait: e.waits.Wait},
		{Outbox: e.outbox, Client: e.http.Client(), Clock: e.clock.Now, Rand: func() float64 { return 0 }},
	}
	for i, c := range cases {
		if _, err := syncer.New(c); err == nil {
			t.Errorf("config %d: New succeeded", i)
		}
	}
}

func TestSleepStopsWithContext(t *testing.T) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	if err := syncer.Sleep(c, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep: got %v, want context.Canceled", err)
	}
	if err := syncer.Sleep(ctx, 0); err != nil {
		t.Errorf("Sleep(0): %v", err)
	}
}

// TestKickPush checks a punch's kick pushes it at once without pruning or
// pulling, that the wait then goes on to the next whole sync rather than
// starting a new interval, and that a Kick still syncs in whole.
func TestKickPush(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	s, entered, stop := running(t, e)
	pulls := func() int {
		e.server.mu.Lock()
		defer e.server.mu.Unlock()
		return len(e.server.pulls)
	}
	if d := <-entered; d != time.Hour {
		t.Fatalf("first wait %v, want the interval", d)
	}
	if n := pulls(); n != 1 {
		t.Fatalf("the first sync pulled %d times, want 1", n)
	}
	e.clock.Advance(20 * time.Minute)
	e.record(t, 1)
	s.KickPush()
	d := <-entered // idle again, after pushing
	if n, _ := e.server.stored(); n != 1 {
		t.Errorf("after KickPush the server has %d punches, want 1", n)
	}
	if n := pulls(); n != 1 {
		t.Errorf("KickPush pulled: %d pulls, want still 1", n)
	}
	if d <= 39*time.Minute || d >= 40*time.Minute {
		t.Errorf("wait after the push %v, want what is left of the hour (just under 40m)", d)
	}
	s.Kick()
	if d := <-entered; d != time.Hour {
		t.Errorf("wait after a whole sync %v, want the interval", d)
	}
	if n := pulls(); n != 2 {
		t.Errorf("Kick: %d pulls, want 2", n)
	}
	stop()
}

// TestPullZoneRules checks a kiosk that pulled before zone rules (its site
// stored without the zone's rules) pulls in full once, to get them, and
// then by its cursor again.
func TestPullZoneRules(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	if err := e.syncer.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := e.outbox.Pull(ctx)
	if err != nil || st.Site == nil || len(st.Site.ZoneRules) == 0 {
		t.Fatalf("pull state %+v, %v: want the site with its zone rules", st.Site, err)
	}
	// As stored by a kiosk built before zone rules.
	st.Site.ZoneRules = nil
	if err := e.outbox.SetPull(ctx, st); err != nil {
		t.Fatal(err)
	}
	e.server.set(func(f *fakeServer) { f.version++ })
	for range 2 {
		if err := e.syncer.Pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.server.mu.Lock()
	pulls := e.server.pulls
	e.server.mu.Unlock()
	if want := []string{"", "", "2"}; fmt.Sprint(pulls) != fmt.Sprint(want) {
		t.Errorf("cursors pulled %q, want %q", pulls, want)
	}
	if st, _ := e.outbox.Pull(ctx); st.Site == nil || len(st.Site.ZoneRules) == 0 {
		t.Errorf("after the full pull the site has no zone rules")
	}
}
