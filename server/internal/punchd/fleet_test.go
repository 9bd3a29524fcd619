package punchd_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"punchclock/app/wire"
)

// TestFleet: a kiosk reports its health after a sync (protocol 2,
// signed); the admin's fleet view shows it with when the kiosk last
// synced, and highlights the kiosk once it has not synced for an hour by
// the server's clock. A bad report is refused whole; a protocol 1 kiosk
// that never reports still syncs its punches.
func TestFleet(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	old := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	if st, resp, eb := old.send([]wire.SignedPunch{old.punch("E004", clk.Now())}); st != 200 || resp.Results[0].Status != "accepted" {
		t.Fatalf("a protocol 1 kiosk's punch: %d %+v %+v", st, resp, eb)
	}
	report := func(h wire.Health) (int, wire.ErrorBody) {
		body := jsonBody(t, h)
		return call(t, "POST", base+"/api/v1/device/health", wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/health", clk.Now(), body), body, nil)
	}
	good := wire.Health{Protocol: 2, AppVersion: "v1.2.3", Pending: 4, OldestPending: t0.Add(-30 * time.Minute), OffsetMS: -1200,
		Face: "unreachable", StoragePersisted: true, StorageUsage: 1 << 20, StorageQuota: 1 << 30, Camera: "ok", At: clk.Now()}
	if st, eb := report(good); st != 200 {
		t.Fatalf("the health report: %d %+v", st, eb)
	}
	for what, h := range map[string]wire.Health{
		"protocol 1":     {Protocol: 1, Face: "none", Camera: "ok"},
		"a count < 0":    {Protocol: 2, Pending: -1, Face: "none", Camera: "ok"},
		"an odd face":    {Protocol: 2, Face: "maybe", Camera: "ok"},
		"an odd camera":  {Protocol: 2, Face: "none", Camera: "broken?"},
		"a NUL":          {Protocol: 2, AppVersion: "v\x00", Face: "none", Camera: "ok"},
		"a long version": {Protocol: 2, AppVersion: strings.Repeat("v", 65), Face: "none", Camera: "ok"},
	} {
		if st, eb := report(h); st != 400 || eb.Error.Code != wire.CodeInvalid {
			t.Errorf("%s: %d %+v, want invalid", what, st, eb)
		}
	}
	type kiosk struct {
		ID       string
		Stale    bool
		LastSync time.Time `json:"last_sync"`
		Health   *wire.Health
	}
	fleet := func() map[string]kiosk {
		var out struct{ Kiosks []kiosk }
		if st, eb := call(t, "GET", base+"/api/v1/admin/fleet", "Bearer "+admin, nil, &out); st != 200 {
			t.Fatalf("fleet: %d %+v", st, eb)
		}
		m := map[string]kiosk{}
		for _, x := range out.Kiosks {
			m[x.ID] = x
		}
		return m
	}
	f := fleet()
	if got := f[k.id]; got.Stale || got.Health == nil || got.Health.Pending != 4 || got.Health.Face != "unreachable" || !got.LastSync.Equal(t0) {
		t.Errorf("the reporting kiosk: %+v", got)
	}
	if got := f[old.id]; got.Stale || got.Health != nil || !got.LastSync.Equal(t0) {
		t.Errorf("the protocol 1 kiosk: %+v", got)
	}
	// 61 minutes later the first reports again, the second stays silent.
	clk.Set(t0.Add(61 * time.Minute))
	good.At = clk.Now()
	if st, eb := report(good); st != 200 {
		t.Fatalf("the second report: %d %+v", st, eb)
	}
	f = fleet()
	if !f[old.id].Stale || f[k.id].Stale {
		t.Errorf("after 61 minutes: the silent kiosk stale %v (want true), the reporting one %v (want false)", f[old.id].Stale, f[k.id].Stale)
	}
	if st, _ := call(t, "GET", base+"/api/v1/admin/fleet", "", nil, nil); st != 401 {
		t.Errorf("the fleet without credentials: %d", st)
	}
}
