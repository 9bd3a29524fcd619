package device_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/device"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/store"
	"punchclock/server/internal/store/storetest"
)

// TestCacheRevocation: a device in the cache stays trusted after another
// server revoked it only until Forget (the revocation's notice) or, should
// the notice be lost, until its entry is CacheTTL old.
func TestCacheRevocation(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	var mu sync.Mutex
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	svc := &device.Service{Store: st, Now: clock, CacheTTL: time.Minute}

	enroll := func() (string, string) {
		code, _, err := svc.IssueCode(ctx, "s1", 0, "test")
		if err != nil {
			t.Fatal(err)
		}
		pub, priv, _ := ed25519.GenerateKey(nil)
		resp, err := svc.Enroll(ctx, wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		auth := wire.SignRequest(resp.DeviceID, priv, "POST", "/api/v1/device/punches", clock(), nil)
		if _, err := svc.Identify(ctx, auth); err != nil {
			t.Fatal(err)
		}
		return resp.DeviceID, auth
	}
	known := func(auth string) bool { _, err := svc.Identify(ctx, auth); return err == nil }

	// Revoked elsewhere, notice received.
	id, auth := enroll()
	if err := st.RevokeDevice(ctx, id); err != nil {
		t.Fatal(err)
	}
	if !known(auth) {
		t.Fatal("a cached device was read again before its time")
	}
	svc.Forget(id)
	if known(auth) {
		t.Error("revoked device still trusted after Forget")
	}

	// Revoked elsewhere, notice lost: trusted until the entry is a minute old.
	id, auth = enroll()
	if err := st.RevokeDevice(ctx, id); err != nil {
		t.Fatal(err)
	}
	advance(59 * time.Second)
	if !known(auth) {
		t.Fatal("a cached device was read again before its time")
	}
	advance(time.Second)
	if known(auth) {
		t.Error("revoked device still trusted once its cache entry is CacheTTL old")
	}

	// The listener reconnected: everything is read again.
	id, auth = enroll()
	if err := st.RevokeDevice(ctx, id); err != nil {
		t.Fatal(err)
	}
	svc.ForgetAll()
	if known(auth) {
		t.Error("revoked device still trusted after ForgetAll")
	}
}

// seeded is a SQLite store with storetest's organisation, closed when the
// test ends.
func seeded(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	storetest.Seed(t, st)
	return st
}
