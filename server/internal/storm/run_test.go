package storm_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
	"punchclock/server/internal/storm"
)

// TestRun runs a small storm against a punchd on SQLite: every punch is
// answered accepted, stored once, and timed.
func TestRun(t *testing.T) {
	ctx := context.Background()
	// One clock for punchd and the kiosks, at an hour no rule cares about.
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	m, err := punchd.Open(ctx, punchd.Config{DB: filepath.Join(t.TempDir(), "p.db"), DataDir: t.TempDir(), WebDir: t.TempDir(), Log: slog.New(slog.DiscardHandler), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ks, err := storm.Seed(ctx, m.Store, 6, 100, now())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, k := range ks {
			k.Close()
		}
	}()
	if err := m.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go m.Serve()
	r, err := storm.Run(ctx, m.URL(), ks, 4, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Punches != 24 || len(r.Latencies) != 24 || r.Quantile(1) <= 0 {
		t.Errorf("%d punches, %d latencies, slowest %v", r.Punches, len(r.Latencies), r.Quantile(1))
	}
	ps, err := m.Store.Punches(ctx, store.PunchFilter{})
	if err != nil || len(ps) != 24 {
		t.Errorf("%d punches stored, want 24 (%v)", len(ps), err)
	}
}
