package groupcommit

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestSyncStage holds the sync stage on its first call and checks the
// pipeline around it: the group's callers wait for the sync, not for the
// group; the next group runs meanwhile (its keys were freed when the
// group ran, so a key's next request goes in it); no third group runs
// while two wait for a sync, and the requests that come meanwhile make
// one group; one sync then wakes the waiting groups; a failed sync is
// the error of every caller whose group reported none.
func TestSyncStage(t *testing.T) {
	held, release := make(chan struct{}), make(chan struct{})
	var syncs atomic.Int32
	syncErr := errors.New("disk gone")
	var mu sync.Mutex
	var groups [][]string
	c := NewSynced(100, 1, func(k string) string { return k }, func(ks []string) []error {
		mu.Lock()
		groups = append(groups, ks)
		mu.Unlock()
		errs := make([]error, len(ks))
		for i, k := range ks {
			if k == "refused" {
				errs[i] = errors.New("refused")
			}
		}
		return errs
	}, func() error {
		if syncs.Add(1) == 1 {
			close(held)
			<-release
			return nil
		}
		return syncErr // every sync after the first fails
	})
	defer c.Close()
	ran := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(groups)
	}

	first := make(chan error, 1)
	go func() { first <- c.Do("a") }()
	<-held // group 1 ran; its sync waits
	second := make(chan error, 1)
	go func() { second <- c.Do("a") }() // the same key, in group 2
	waitFor(t, func() bool { return ran() == 2 })
	select {
	case err := <-first:
		t.Fatalf("a caller woke before its group was synced: %v", err)
	case err := <-second:
		t.Fatalf("a caller woke before its group was synced: %v", err)
	default:
	}
	// Two groups wait for a sync: the next requests queue.
	rest := make(chan error, 3)
	for _, k := range []string{"b", "c", "refused"} {
		go func() { rest <- c.Do(k) }()
	}
	waitFor(t, func() bool { return c.Stats().Queued == 3 })
	if n := ran(); n != 2 {
		t.Fatalf("%d groups ran while two waited for a sync, want 2", n)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first: %v", err)
	}
	// Group 2's sync came after the first one: it failed.
	if err := <-second; !errors.Is(err, syncErr) {
		t.Errorf("second: %v, want the sync's error", err)
	}
	got := map[string]int{}
	for range 3 {
		err := <-rest
		switch {
		case errors.Is(err, syncErr):
			got["sync"]++
		case err != nil && err.Error() == "refused":
			got["refused"]++
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if got["sync"] != 2 || got["refused"] != 1 {
		t.Errorf("errors %v: want the sync's for b and c, refused's own for refused", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(groups) != 3 || len(groups[2]) != 3 {
		t.Errorf("groups %q: want [a] [a] [b c refused]", groups)
	}
	if s := c.Stats(); s.Syncs < 2 || s.Syncs > 3 {
		t.Errorf("%d syncs for 3 groups, the second and third may share one", s.Syncs)
	}
}

// TestSyncClose: Close wakes every caller, after its sync.
func TestSyncClose(t *testing.T) {
	var synced atomic.Int32
	c := NewSynced(4, 1, nil, func(ks []int) []error { return make([]error, len(ks)) }, func() error {
		synced.Add(1)
		return nil
	})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := c.Do(i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	c.Close()
	if synced.Load() == 0 {
		t.Error("no sync")
	}
	if err := c.Do(1); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
