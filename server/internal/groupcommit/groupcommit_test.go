package groupcommit

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

type req struct {
	key string
	n   int // the request's rank among its key's
}

// TestGroups holds the worker on a first request until 60 more queued,
// then checks the groups: at most max, one request per key, each key's
// requests in the order they came, each caller given its own error.
func TestGroups(t *testing.T) {
	held, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var groups [][]req
	c := New(8, 1, func(r req) string { return r.key }, func(rs []req) []error {
		if rs[0].key == "first" {
			close(held)
			<-release
		}
		mu.Lock()
		groups = append(groups, rs)
		mu.Unlock()
		errs := make([]error, len(rs))
		for i, r := range rs {
			errs[i] = fmt.Errorf("%s/%d", r.key, r.n)
		}
		return errs
	})
	firstDone := make(chan error)
	go func() { firstDone <- c.Do(req{key: "first"}) }()
	<-held

	// Sixty requests of three keys queue behind it, in a known order.
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := range 60 {
		key, n := fmt.Sprintf("k%d", i%3), i/3
		wg.Go(func() {
			if err := c.Do(req{key: key, n: n}); err == nil || err.Error() != fmt.Sprintf("%s/%d", key, n) {
				errs <- fmt.Errorf("request %s/%d got %v", key, n, err)
			}
		})
		waitFor(t, func() bool { return c.Stats().Queued == int64(i+1) })
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := <-firstDone; err == nil || err.Error() != "first/0" {
		t.Errorf("first: %v", err)
	}
	next := map[string]int{}
	for _, g := range groups[1:] {
		if len(g) > 8 {
			t.Errorf("group of %d", len(g))
		}
		seen := map[string]bool{}
		for _, r := range g {
			if seen[r.key] {
				t.Errorf("two requests of %s in one group", r.key)
			}
			seen[r.key] = true
			if r.n != next[r.key] {
				t.Errorf("%s: request %d handled before %d", r.key, r.n, next[r.key])
			}
			next[r.key] = r.n + 1
		}
	}
	if len(groups) != 1+20 {
		t.Errorf("%d groups, want 21 (the first, then 20 of the three keys)", len(groups))
	}
	c.Close()
	if err := c.Do(req{key: "late"}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
	}
}

// TestWorkers runs groups side by side: never more than the workers, and
// never two running groups holding one key.
func TestWorkers(t *testing.T) {
	var mu sync.Mutex
	active := map[string]bool{}
	running, most := 0, 0
	var bad []string
	c := New(4, 3, func(r req) string { return r.key }, func(rs []req) []error {
		mu.Lock()
		running++
		most = max(most, running)
		for _, r := range rs {
			if active[r.key] {
				bad = append(bad, r.key)
			}
			active[r.key] = true
		}
		mu.Unlock()
		for range 100 {
			runtime.Gosched()
		}
		mu.Lock()
		running--
		for _, r := range rs {
			delete(active, r.key)
		}
		mu.Unlock()
		return make([]error, len(rs))
	})
	defer c.Close()
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Go(func() {
			if err := c.Do(req{key: fmt.Sprintf("k%d", i%7)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 || most > 3 {
		t.Errorf("keys in two running groups: %v; %d groups at once (at most 3)", bad, most)
	}
	if st := c.Stats(); st.Handled != 400 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
}
