package pages

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// KeyServer is the outbox state key under which the pages keep the server's
// base URL given at enrollment. Enrollment is its only writer.
const KeyServer = "kiosk.server"

// PathEnroll is the enrollment endpoint, relative to the server's base URL.
const PathEnroll = "/api/v1/devices/enroll"

// Env is the kiosk's state the pages share in the browser: the outbox, the
// syncer once the kiosk is enrolled, and the roster cache. wasm/main makes
// one at start (Boot) and every page reaches it through Use; keeping it here
// rather than in main lets the punch and enrollment logic run in native
// tests over memstore.
type Env struct {
	// Outbox is the open outbox. Required.
	Outbox *outbox.Outbox
	// Client sends the enrollment request (http.DefaultClient in the
	// browser, where it uses fetch).
	Client syncer.Doer
	// Clock is the device's wall clock (time.Now).
	Clock func() time.Time
	// StartSync makes the syncer for the server at base and runs it in the
	// background; notify must be passed on as syncer.Config.Notify. It is
	// called once, when the kiosk is (or becomes) enrolled.
	StartSync func(base string, notify func()) (*syncer.Syncer, error)
	// Persisted is what navigator.storage.persist() answered, and
	// PersistErr why it could not be asked: the status strip warns when the
	// browser may evict the outbox.
	Persisted  bool
	PersistErr error

	mu      sync.Mutex
	sync    *syncer.Syncer
	syncErr error
	server  string
	eng     *rules.Engine // the rules of the latest pull, compiled (provisional.go)
	engErr  error
	engAt   uint64 // Outbox.PullGen eng was compiled from
	changed chan struct{}
	mgr     *ManagerSession // the manager signed in on this kiosk (managerauth.go)
	// health is the kiosk page's last snapshot for the syncer's report
	// (health.go).
	health    wire.Health
	healthSet bool
}

var (
	bootOnce sync.Once
	boot     func(context.Context) (*Env, error)
	bootEnv  *Env
	bootErr  error
	bootDone = make(chan struct{})
)

// Boot registers how the browser makes the Env (open IndexedDB, request
// persistence, open the outbox). wasm/main calls it before
// app.RunWhenOnBrowser; the first Use runs it.
func Boot(open func(context.Context) (*Env, error)) { boot = open }

// Use returns the Env, making it on the first call. It blocks until the
// Env is ready, so call it from ctx.Async.
func Use(ctx context.Context) (*Env, error) {
	bootOnce.Do(func() {
		go func() {
			defer close(bootDone)
			if boot == nil {
				bootErr = errors.New("pages: no Boot function registered")
				return
			}
			bootEnv, bootErr = boot(context.Background())
			if bootErr == nil {
				bootErr = bootEnv.start(context.Background())
			}
		}()
	})
	select {
	case <-bootDone:
		return bootEnv, bootErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start starts the syncer if the kiosk is already enrolled.
func (e *Env) start(ctx context.Context) error {
	if e.Clock == nil {
		e.Clock = time.Now
	}
	if _, err := e.Outbox.Identity(); errors.Is(err, outbox.ErrNotEnrolled) {
		return nil
	}
	b, err := e.Outbox.Store().State(ctx, KeyServer)
	switch {
	case errors.Is(err, outbox.ErrNotFound):
		b = nil // same origin
	case err != nil:
		return fmt.Errorf("pages: server url: %w", err)
	}
	e.startSync(string(b))
	return nil
}

// startSync starts the syncer once; a failure to make it is kept for the
// status strip rather than stopping the kiosk, which still records punches.
func (e *Env) startSync(base string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.server = base
	if e.sync != nil || e.StartSync == nil {
		return
	}
	e.sync, e.syncErr = e.StartSync(base, func() {
		e.notify()
		// Compile the rules of a new pull now, not at the next scan.
		go e.warmRules()
	})
	go e.warmRules() // the rules of enrollment's pull, or of the last run
}

// Changed returns a channel closed at the next change of the sync state or
// the outbox (a sync attempt, a punch, an enrollment).
func (e *Env) Changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.changed == nil {
		e.changed = make(chan struct{})
	}
	return e.changed
}

// notify wakes every Changed waiter. It never blocks: the syncer calls it.
func (e *Env) notify() {
	e.mu.Lock()
	if e.changed != nil {
		close(e.changed)
	}
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

// Syncer returns the running syncer, or nil before enrollment.
func (e *Env) Syncer() *syncer.Syncer {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sync
}

// Server returns the server base URL given at enrollment ("" for the
// page's own origin).
func (e *Env) Server() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.server
}

// Status is what the status strip shows.
type Status struct {
	syncer.Status
	// Started is false before the syncer runs (not enrolled, or it could
	// not be made: then StartErr says why).
	Started  bool
	StartErr error
}

// Status reports the queue and sync state.
func (e *Env) Status(ctx context.Context) (Status, error) {
	s := e.Syncer()
	if s == nil {
		st, err := e.Outbox.Stats(ctx)
		if err != nil {
			return Status{}, err
		}
		out := Status{StartErr: e.syncErr}
		out.Pending, out.Rejected = st.Pending, st.Rejected
		if !st.OldestPending.IsZero() {
			out.OldestPending = max(e.Clock().Sub(st.OldestPending), 0)
		}
		return out, nil
	}
	st, err := s.Status(ctx)
	if err != nil {
		return Status{}, err
	}
	return Status{Status: st, Started: true}, nil
}

// Enroll errors, by what the kiosk must tell the person at the screen.
var (
	ErrUnknownCode = errors.New("pages: unknown enrollment code")
	ErrUsedCode    = errors.New("pages: enrollment code already used")
	ErrExpiredCode = errors.New("pages: enrollment code expired")
	ErrUnreachable = errors.New("pages: server unreachable")
)

// postEnroll makes a device key and sends its public half with a one-time
// code to url (kiosk enrollment or phone activation, which answer alike).
// It returns the answer, the private key, and the device clock when the
// request left and the answer came back. Errors wrap ErrUnknownCode,
// ErrUsedCode, ErrExpiredCode or ErrUnreachable when the server said so,
// or are a *wire.Error for any other answer.
func postEnroll(ctx context.Context, client syncer.Doer, clock func() time.Time, url, code, name string) (er wire.EnrollResponse, key ed25519.PrivateKey, sent, recv time.Time, err error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return er, nil, sent, recv, fmt.Errorf("pages: enroll: key: %w", err)
	}
	sent = clock()
	body, err := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: name, DeviceTime: sent.Round(0).UTC()})
	if err != nil {
		return er, nil, sent, recv, fmt.Errorf("pages: enroll: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return er, nil, sent, recv, fmt.Errorf("pages: enroll: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return er, nil, sent, recv, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	recv = clock()
	if err != nil {
		return er, nil, sent, recv, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		return er, nil, sent, recv, enrollError(resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, &er); err != nil {
		return er, nil, sent, recv, fmt.Errorf("pages: enroll: decode answer: %w", err)
	}
	return er, key, sent, recv, nil
}

// enrollError turns an error answer to enrollment or activation into the
// error the screen explains.
func enrollError(status int, body []byte) error {
	var eb wire.ErrorBody
	if json.Unmarshal(body, &eb) != nil || eb.Error.Code == "" {
		return wire.Errorf(wire.CodeInternal, "server answered HTTP %d", status)
	}
	werr := &wire.Error{Code: eb.Error.Code, Message: eb.Error.Message}
	switch werr.Code {
	case wire.CodeUnauthorized:
		return fmt.Errorf("%w: %w", ErrUnknownCode, werr)
	case wire.CodeConflict:
		return fmt.Errorf("%w: %w", ErrUsedCode, werr)
	case wire.CodeExpired:
		return fmt.Errorf("%w: %w", ErrExpiredCode, werr)
	}
	return werr
}

// Enroll registers the kiosk with the server at base using a one-time
// code: it makes the device's Ed25519 key, sends the public half, and
// stores the identity, the QR secret, the clock offset and the first pull
// before it starts the syncer. Errors wrap ErrUnknownCode, ErrUsedCode,
// ErrExpiredCode or ErrUnreachable when the server said so, and a
// *wire.Error for any other answer.
func (e *Env) Enroll(ctx context.Context, base, code, name string) (attendance.Site, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	code = strings.TrimSpace(code)
	if code == "" {
		return attendance.Site{}, wire.Errorf(wire.CodeInvalid, "enter the enrollment code")
	}
	er, key, sent, recv, err := postEnroll(ctx, e.Client, e.Clock, base+PathEnroll, code, name)
	if err != nil {
		return attendance.Site{}, err
	}
	// The server URL first: should the page die between the writes, a
	// stored identity must never point the syncer at the wrong origin.
	if err := e.Outbox.Store().SetState(ctx, KeyServer, []byte(base)); err != nil {
		return attendance.Site{}, fmt.Errorf("pages: enroll: %w", err)
	}
	pull := outbox.PullState{
		Cursor: er.Pull.Cursor, At: recv.Round(0).UTC(), Site: &er.Site,
		Departments: er.Pull.Departments, Employees: er.Pull.Employees, Rules: er.Pull.Rules, Managers: er.Pull.Managers, Flows: er.Pull.Flows,
		TagKeys: er.Pull.TagKeys,
	}
	if er.Pull.Site != nil {
		pull.Site = er.Pull.Site
	}
	if err := e.Outbox.SetPull(ctx, pull); err != nil {
		return attendance.Site{}, fmt.Errorf("pages: enroll: %w", err)
	}
	if !er.ServerTime.IsZero() {
		rtt := max(recv.Sub(sent), 0)
		mid := sent.Add(rtt / 2)
		if err := e.Outbox.SetClock(ctx, outbox.ClockOffset{Offset: er.ServerTime.Sub(mid), RTT: rtt, At: mid}); err != nil {
			return attendance.Site{}, fmt.Errorf("pages: enroll: %w", err)
		}
	}
	id := outbox.Identity{DeviceID: er.DeviceID, Key: key, QRSecret: er.QRSecret, Site: er.Site, EnrolledAt: recv.Round(0).UTC()}
	if err := e.Outbox.SetIdentity(ctx, id); err != nil {
		return attendance.Site{}, fmt.Errorf("pages: enroll: %w", err)
	}
	e.startSync(base)
	e.notify()
	return er.Site, nil
}

// Outcome is what a scanned badge led to.
type Outcome int

// The outcomes of Env.Punch.
const (
	// Recorded: the punch is committed to the outbox.
	Recorded Outcome = iota
	// UnknownBadge: no employee has this badge in the cached roster; the
	// punch is recorded with the badge code only, for the server (whose
	// roster may be newer) and the manager to settle.
	UnknownBadge
	// InactiveBadge: the badge belongs to someone who has left; refused.
	InactiveBadge
	// Duplicate: the same employee punched the same way within the
	// outbox's dedup window; nothing new was stored.
	Duplicate
	// Failed: the punch could not be stored (Err says why: quota, a broken
	// database); the employee must be told it did not count.
	Failed
	// BadTag: an NFC tag whose punchclock token does not hold (copied to
	// another tag, edited, signed by an unknown key) or that carries
	// nothing to go by; Err says which. Nothing was stored.
	BadTag
)

// Confirmation is what the kiosk shows after a scan.
type Confirmation struct {
	Outcome  Outcome
	Code     string // the badge code read
	Employee attendance.Employee
	// Direction is the provisional in/out, and LateMin the provisional
	// lateness of an in-punch, from the rules engine run on the kiosk with
	// its own punches (or, without usable rules, from counting today's
	// punches); the server's evaluation decides for real.
	Direction attendance.Direction
	LateMin   int
	// At is the punch's time (corrected by the known offset when there is
	// one) in the site's zone.
	At     time.Time
	Method attendance.Method
	Err    error
}

// Site returns the kiosk's site and its zone (UTC if the zone does not
// load), from the latest pull or else the enrollment.
func (e *Env) Site(ctx context.Context) (attendance.Site, *time.Location, error) {
	id, err := e.Outbox.Identity()
	if err != nil {
		return attendance.Site{}, time.UTC, err
	}
	site := id.Site
	if st, err := e.Outbox.Pull(ctx); err == nil && st.Site != nil && st.Site.ID != "" {
		site = *st.Site
	}
	loc, err := site.Location()
	if err != nil {
		loc = time.UTC
	}
	return site, loc, nil
}

// Now returns the best known true time: the device clock corrected by the
// clock offset learnt from the server (in this run, or stored).
func (e *Env) Now(ctx context.Context) time.Time {
	now := e.Clock()
	if c, _, err := e.Outbox.Clock(ctx); err == nil {
		now = now.Add(c.Offset)
	}
	return now
}

// employee looks a badge code up in the roster of the latest pull, which
// the outbox indexes by badge when it stores the pull, not on a scan.
func (e *Env) employee(ctx context.Context, code string) (attendance.Employee, bool, error) {
	return e.Outbox.EmployeeByBadge(ctx, code)
}

// Punch records a badge punch for code and returns what to show. Only an
// Outcome of Recorded or UnknownBadge means a punch was committed; the
// syncer is kicked then.
func (e *Env) Punch(ctx context.Context, code string, method attendance.Method) Confirmation {
	emp, known, err := e.employee(ctx, code)
	if err != nil {
		return Confirmation{Code: code, Method: method, Outcome: Failed, Err: err}
	}
	p := attendance.Punch{Method: method, Evidence: attendance.Evidence{BadgeCode: code}}
	return e.record(ctx, Confirmation{Code: code, Method: method}, p, emp, known)
}

// record commits p for emp (known: in the roster) and fills c with what
// to show. p.EmployeeID may be set already (a signed NFC tag names its
// employee even when the roster does not hold them yet).
func (e *Env) record(ctx context.Context, c Confirmation, p attendance.Punch, emp attendance.Employee, known bool) Confirmation {
	_, loc, err := e.Site(ctx)
	if err != nil {
		c.Outcome, c.Err = Failed, err
		return c
	}
	switch {
	case known && !emp.ActiveAt(e.Now(ctx), loc):
		// Left, or past their leaving date by this kiosk's clock.
		c.Outcome, c.Employee = InactiveBadge, emp
		return c
	case known:
		c.Employee = emp
		p.EmployeeID = emp.ID
	default:
		c.Outcome = UnknownBadge
	}
	entry, err := e.Outbox.Record(ctx, p)
	switch {
	case errors.Is(err, outbox.ErrRecentDuplicate):
		c.Outcome = Duplicate
		c.At = punchTime(entry.Punch).In(loc)
		return c
	case err != nil:
		c.Outcome, c.Err = Failed, err
		return c
	}
	c.At = punchTime(entry.Punch).In(loc)
	if known {
		c.Direction, c.LateMin = e.direction(ctx, emp, entry.ID, loc)
	}
	if s := e.Syncer(); s != nil {
		s.KickPush()
	}
	e.notify()
	return c
}

// punchTime is the punch's best known true time.
func punchTime(p attendance.Punch) time.Time {
	if !p.EstTime.IsZero() {
		return p.EstTime
	}
	return p.DeviceTime
}

// direction is the provisional direction of the employee's latest punch:
// the first of the day (by this kiosk's records) is in, the next out, and
// so on. A failure to read only loses the hint.
func (e *Env) direction(ctx context.Context, emp attendance.Employee, punchID string, loc *time.Location) (attendance.Direction, int) {
	if dir, late, ok := e.provisional(ctx, emp, punchID, loc); ok {
		return dir, late
	}
	return e.countDirection(ctx, emp.ID, loc), 0
}

// countDirection guesses in or out by counting the employee's punches of
// today on this kiosk: odd is in.
func (e *Env) countDirection(ctx context.Context, employeeID string, loc *time.Location) attendance.Direction {
	es, err := e.Outbox.EmployeeToday(ctx, employeeID, loc)
	if err != nil {
		return attendance.DirectionNone
	}
	n := 0
	for _, en := range es {
		if en.State != outbox.StateRejected {
			n++
		}
	}
	if n%2 == 1 {
		return attendance.DirectionIn
	}
	return attendance.DirectionOut
}

// Roster returns the cached employees, for the manager view's names.
//
// The map is built once per pull and shared: callers must not modify it.
func (e *Env) Roster(ctx context.Context) (map[string]attendance.Employee, error) {
	return e.Outbox.EmployeesByID(ctx)
}
