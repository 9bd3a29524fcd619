package httpapi

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// Rate limits of API tokens: requests a minute, set when a token is
// issued (0 takes the default). A token's bucket holds a minute's
// requests and refills evenly; it lives in the database (store.TakeWait),
// so every punchd on it counts the same requests and a restart resets
// nothing.
const (
	DefaultTokenRate = 600
	MaxTokenRate     = 60000
)

// retryAfter is an error that tells the client when to try again: its
// answer carries a Retry-After header of whole seconds (at least 1).
type retryAfter struct {
	wait time.Duration
	err  error
}

func (e *retryAfter) Error() string { return e.err.Error() }
func (e *retryAfter) Unwrap() error { return e.err }

// retrySeconds is the Retry-After header of err, "" when it has none.
func retrySeconds(err error) string {
	var ra *retryAfter
	if !errors.As(err, &ra) {
		return ""
	}
	return strconv.Itoa(max(1, int(math.Ceil(ra.wait.Seconds()))))
}

// take takes a request from the bucket key (burst requests, one more
// every every); an empty bucket is wire.CodeRateLimited with the time
// its next token needs.
func (s *Server) take(r *http.Request, key string, every time.Duration, burst int, msg string) error {
	wait, err := s.Store.TakeWait(r.Context(), key, s.Now(), every, burst)
	if err != nil {
		return store.Coded(err)
	}
	if wait > 0 {
		return &retryAfter{wait: wait, err: wire.Errorf(wire.CodeRateLimited, "%s", msg)}
	}
	return nil
}

// allowToken takes a request of token t from its bucket.
func (s *Server) allowToken(r *http.Request, t store.Token) error {
	rate := t.RatePerMin
	if rate <= 0 {
		rate = DefaultTokenRate
	}
	return s.take(r, "token:"+t.ID, time.Minute/time.Duration(rate), rate,
		fmt.Sprintf("this token may make %d requests a minute; wait before the next", rate))
}
