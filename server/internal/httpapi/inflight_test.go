package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBudget: small and large bodies draw on their own pools, an address
// on its share of them, and a release gives the bytes back.
func TestBudget(t *testing.T) {
	b := &Budget{SmallBody: 10, Small: 30, Large: 100, PerAddr: 60}
	var releases []func()
	take := func(addr string, n int64, want bool) {
		t.Helper()
		r, ok := b.reserve(addr, n)
		if ok != want {
			t.Fatalf("reserve(%s, %d) = %v, want %v (small %d, large %d, by address %v)", addr, n, ok, want, b.small, b.large, b.byAddr)
		}
		if ok {
			releases = append(releases, r)
		}
	}
	take("a", 0, true)   // no body: free
	take("a", 40, true)  // large pool 40/100, a 40/60
	take("a", 30, false) // a would hold 70 > 60
	take("b", 50, true)  // large 90/100
	take("c", 20, false) // large would hold 110 > 100
	take("c", 10, true)  // a small body: its own pool, 10/30
	take("a", 10, true)  // small 20/30, a 50/60
	take("d", 10, true)  // small 30/30
	take("e", 5, false)  // small pool full: the large pool does not lend
	for _, r := range releases {
		r()
	}
	if b.small != 0 || b.large != 0 || len(b.byAddr) != 0 {
		t.Errorf("after every release: small %d, large %d, by address %v; want all zero", b.small, b.large, b.byAddr)
	}
	take("e", 100, false) // more than an address's share
	take("e", 60, true)
}

// TestTerminalBudget: the terminals' PUSH endpoint draws on the bodies'
// budget too; past it a terminal is told to come back (429), before any
// byte of its body is read.
func TestTerminalBudget(t *testing.T) {
	s := New(nil, nil, nil, "test")
	s.Bodies = &Budget{SmallBody: 10, Small: 10, Large: 100, PerAddr: 100}
	hold, ok := s.Bodies.reserve("10.0.0.1", 100) // a slow upload holds the large pool
	if !ok {
		t.Fatal("reserve")
	}
	defer hold()
	r := httptest.NewRequest("POST", "/iclock/cdata?SN=T1&table=ATTLOG", strings.NewReader(strings.Repeat("x", 50)))
	w := httptest.NewRecorder()
	s.TerminalHandler().ServeHTTP(w, r)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("a terminal past the budget: %d %q, want 429 with Retry-After", w.Code, w.Body)
	}
}
