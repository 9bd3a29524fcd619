package punchd

import (
	"context"
	"time"
)

// DefaultLocationRetention is how long field staff's location points are
// kept unless configured: where a person was is theirs, kept only as
// long as the attendance it supports may be questioned (a quarter).
const DefaultLocationRetention = 90 * 24 * time.Hour

// pruneLocations deletes the location points older than the retention,
// at once and then every cfg.PruneEvery, until the returned stop is called
// (which waits for it). A negative retention keeps them all.
func (m *Main) pruneLocations(cfg Config) (stop func()) {
	keep := cfg.LocationRetention
	if keep == 0 {
		keep = DefaultLocationRetention
	}
	every := cfg.PruneEvery
	if every <= 0 {
		every = time.Hour
	}
	if keep < 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	prune := func() {
		if n, err := m.Store.PruneLocations(ctx, cfg.Now().Add(-keep)); err != nil && ctx.Err() == nil {
			cfg.Log.Warn("location retention: pruning failed", "err", err)
		} else if n > 0 {
			cfg.Log.Info("location retention: points deleted", "points", n, "older_than", keep)
		}
	}
	prune() // before punchd serves: no trail read shows an expired point
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				prune()
			}
		}
	}()
	return func() { cancel(); <-done }
}
