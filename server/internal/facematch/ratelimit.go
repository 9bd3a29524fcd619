package facematch

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter rate-limits attempts per kiosk and in total. Time comes from the
// caller (the service's clock), so tests step a fake clock instead of
// sleeping. The total limit keeps made-up kiosk ids from multiplying the
// allowance; the map is trimmed of idle kiosks when it grows.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	kiosks  map[string]*rate.Limiter
	total   *rate.Limiter
	maxKeys int
}

func newLimiter(perKiosk float64, burst int, total float64, totalBurst int) *limiter {
	return &limiter{
		every:   rate.Limit(perKiosk),
		burst:   burst,
		kiosks:  map[string]*rate.Limiter{},
		total:   rate.NewLimiter(rate.Limit(total), totalBurst),
		maxKeys: 10000,
	}
}

// allow takes n tokens for kiosk at now; it reports how long to wait when
// refused.
func (l *limiter) allow(kiosk string, n int, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.kiosks[kiosk]
	if k == nil {
		if len(l.kiosks) >= l.maxKeys {
			for id, v := range l.kiosks {
				if v.TokensAt(now) >= float64(v.Burst()) {
					delete(l.kiosks, id)
				}
			}
		}
		k = rate.NewLimiter(l.every, l.burst)
		l.kiosks[kiosk] = k
	}
	rk := k.ReserveN(now, n)
	if !rk.OK() || rk.DelayFrom(now) > 0 {
		d := rk.DelayFrom(now)
		rk.CancelAt(now)
		return false, d
	}
	rt := l.total.ReserveN(now, n)
	if !rt.OK() || rt.DelayFrom(now) > 0 {
		d := rt.DelayFrom(now)
		rt.CancelAt(now)
		rk.CancelAt(now)
		return false, d
	}
	return true, 0
}
