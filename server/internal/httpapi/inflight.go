package httpapi

import (
	"net/http"
	"strings"
	"sync"

	"punchclock/app/wire"
)

// Budget bounds the request bodies punchd holds in memory at once, so a
// flood of slow uploads cannot exhaust the host: every request reserves
// the bytes its body may take (its Content-Length, or the largest body
// the API accepts when it sends none) before its handler runs, and gives
// them back when the handler returns. A request that does not fit is
// answered rate_limited at once, before a byte of its body is read.
//
// Bodies come in two pools: small ones (at most SmallBody bytes: a
// kiosk's usual batch, an enrollment, an admin write) and large ones. A
// flood of large uploads then cannot crowd out the small batches kiosks
// send every few seconds; each client address may hold at most PerAddr
// bytes of either.
type Budget struct {
	// SmallBody is the largest body of the small pool.
	SmallBody int64
	// Small and Large are the sizes of the two pools, PerAddr the share
	// of one client address.
	Small, Large, PerAddr int64

	mu     sync.Mutex
	small  int64
	large  int64
	byAddr map[string]int64
}

// DefaultBudget is punchd's: 64 MiB of small bodies (a thousand kiosks'
// usual 64 KiB batches), 32 MiB of large ones (eight full 4 MiB batches),
// 16 MiB an address.
func DefaultBudget() *Budget {
	return &Budget{SmallBody: 64 << 10, Small: 64 << 20, Large: 32 << 20, PerAddr: 16 << 20}
}

// reserve takes n bytes for addr, or says no.
func (b *Budget) reserve(addr string, n int64) (release func(), ok bool) {
	if n <= 0 {
		return func() {}, true
	}
	pool, size := &b.small, b.Small
	if n > b.SmallBody {
		pool, size = &b.large, b.Large
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byAddr == nil {
		b.byAddr = map[string]int64{}
	}
	if *pool+n > size || b.byAddr[addr]+n > b.PerAddr {
		return nil, false
	}
	*pool += n
	b.byAddr[addr] += n
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		*pool -= n
		if b.byAddr[addr] -= n; b.byAddr[addr] <= 0 {
			delete(b.byAddr, addr)
		}
	}, true
}

// limit wraps h: a request whose body does not fit the budget is refused
// before it is read. A declared body above the API's largest is refused
// too_large without reading it.
func (b *Budget) limit(s *Server, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, most := r.ContentLength, maxBodyOf(r)
		switch {
		case n > most:
			s.writeError(w, r, wire.Errorf(wire.CodeTooLarge, "request body is larger than %d bytes", most))
			return
		case n < 0: // chunked: it may be as large as the route takes
			n = most
		}
		release, ok := b.reserve(s.clientAddr(r), n)
		if !ok {
			w.Header().Set("Retry-After", "2")
			s.writeError(w, r, wire.Errorf(wire.CodeRateLimited, "the server is receiving too much at once; try again shortly"))
			return
		}
		defer release()
		h.ServeHTTP(w, r)
	})
}

// maxBodyOf is the largest body r's route takes: a face enrolment's
// photos (MaxFaceBody), else a kiosk's batch (MaxBatchBody).
func maxBodyOf(r *http.Request) int64 {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/employees/") && strings.HasSuffix(r.URL.Path, "/face") {
		return MaxFaceBody
	}
	return MaxBatchBody
}
