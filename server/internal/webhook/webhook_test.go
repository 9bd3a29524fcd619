package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
	"punchclock/server/internal/store/storetest"
	"punchclock/server/internal/webhook"
)

var ctx = context.Background()

// TestSignVector checks Sign against the test vector of the Standard
// Webhooks reference libraries.
func TestSignVector(t *testing.T) {
	got, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; err != nil || got != want {
		t.Errorf("Sign = %q, %v; want %q", got, err, want)
	}
	if _, err := webhook.Sign("whsec_not base64!", "m", time.Unix(1, 0), nil); err == nil {
		t.Error("a secret that is not base64 signed")
	}
}

func TestVerify(t *testing.T) {
	sec := webhook.NewSecret()
	if !strings.HasPrefix(sec, "whsec_") || len(sec) != len("whsec_")+32 {
		t.Fatalf("secret %q", sec)
	}
	at := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"punch.accepted"}`)
	sig, _ := webhook.Sign(sec, "msg_1", at, body)
	ts := fmt.Sprint(at.Unix())
	for _, tc := range []struct {
		name, id, ts, sigs string
		body               []byte
		now                time.Time
		ok                 bool
	}{
		{"valid", "msg_1", ts, sig, body, at, true},
		{"one of several", "msg_1", ts, "v1,AAAA " + sig, body, at.Add(time.Minute), true},
		{"other id", "msg_2", ts, sig, body, at, false},
		{"other body", "msg_1", ts, sig, []byte(`{}`), at, false},
		{"too old", "msg_1", ts, sig, body, at.Add(6 * time.Minute), false},
		{"bad timestamp", "msg_1", "x", sig, body, at, false},
	} {
		err := webhook.Verify(sec, tc.id, tc.ts, tc.sigs, tc.body, tc.now, 5*time.Minute)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	var total time.Duration
	n := 1
	for ; ; n++ {
		d, ok := webhook.Backoff(n)
		if !ok {
			break
		}
		if prev, _ := webhook.Backoff(n - 1); d < prev {
			t.Errorf("the wait after attempt %d (%v) is shorter than after %d (%v)", n, d, n-1, prev)
		}
		total += d
	}
	if attempts := n; attempts != 8 || total < 24*time.Hour {
		t.Errorf("%d attempts over %v, want 8 over at least 24 h", attempts, total)
	}
	if d, _ := webhook.Backoff(1); d != 5*time.Second {
		t.Errorf("first retry after %v, want 5 s", d)
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/punch", false, true},
		{"http://127.0.0.1:9000/x", false, false},
		{"http://127.0.0.1:9000/x", true, true},
		{"http://localhost/x", false, false},
		{"http://10.1.2.3/x", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://[::1]/x", false, false},
		{"ftp://hooks.example.com/", true, false},
		{"https://user:pw@hooks.example.com/", true, false},
		{"/relative", true, false},
		{"https://" + strings.Repeat("a", 2000) + ".com/", true, false},
	} {
		if err := webhook.CheckURL(tc.url, tc.allowPrivate); (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q, %v) = %v", tc.url, tc.allowPrivate, err)
		}
	}
	if !webhook.Private(netip.MustParseAddr("::ffff:192.168.1.1")) || webhook.Private(netip.MustParseAddr("8.8.8.8")) {
		t.Error("Private misjudges")
	}
}

// TestClientRefusesPrivate: the default client does not connect to a
// loopback receiver unless allowed.
func TestClientRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	if _, err := webhook.Client(false).Post(srv.URL, "text/plain", nil); err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("posted to %s: %v", srv.URL, err)
	}
	resp, err := webhook.Client(true).Post(srv.URL, "text/plain", nil)
	if err != nil {
		t.Fatalf("allowed: %v", err)
	}
	resp.Body.Close()
}

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// receiver records the deliveries and answers as told.
type receiver struct {
	mu     sync.Mutex
	got    []http.Header
	bodies []string
	answer func(n int) int // n counts requests from 1
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.got = append(rc.got, r.Header.Clone())
	rc.bodies = append(rc.bodies, string(b))
	n := len(rc.got)
	rc.mu.Unlock()
	w.WriteHeader(rc.answer(n))
}

func (rc *receiver) count() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.got) }

// setup seeds a store with the org, a kiosk and an endpoint to srv, and
// stores a punch of e1; it returns the dispatcher's parts.
func setup(t *testing.T, s store.Store, url string, clk *clock) (*changefeed.Feed, store.WebhookEndpoint) {
	t.Helper()
	storetest.Seed(t, s)
	clk.ns.Store(storetest.T0.UnixNano())
	f := &changefeed.Feed{Store: s, Now: clk.now, Lag: time.Second}
	ep := store.WebhookEndpoint{ID: "we1", URL: url, Events: webhook.EventTypes, Secret: webhook.NewSecret(), CreatedAt: clk.now()}
	if err := s.PutWebhookEndpoint(ctx, ep); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEnrollCode(ctx, store.EnrollCode{Hash: "c1", SiteID: "s1", CreatedAt: storetest.T0, ExpiresAt: storetest.T0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enroll(ctx, "c1", attendance.Device{ID: "dev1", Name: "K", PublicKey: make([]byte, 32), QRSecret: []byte("0123456789abcdef")}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	return f, ep
}

func punch(t *testing.T, s store.Store, seq int, at time.Time) {
	t.Helper()
	p := attendance.Punch{ID: fmt.Sprintf("019a0000-0000-7000-8000-%012d", seq), EmployeeID: "e1", DeviceID: "dev1", SiteID: "s1", Method: attendance.MethodBadge, DeviceTime: at, Seq: uint64(seq)}
	body, _ := json.Marshal(p)
	sp := store.StoredPunch{Punch: p, Body: body, Sig: []byte("s"), Hash: fmt.Sprint(seq), ReceivedAt: at, TrueTime: at, Status: store.PunchAccepted}
	if err := s.Ingest(ctx, "dev1", store.IngestKeys{IDs: []string{p.ID}}, func(store.IngestView) (store.IngestPlan, error) {
		return store.IngestPlan{Insert: []store.StoredPunch{sp}}, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// rig is a store seeded by setup, a receiver answering status, and a
// clock at storetest.T0.
type rig struct {
	s   store.Store
	rc  *receiver
	clk *clock
	f   *changefeed.Feed
	ep  store.WebhookEndpoint
}

func newRig(t *testing.T, s store.Store, status int) *rig {
	t.Helper()
	r := &rig{s: s, rc: &receiver{answer: func(int) int { return status }}, clk: &clock{}}
	srv := httptest.NewServer(r.rc)
	t.Cleanup(srv.Close)
	r.f, r.ep = setup(t, s, srv.URL, r.clk)
	return r
}

// firstPunch starts the feed with a step of d, stores a punch of e1, and
// steps again past the feed's lag: the punch and its day are sent once.
func (r *rig) firstPunch(t *testing.T, d *webhook.Dispatcher) {
	t.Helper()
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	punch(t, r.s, 1, r.clk.now())
	r.clk.add(2 * time.Second)
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRetryUntilFailed: a receiver that always answers 500 gets eight
// attempts on the schedule, the same webhook-id each time, and the
// delivery ends failed with its log; a replay sends it once more.
func TestRetryUntilFailed(t *testing.T) {
	r := newRig(t, sqlstoretest.Backends()[0].Open(t), 500)
	s, rc, clk, ep := r.s, r.rc, r.clk, r.ep
	d := &webhook.Dispatcher{Store: s, Feed: r.f, Now: clk.now, AllowPrivate: true, Timeout: 5 * time.Second}
	r.firstPunch(t, d)
	// punch.accepted and attendance.day_changed, each failed once.
	if rc.count() != 2 {
		t.Fatalf("%d requests, want 2", rc.count())
	}
	for _, wait := range webhook.Schedule {
		clk.add(wait - time.Millisecond)
		if err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		n := rc.count()
		clk.add(time.Millisecond)
		if err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if rc.count() != n+2 {
			t.Fatalf("after waiting %v: %d requests, want %d", wait, rc.count(), n+2)
		}
		if n%2 != 0 {
			t.Fatalf("retried early: %d requests before the wait of %v", n, wait)
		}
	}
	clk.add(48 * time.Hour)
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if rc.count() != 16 {
		t.Errorf("%d requests, want 16 (eight attempts of two events)", rc.count())
	}
	ids := map[string]int{}
	for i, h := range rc.got {
		ids[h.Get(webhook.HeaderID)]++
		if err := webhook.Verify(ep.Secret, h.Get(webhook.HeaderID), h.Get(webhook.HeaderTimestamp), h.Get(webhook.HeaderSignature), []byte(rc.bodies[i]), time.Unix(mustInt(h.Get(webhook.HeaderTimestamp)), 0), time.Minute); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if len(ids) != 2 {
		t.Errorf("webhook-ids %v, want two, each sent 8 times", ids)
	}
	ds, err := s.WebhookDeliveries(ctx, "we1", time.Time{}, 10)
	if err != nil || len(ds) != 2 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
	for _, x := range ds {
		if x.State != store.DeliveryFailed || len(x.Attempts) != 8 || x.Attempts[7].StatusCode != 500 || x.Attempts[7].Error != "answered 500" {
			t.Errorf("delivery %s: %s with %d attempts", x.ID, x.State, len(x.Attempts))
		}
	}
	rc.answer = func(int) int { return 204 }
	if _, err := s.ReplayWebhookDelivery(ctx, ds[0].ID, clk.now()); err != nil {
		t.Fatal(err)
	}
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	x, _ := s.WebhookDelivery(ctx, ds[0].ID)
	if rc.count() != 17 || rc.got[16].Get(webhook.HeaderID) != ds[0].EventID || x.State != store.DeliverySucceeded || len(x.Attempts) != 9 || x.Attempts[8].N != 9 {
		t.Errorf("replay: %d requests, last id %s, delivery %s with %d attempts", rc.count(), rc.got[16].Get(webhook.HeaderID), x.State, len(x.Attempts))
	}
}

func mustInt(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

// TestTwoDispatchers: dispatchers on one database (one per punchd
// instance) never send the same attempt: each event reaches the
// receiver once when it answers 200.
func TestTwoDispatchers(t *testing.T) {
	for _, b := range sqlstoretest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			r := newRig(t, b.Open(t), 200)
			s, rc, clk, f := r.s, r.rc, r.clk, r.f
			ds := []*webhook.Dispatcher{
				{Store: s, Feed: f, Now: clk.now, AllowPrivate: true, Batch: 3},
				{Store: s, Feed: f, Now: clk.now, AllowPrivate: true, Batch: 3},
			}
			if err := ds[0].Step(ctx); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 20; i++ {
				punch(t, s, i, clk.now())
			}
			clk.add(2 * time.Second)
			var wg sync.WaitGroup
			for _, d := range ds {
				wg.Go(func() {
					for range 5 {
						if err := d.Step(ctx); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			ids := map[string]int{}
			for _, h := range rc.got {
				ids[h.Get(webhook.HeaderID)]++
			}
			// 20 punches and one day change of e1.
			if len(ids) != 21 || rc.count() != 21 {
				t.Errorf("%d requests of %d events, want 21 of 21", rc.count(), len(ids))
			}
		})
	}
}

// counting counts the producer's writes.
type counting struct {
	store.Store
	leases, enqueues atomic.Int32
}

func (c *counting) LeaseWebhookFeed(ctx context.Context, owner string, now, until time.Time, start store.WebhookFeed) (store.WebhookFeed, bool, error) {
	c.leases.Add(1)
	return c.Store.LeaseWebhookFeed(ctx, owner, now, until, start)
}

func (c *counting) EnqueueWebhooks(ctx context.Context, owner string, from, to store.WebhookFeed, ds []store.WebhookDelivery) error {
	c.enqueues.Add(1)
	return c.Store.EnqueueWebhooks(ctx, owner, from, to, ds)
}

// TestIdleProducer: while nothing happens the producer writes nothing
// but its lease, past half its life, and its place once IdleWrite
// passes; an event is written at the next step.
func TestIdleProducer(t *testing.T) {
	r := newRig(t, sqlstoretest.Backends()[0].Open(t), 204)
	s, rc, clk := r.s, r.rc, r.clk
	cs := &counting{Store: s}
	d := &webhook.Dispatcher{Store: cs, Feed: r.f, Now: clk.now, AllowPrivate: true} // a lease of 40 s
	step := func(n int, every time.Duration) {
		t.Helper()
		for range n {
			clk.add(every)
			if err := d.Step(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	step(10, time.Second)
	if l, e := cs.leases.Load(), cs.enqueues.Load(); l != 1 || e != 0 {
		t.Errorf("10 idle steps in 10 s: %d leases and %d writes of the place, want 1 and 0", l, e)
	}
	step(15, time.Second) // 25 s: the lease has 15 s left of 40
	if l := cs.leases.Load(); l != 2 {
		t.Errorf("past half the lease's life: %d leases, want 2", l)
	}
	step(40, time.Second) // past IdleWrite
	if e := cs.enqueues.Load(); e != 1 {
		t.Errorf("a minute idle: %d writes of the place, want 1", e)
	}
	punch(t, s, 1, clk.now())
	step(2, 2*time.Second) // past the feed's lag of 1 s
	if e := cs.enqueues.Load(); e != 2 || rc.count() != 2 {
		t.Errorf("after a punch: %d writes of the place and %d requests, want 2 and 2 (the punch and its day)", e, rc.count())
	}
}

// TestRetention: a delivered event leaves the log after the retention,
// pruned by a step.
func TestRetention(t *testing.T) {
	r := newRig(t, sqlstoretest.Backends()[0].Open(t), 204)
	s, clk := r.s, r.clk
	d := &webhook.Dispatcher{Store: s, Feed: r.f, Now: clk.now, AllowPrivate: true, Retention: 48 * time.Hour}
	r.firstPunch(t, d)
	if ds, _ := s.WebhookDeliveries(ctx, "we1", time.Time{}, 10); len(ds) != 2 || ds[0].State != store.DeliverySucceeded {
		t.Fatalf("delivered: %+v", ds)
	}
	clk.add(47 * time.Hour)
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.WebhookDeliveries(ctx, "we1", time.Time{}, 10); len(ds) != 2 {
		t.Errorf("47 h on: %d deliveries logged, want 2", len(ds))
	}
	clk.add(2 * time.Hour)
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.WebhookDeliveries(ctx, "we1", time.Time{}, 10); len(ds) != 0 {
		t.Errorf("49 h on: %d deliveries logged, want none", len(ds))
	}
}
