package syncer_test

import (
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
