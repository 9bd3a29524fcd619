package httpapi

import (
	"net/http"
	"sync/atomic"
)

// observed, when set (by tests, through ObserveRoutes), is told the route
// pattern and status of every answer, so the tests can check that each
// documented operation was exercised (package opcover).
var observed atomic.Pointer[func(pattern string, status int)]

// ObserveRoutes has f told the route pattern and status of every answer
// of every Server of the process (nil: nobody). It is for tests; f must
// be safe for concurrent use.
func ObserveRoutes(f func(pattern string, status int)) {
	if f == nil {
		observed.Store(nil)
		return
	}
	observed.Store(&f)
}

// statusWriter notes the status an answer was given (200 when the
// handler wrote a body without one).
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes of
// streamed answers, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
