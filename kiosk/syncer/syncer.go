// Package syncer drains the kiosk's outbox to the server and pulls the
// roster and rules back.
//
// Push sends pending punches in batches (at most MaxBatch) to
// POST /api/v1/device/punches, signed with the device key, and settles each
// punch by the server's answer: accepted or duplicate is synced; rejected
// with a retryable code stays pending; rejected with unauthorized stops the
// syncer; any other rejection (invalid, conflict, ...) parks the punch in
// the outbox's visible rejected list. The server keys punches by id, so
// resending a batch whose answer was lost is harmless: the punches it already
// stored come back as duplicates.
//
// Request-level failures — network errors, transient, internal,
// rate_limited and other codes — are retried by Run with exponential backoff
// and full jitter; unauthorized (an unknown or revoked device) is fatal: the
// syncer stops and reports it, because retrying cannot help and the kiosk
// must be enrolled again.
//
// Every answer that carries server_time teaches the device its clock offset,
// measured against the midpoint of the round trip, and the outbox stamps
// later punches with it.
//
// Pull sends GET /api/v1/device/pull?cursor=C (with If-None-Match: the ETag
// of the last answer) and stores what changed; 304 means nothing did.
//
// Time, randomness, waiting and HTTP are injected, so tests run natively
// against an httptest server without sleeping; in the browser the Doer is
// kiosk/fetch's Client, which calls the Fetch API directly.
package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// API paths, relative to Config.BaseURL.
const (
	PathPunches = "/api/v1/device/punches"
	PathPull    = "/api/v1/device/pull"
)

// MaxBatch is the most punches sent in one request.
const MaxBatch = 100

// Defaults of Config.
const (
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
	DefaultInterval   = 30 * time.Second
	DefaultKeep       = 7 * 24 * time.Hour
)

// maxResponse bounds the bytes read from one answer.
const maxResponse = 8 << 20

// Errors. They wrap the cause, so errors.Is and errors.As (*wire.Error)
// work on what Push, Pull and Run return.
var (
	// ErrFatal marks an error that stops the syncer (unauthorized, a
	// revoked device, no identity); Run returns it.
	ErrFatal = errors.New("syncer: fatal")
	// ErrOffline marks a request that got no HTTP answer.
	ErrOffline = errors.New("syncer: server unreachable")
)

// Doer sends HTTP requests; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Config configures a Syncer. Outbox, Client, Clock, Rand and Wait are
// required.
type Config struct {
	// BaseURL is the server's origin, e.g. "https://punch.example.com";
	// "" sends same-origin requests (the PWA in the browser). Requests are
	// signed over the API path only.
	BaseURL string
	Client  Doer
	Outbox  *outbox.Outbox
	// Clock is the device's wall clock (time.Now in production: its
	// monotonic reading makes the round-trip measure exact).
	Clock func() time.Time
	// Rand returns a uniform number in [0, 1) for the backoff jitter
	// (math/rand/v2.Float64 in production).
	Rand func() float64
	// Wait waits d or until ctx is done, then returns ctx.Err() (Sleep in
	// production).
	Wait func(ctx context.Context, d time.Duration) error
	// BatchSize is the punches per request; MaxBatch when 0 or larger.
	BatchSize int
	// MinBackoff and MaxBackoff bound the retry delays (before jitter).
	MinBackoff, MaxBackoff time.Duration
	// Interval is the pause between syncs when all went well; Kick ends it.
	Interval time.Duration
	// Keep is how long synced punches stay for the manager view.
	Keep time.Duration
	// Notify, when set, is called after each sync attempt and state change,
	// so the UI can refresh its Status. It runs on the syncer's goroutine:
	// it must not block, nor call Push, Pull or SyncOnce.
	Notify func()
	// Health, when set, is what the page knows of the kiosk's health (its
	// version, face service, storage, camera); ok false sends no report
	// (a phone). See ReportHealth.
	Health func() (h wire.Health, ok bool)
}

// Status is what the kiosk's status strip shows.
type Status struct {
	// Online is whether the last request got an HTTP answer.
	Online bool
	// Pending and Rejected count outbox entries; OldestPending is how long
	// the oldest pending punch has waited (by the device clock).
	Pending       int
	Rejected      int
	OldestPending time.Duration
	// LastSync is the device time of the last push or pull that succeeded.
	LastSync time.Time
	// Offset is server minus device time; OffsetKnown is false before the
	// first answer ever.
	Offset      time.Duration
	OffsetKnown bool
	// Failures counts consecutive failed syncs; NextRetry is when Run tries
	// again after one.
	Failures  int
	NextRetry time.Time
	// LastError is the last failure, "" after a success.
	LastError string
	// Fatal is set once the syncer stopped for good.
	Fatal error
}

// Syncer moves punches from the outbox to the server. Its methods are safe
// for concurrent use; Push and Pull serialise.
type Syncer struct {
	cfg  Config
	base string

	run sync.Mutex // one exchange at a time: batches must not overlap
	dmu sync.Mutex // the decisions' state (decisions.go)

	mu            sync.Mutex
	batch         int
	online        bool
	lastSync      time.Time
	failures      int
	nextRetry     time.Time
	lastErr       string
	fatal         error
	kicked        bool                          // a kick came while no wait was under way
	kickFull      bool                          // a kick asked for a whole sync, not a push only
	wake          context.CancelFunc            // ends the wait under way
	fullAt        time.Time                     // device time of the last whole sync that succeeded
	healthAt      time.Time                     // device time of the last health report punchd took
	healthPending int                           // the punches waiting in that report
	tasks         []func(context.Context) error // AddTask
}

// New checks cfg and makes a Syncer.
func New(cfg Config) (*Syncer, error) {
	switch {
	case cfg.Outbox == nil:
		return nil, errors.New("syncer: no outbox")
	case cfg.Client == nil:
		return nil, errors.New("syncer: no http client")
	case cfg.Clock == nil || cfg.Rand == nil || cfg.Wait == nil:
		return nil, errors.New("syncer: clock, rand and wait are required")
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > MaxBatch {
		cfg.BatchSize = MaxBatch
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	return &Syncer{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), batch: cfg.BatchSize}, nil
}

// Sleep waits d or until ctx is done and returns ctx.Err(): the Config.Wait
// of production (tests inject one that does not sleep).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return ctx.Err()
}

// Backoff is the delay before retry number attempt (1 for the first): a
// uniform random fraction r ∈ [0, 1) of base·2^(attempt-1), capped at limit
// ("full jitter", so kiosks that lost the server together do not all come
// back together).
func Backoff(attempt int, base, limit time.Duration, r float64) time.Duration {
	ceiling := base
	for i := 1; i < attempt && ceiling < limit; i++ {
		if ceiling > limit/2 {
			ceiling = limit // and no overflow
			break
		}
		ceiling *= 2
	}
	ceiling = min(ceiling, limit)
	return time.Duration(r * float64(ceiling))
}

// Run syncs until ctx is done or a fatal error: after a success it waits
// Interval (or until a kick), after a failure a growing, jittered backoff.
// A KickPush during the wait pushes only, and the wait goes on to the
// next whole sync. It returns ctx.Err() or the fatal error.
func (s *Syncer) Run(ctx context.Context) error {
	full := true
	for {
		var err error
		if full {
			err = s.SyncOnce(ctx)
		} else {
			err = s.PushOnce(ctx)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrFatal) {
			return err
		}
		if err != nil {
			s.mu.Lock()
			d := Backoff(s.failures, s.cfg.MinBackoff, s.cfg.MaxBackoff, s.cfg.Rand())
			s.nextRetry = s.cfg.Clock().Add(d)
			s.mu.Unlock()
			s.notify()
			if err := s.cfg.Wait(ctx, d); ctx.Err() != nil {
				return ctx.Err()
			} else if err != nil {
				return fmt.Errorf("syncer: wait: %w", err)
			}
			full = true
			continue
		}
		if full, err = s.idle(ctx, full); err != nil {
			return err
		}
	}
}

// idle waits until the next whole sync is due (Interval after the last
// one, which was the sync just done if afterFull), or less if kicked. full
// reports whether a whole sync is due: the wait ran out, a Kick came, or
// the interval has passed; false after a KickPush only.
func (s *Syncer) idle(ctx context.Context, afterFull bool) (full bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	left := s.cfg.Interval
	if !afterFull {
		// The device clock may jump: a wait stays within one interval.
		left = min(max(s.cfg.Interval-s.cfg.Clock().Sub(s.fullAt), 0), s.cfg.Interval)
	}
	if s.kicked || left == 0 {
		full = s.kickFull || left == 0
		s.kicked, s.kickFull = false, false
		s.mu.Unlock()
		return full, nil
	}
	s.wake = cancel
	s.mu.Unlock()
	err = s.cfg.Wait(wctx, left)
	s.mu.Lock()
	woken := wctx.Err() != nil && ctx.Err() == nil
	full = !woken || s.kickFull || s.cfg.Clock().Sub(s.fullAt) >= s.cfg.Interval
	s.wake, s.kicked, s.kickFull = nil, false, false
	s.mu.Unlock()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil && !woken {
		return false, fmt.Errorf("syncer: wait: %w", err)
	}
	return full, nil
}

// Kick asks Run for a whole sync now (the browser went online, a decision
// or a task was queued). It does not cut a backoff short: a server that is
// failing is not hammered by a busy entrance.
func (s *Syncer) Kick() { s.kick(true) }

// KickPush asks Run to push the punches now (one was just recorded),
// leaving the prune and the pull to the next whole sync: at a busy
// entrance, punches come back to back, and each whole sync's IndexedDB
// work and pull share the page's one thread with the next scan.
func (s *Syncer) KickPush() { s.kick(false) }

func (s *Syncer) kick(full bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kickFull = s.kickFull || full
	if s.wake != nil {
		s.wake()
		return
	}
	s.kicked = true
}

// SyncOnce pushes every pending punch and decision, prunes old synced
// punches, pulls, reports the kiosk's health and runs the tasks.
func (s *Syncer) SyncOnce(ctx context.Context) error {
	err := s.Push(ctx)
	if err == nil {
		err = s.PushDecisions(ctx)
	}
	if err == nil {
		if _, perr := s.cfg.Outbox.Prune(ctx, s.cfg.Keep); perr != nil {
			err = fmt.Errorf("syncer: %w", perr)
		}
	}
	if err == nil {
		err = s.Pull(ctx)
	}
	if err == nil {
		s.ReportHealth(ctx)
		err = s.runTasks(ctx)
	}
	if err == nil {
		s.mu.Lock()
		s.fullAt = s.cfg.Clock()
		s.mu.Unlock()
	}
	s.settle(err)
	return err
}

// PushOnce pushes every pending punch, and reports the kiosk's health
// when one is due (a queue just emptied is): Run's answer to KickPush.
func (s *Syncer) PushOnce(ctx context.Context) error {
	err := s.Push(ctx)
	if err == nil {
		s.ReportHealth(ctx)
	}
	s.settle(err)
	return err
}

// AddTask adds f to what every sync does once the punches, decisions and
// pull went through: the phone sends its queued requests there, so one
// made offline goes out when the server answers again, page or no page.
// f runs on the syncer's goroutine; it may Call but not SyncOnce, and its
// error counts as the sync's (a network error backs off like a push's).
func (s *Syncer) AddTask(f func(context.Context) error) {
	s.mu.Lock()
	s.tasks = append(s.tasks, f)
	s.mu.Unlock()
	s.Kick()
}

// runTasks runs the AddTask functions in order, up to the first error.
func (s *Syncer) runTasks(ctx context.Context) error {
	s.mu.Lock()
	tasks := s.tasks
	s.mu.Unlock()
	for _, f := range tasks {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

// settle records the outcome of a sync in the status.
func (s *Syncer) settle(err error) {
	s.mu.Lock()
	switch {
	case err == nil:
		s.failures, s.lastErr, s.nextRetry = 0, "", time.Time{}
	case errors.Is(err, ErrFatal):
		if s.fatal == nil {
			s.fatal = err
		}
		s.lastErr = err.Error()
	default:
		s.failures++
		s.lastErr = err.Error()
	}
	s.mu.Unlock()
	s.notify()
}

func (s *Syncer) notify() {
	if s.cfg.Notify != nil {
		s.cfg.Notify()
	}
}

// Status reports the sync state and the outbox counts.
func (s *Syncer) Status(ctx context.Context) (Status, error) {
	st, err := s.cfg.Outbox.Stats(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("syncer: status: %w", err)
	}
	now := s.cfg.Clock()
	out := Status{Pending: st.Pending, Rejected: st.Rejected}
	if !st.OldestPending.IsZero() {
		out.OldestPending = max(now.Sub(st.OldestPending), 0)
	}
	if c, _, err := s.cfg.Outbox.Clock(ctx); err == nil {
		out.Offset, out.OffsetKnown = c.Offset, true
	} else if !errors.Is(err, outbox.ErrNotFound) {
		return Status{}, fmt.Errorf("syncer: status: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out.Online, out.LastSync, out.Failures, out.NextRetry = s.online, s.lastSync, s.failures, s.nextRetry
	out.LastError, out.Fatal = s.lastErr, s.fatal
	return out, nil
}

// fatalErr returns the error that stopped the syncer, if any.
func (s *Syncer) fatalErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fatal
}

// stop makes err fatal.
func (s *Syncer) stop(err error) error {
	err = fmt.Errorf("%w: %w", ErrFatal, err)
	s.mu.Lock()
	if s.fatal == nil {
		s.fatal = err
	}
	s.mu.Unlock()
	s.notify()
	return err
}

// identity returns the device identity; none is fatal (not enrolled).
func (s *Syncer) identity() (outbox.Identity, error) {
	id, err := s.cfg.Outbox.Identity()
	if err != nil {
		return id, s.stop(err)
	}
	return id, nil
}

// Push sends pending punches until none is left, or returns the error that
// stopped it. Punches settled before an error stay settled.
func (s *Syncer) Push(ctx context.Context) error {
	s.run.Lock()
	defer s.run.Unlock()
	if err := s.fatalErr(); err != nil {
		return err
	}
	id, err := s.identity()
	if err != nil {
		return err
	}
	for {
		s.mu.Lock()
		n := s.batch
		s.mu.Unlock()
		es, err := s.cfg.Outbox.Pending(ctx, n)
		if err != nil {
			return fmt.Errorf("syncer: push: %w", err)
		}
		if len(es) == 0 {
			return nil
		}
		settled, err := s.pushBatch(ctx, id, es)
		if err != nil {
			return err
		}
		if settled == 0 {
			// Nothing moved (every result missing or retryable): going
			// round again would resend the same batch at once.
			return fmt.Errorf("syncer: push: server settled none of %d punches", len(es))
		}
	}
}

// pushBatch sends one batch and settles its punches; it returns how many it
// settled.
func (s *Syncer) pushBatch(ctx context.Context, id outbox.Identity, es []outbox.Entry) (int, error) {
	sent := s.cfg.Clock()
	req := wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: id.DeviceID, SentAt: sent.Round(0).UTC()}
	for _, e := range es {
		req.Punches = append(req.Punches, e.Signed)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return 0, fmt.Errorf("syncer: push: encode: %w", err)
	}
	x, err := s.do(ctx, id, http.MethodPost, PathPunches, sent, body, nil)
	if err != nil {
		return 0, fmt.Errorf("syncer: push: %w", err)
	}
	if x.resp.StatusCode != http.StatusOK {
		werr := apiError(x)
		switch werr.Code {
		case wire.CodeUnauthorized:
			return 0, s.stop(fmt.Errorf("syncer: push: %w", werr))
		case wire.CodeTooLarge:
			// Smaller batches next time; the backoff retries them.
			s.mu.Lock()
			s.batch = max(1, len(es)/2)
			s.mu.Unlock()
		}
		return 0, fmt.Errorf("syncer: push: %w", werr)
	}
	var resp wire.BatchResponse
	if err := json.Unmarshal(x.body, &resp); err != nil {
		return 0, fmt.Errorf("syncer: push: decode answer: %w", err)
	}
	if err := s.learn(ctx, x, resp.ServerTime); err != nil {
		return 0, err
	}
	results := make(map[string]wire.PunchResult, len(resp.Results))
	for _, r := range resp.Results {
		results[r.ID] = r
	}
	var (
		marks []outbox.Mark
		retry *wire.Error
		fatal *wire.Error
	)
	at := x.recv
	for _, e := range es {
		r, ok := results[e.ID]
		if !ok {
			retry = wire.Errorf(wire.CodeInternal, "no result for punch %s", e.ID)
			continue
		}
		switch {
		case r.Status == wire.StatusAccepted || r.Status == wire.StatusDuplicate:
			marks = append(marks, outbox.Mark{ID: e.ID, State: outbox.StateSynced, At: at, Flags: r.Flags})
		case r.Status == wire.StatusRejected && r.Code == wire.CodeUnauthorized:
			fatal = &wire.Error{Code: r.Code, Message: r.Message}
		case r.Status == wire.StatusRejected && r.Code.Retryable():
			retry = &wire.Error{Code: r.Code, Message: r.Message}
		case r.Status == wire.StatusRejected:
			// invalid, conflict and any code this build does not know:
			// resending cannot change the answer; park it for a manager.
			marks = append(marks, outbox.Mark{ID: e.ID, State: outbox.StateRejected, At: at, Code: r.Code, Message: r.Message, Flags: r.Flags})
		default:
			retry = wire.Errorf(wire.CodeInternal, "unknown status %q for punch %s", r.Status, e.ID)
		}
	}
	if err := s.cfg.Outbox.Mark(ctx, marks); err != nil {
		return 0, fmt.Errorf("syncer: push: %w", err)
	}
	s.mu.Lock()
	s.lastSync = x.recv
	s.batch = min(s.cfg.BatchSize, s.batch*2) // back up after a too_large
	s.mu.Unlock()
	switch {
	case fatal != nil:
		return len(marks), s.stop(fmt.Errorf("syncer: push: %w", fatal))
	case retry != nil:
		return len(marks), fmt.Errorf("syncer: push: %w", retry)
	}
	return len(marks), nil
}
