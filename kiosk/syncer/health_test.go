package syncer_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// TestReportHealth: after a sync the kiosk reports its health, the page's
// part with the syncer's (protocol, offset, the time corrected by it), at
// most once a minute by its clock; without Config.Health it reports
// nothing.
func TestReportHealth(t *testing.T) {
	page := wire.Health{AppVersion: "v9", Face: "ready", Camera: "denied", StoragePersisted: true}
	e := newEnv(t, syncer.Config{Health: func() (wire.Health, bool) { return page, true }})
	for range 2 {
		if err := e.syncer.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.server.mu.Lock()
	got := append([]wire.Health(nil), e.server.healths...)
	e.server.mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("%d reports after two syncs within a minute, want 1", len(got))
	}
	h := got[0]
	if h.Protocol != wire.ProtocolVersion || h.AppVersion != "v9" || h.Face != "ready" || h.Camera != "denied" || !h.StoragePersisted || h.Pending != 0 || !h.OldestPending.IsZero() {
		t.Errorf("the report: %+v", h)
	}
	// The kiosk learnt the server's clock (skew ahead) on its first
	// exchange: the report carries that offset and a corrected time.
	if d := time.Duration(h.OffsetMS) * time.Millisecond; d < skew-time.Second || d > skew+time.Second {
		t.Errorf("offset %v, want about %v", d, skew)
	}
	if d := h.At.Sub(e.clock.Now().Add(skew)); d > time.Second || d < -time.Minute {
		t.Errorf("report time %v, kiosk time corrected %v", h.At, e.clock.Now().Add(skew))
	}
	e.clock.Advance(syncer.HealthEvery)
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e.server.mu.Lock()
	n := len(e.server.healths)
	e.server.mu.Unlock()
	if n != 2 {
		t.Errorf("%d reports a minute later, want 2", n)
	}

	quiet := newEnv(t, syncer.Config{})
	if err := quiet.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(quiet.server.healths) != 0 {
		t.Errorf("a syncer without Config.Health reported %d times", len(quiet.server.healths))
	}
}

// scanDuringPull is a transport that records a punch in the outbox (a
// badge scanned while the kiosk syncs) the first time the syncer pulls,
// after its push and before its health report.
type scanDuringPull struct {
	t     *testing.T
	e     *env
	once  sync.Once
	inner http.RoundTripper
}

func (s *scanDuringPull) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/pull") {
		s.once.Do(func() { s.e.record(s.t, 1, "E042") })
	}
	return s.inner.RoundTrip(r)
}

// TestReportHealthQueueEmptied: a report that showed a punch waiting is
// followed, as soon as a sync empties the queue, by one that shows it
// empty, without waiting HealthEvery (the fleet view would otherwise show
// the kiosk behind for a minute); a queue that stays empty waits the
// minute.
func TestReportHealthQueueEmptied(t *testing.T) {
	tr := &scanDuringPull{t: t}
	e := newEnv(t, syncer.Config{
		Client: &http.Client{Transport: tr},
		Health: func() (wire.Health, bool) { return wire.Health{AppVersion: "v9"}, true },
	})
	// The test server's own transport: in the browser (wasmbrowsertest)
	// it reaches the in-process server, where the default one would
	// fetch.
	tr.e, tr.inner = e, e.http.Client().Transport
	reports := func() []wire.Health {
		e.server.mu.Lock()
		defer e.server.mu.Unlock()
		return append([]wire.Health(nil), e.server.healths...)
	}
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reports(); len(got) != 1 || got[0].Pending != 1 || got[0].OldestPending.IsZero() {
		t.Fatalf("the report after a scan during the sync: %+v, want one with 1 punch waiting", got)
	}
	e.clock.Advance(time.Second)
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reports(); len(got) != 2 || got[1].Pending != 0 || !got[1].OldestPending.IsZero() {
		t.Fatalf("the reports a second later, the queue emptied: %+v, want a second one with none waiting", got)
	}
	e.clock.Advance(time.Second)
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reports(); len(got) != 2 {
		t.Errorf("%d reports with the queue still empty within the minute, want 2", len(got))
	}
}
