package webhook

import "time"

// Schedule is the wait before each retry: after the first attempt fails,
// 5 s, then 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (the schedule the
// Standard Webhooks documentation gives as an example): eight attempts
// over 27 h 35 min, after which the delivery is marked failed.
var Schedule = []time.Duration{
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// Backoff is the wait after attempt n (from 1) failed; false when it was
// the last.
func Backoff(n int) (time.Duration, bool) {
	if n < 1 || n > len(Schedule) {
		return 0, false
	}
	return Schedule[n-1], true
}
