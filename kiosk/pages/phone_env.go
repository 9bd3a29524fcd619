package pages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"punchclock/app/attendance"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// PhoneDB is the IndexedDB database of an employee's phone. It is not the
// kiosk's: a tablet that is a kiosk and also opens a phone link keeps its
// kiosk identity, chain and queue untouched.
const PhoneDB = "punchclock-phone"

// PathActivate is the phone activation endpoint, relative to the server's
// base URL.
const PathActivate = "/api/v1/phones/activate"

// KeyPhoneEmployee is the outbox state key under which an activated phone
// keeps the employee it punches for, as the activation answer gave it.
// Activation is its only writer; later changes (a new name, a departure)
// come with the syncer's pulls.
const KeyPhoneEmployee = "phone.employee"

// Phone errors, by what the page must tell the employee.
var (
	// ErrNotActivated: the phone has no identity yet.
	ErrNotActivated = errors.New("pages: phone not activated")
	// ErrActivated: an activation link was opened on a phone that already
	// punches for someone; the link was not used.
	ErrActivated = errors.New("pages: phone already activated")
	// ErrNotKioskQR: the page was opened with something that is not a
	// kiosk's QR token.
	ErrNotKioskQR = errors.New("pages: not a kiosk QR code")
)

// PhoneEnv is an employee's phone in the browser: an Env over the phone's
// own database (PhoneDB), whose identity is the phone's device and whose
// pulled roster holds only its owner. The syncer, the clock offset and the
// change notifications are the kiosk's, unchanged; on top of them the phone
// activates with a one-time link (Activate) and punches with a kiosk's
// rotating QR token (PunchQR). The kiosk's Enroll and badge Punch are not
// for phones.
type PhoneEnv struct {
	*Env

	// call, when set, replaces the syncer as the signed request path
	// (native tests).
	call caller
	// mu serialises the request queues' read-modify-writes (and guards
	// hooked); send, their sends.
	mu, send sync.Mutex
	// hooked is the syncer that sends the queues at each sync (hookSyncer).
	hooked *syncer.Syncer
}

var (
	phoneOnce sync.Once
	phoneBoot func(context.Context) (*Env, error)
	phoneEnv  *PhoneEnv
	phoneErr  error
	phoneDone = make(chan struct{})
)

// BootPhone registers how the browser makes the phone's Env: as Boot does
// for the kiosk, but over PhoneDB and with the outbox's dedup window
// disabled (outbox.Options.DedupWindow < 0), because a phone punch is
// single use per QR token and the server, not a time window, refuses a
// reused one. wasm/main calls it before app.RunWhenOnBrowser; the first
// UsePhone runs it.
func BootPhone(open func(context.Context) (*Env, error)) { phoneBoot = open }

// UsePhone returns the phone's Env, making it on the first call (and
// starting its syncer if the phone is activated). It blocks until the Env
// is ready, so call it from ctx.Async.
func UsePhone(ctx context.Context) (*PhoneEnv, error) {
	phoneOnce.Do(func() {
		go func() {
			defer close(phoneDone)
			if phoneBoot == nil {
				phoneErr = errors.New("pages: no BootPhone function registered")
				return
			}
			env, err := phoneBoot(context.Background())
			if err == nil {
				err = env.start(context.Background())
			}
			if err != nil {
				phoneErr = err
				return
			}
			phoneEnv = &PhoneEnv{Env: env}
			phoneEnv.hookSyncer()
		}()
	})
	select {
	case <-phoneDone:
		return phoneEnv, phoneErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Activated reports whether the phone has an identity.
func (p *PhoneEnv) Activated() bool {
	_, err := p.Outbox.Identity()
	return err == nil
}

// Activate binds the phone to an employee with the one-time code of an
// admin's phone link: it makes the phone's Ed25519 key, sends the public
// half to the server at base, and stores the employee, the server, the
// clock offset, the first pull and last the identity, then starts the
// syncer. Errors wrap ErrActivated (the phone already punches for the
// employee returned), ErrUnknownCode, ErrUsedCode, ErrExpiredCode or
// ErrUnreachable, or are a *wire.Error (rate_limited, ...).
func (p *PhoneEnv) Activate(ctx context.Context, base, code, name string) (attendance.Employee, error) {
	if p.Activated() {
		emp, err := p.Employee(ctx)
		if err != nil {
			return attendance.Employee{}, err
		}
		return emp, ErrActivated
	}
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	code = strings.TrimSpace(code)
	if code == "" {
		return attendance.Employee{}, wire.Errorf(wire.CodeInvalid, "the activation link has no code")
	}
	er, key, sent, recv, err := postEnroll(ctx, p.Client, p.Clock, base+PathActivate, code, name)
	if err != nil {
		return attendance.Employee{}, err
	}
	if er.Employee == nil || er.Employee.ID == "" || er.DeviceID == "" {
		return attendance.Employee{}, wire.Errorf(wire.CodeInternal, "the server's answer names no employee or device")
	}
	// Everything but the identity first: the identity is what makes the
	// phone activated, so a page that dies half way leaves a phone that
	// is simply not activated, never one without its employee or server.
	st := p.Outbox.Store()
	if err := st.SetState(ctx, KeyServer, []byte(base)); err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: activate: %w", err)
	}
	emp, err := json.Marshal(er.Employee)
	if err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: activate: %w", err)
	}
	if err := st.SetState(ctx, KeyPhoneEmployee, emp); err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: activate: %w", err)
	}
	pull := outbox.PullState{Cursor: er.Pull.Cursor, At: recv.Round(0).UTC(), Site: &er.Site, Employees: er.Pull.Employees, Rules: er.Pull.Rules}
	if er.Pull.Site != nil {
		pull.Site = er.Pull.Site
	}
	if err := p.Outbox.SetPull(ctx, pull); err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: activate: %w", err)
	}
	if !er.ServerTime.IsZero() {
		rtt := max(recv.Sub(sent), 0)
		mid := sent.Add(rtt / 2)
		if err := p.Outbox.SetClock(ctx, outbox.ClockOffset{Offset: er.ServerTime.Sub(mid), RTT: rtt, At: mid}); err != nil {
			return attendance.Employee{}, fmt.Errorf("pages: activate: %w", err)
		}
	}
	id := outbox.Identity{DeviceID: er.DeviceID, Key: key, Site: er.Site, EnrolledAt: recv.Round(0).UTC()}
	if err := p.Outbox.SetIdentity(ctx, id); err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: activate: %w", err)
	}
	p.startSync(base)
	p.hookSyncer()
	p.notify()
	return *er.Employee, nil
}

// Employee returns the employee the phone punches for: as the latest pull
// describes them (the server sends the owner only), else as activation
// did. It fails with ErrNotActivated before activation.
func (p *PhoneEnv) Employee(ctx context.Context) (attendance.Employee, error) {
	if !p.Activated() {
		return attendance.Employee{}, ErrNotActivated
	}
	b, err := p.Outbox.Store().State(ctx, KeyPhoneEmployee)
	if err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: phone employee: %w", err)
	}
	var emp attendance.Employee
	if err := json.Unmarshal(b, &emp); err != nil {
		return attendance.Employee{}, fmt.Errorf("pages: phone employee: %w", err)
	}
	st, err := p.Outbox.Pull(ctx)
	if err != nil {
		return attendance.Employee{}, err
	}
	if i := slices.IndexFunc(st.Employees, func(e attendance.Employee) bool { return e.ID == emp.ID }); i >= 0 {
		emp = st.Employees[i]
	}
	return emp, nil
}

// PunchQR records a phone punch for the phone's employee with tok, a
// kiosk's rotating QR token, as its proof of presence: it is committed to
// the phone's outbox (chained and signed like a kiosk punch) before PunchQR
// returns, then the syncer is kicked. The server decides whether the token
// is fresh and unused; the entry's state tells the answer once synced.
// Errors wrap ErrNotActivated, ErrNotKioskQR, or the outbox's (ErrQuota).
func (p *PhoneEnv) PunchQR(ctx context.Context, tok string) (outbox.Entry, error) {
	emp, err := p.Employee(ctx)
	if err != nil {
		return outbox.Entry{}, err
	}
	// Parse only: the phone has no kiosk secret. It refuses what cannot
	// be a token (a mistyped or foreign URL) before it costs a chain slot.
	if _, err := token.Parse(tok); err != nil {
		return outbox.Entry{}, fmt.Errorf("%w: %w", ErrNotKioskQR, err)
	}
	e, err := p.Outbox.Record(ctx, attendance.Punch{
		EmployeeID: emp.ID,
		Method:     attendance.MethodQR,
		Evidence:   attendance.Evidence{QRToken: tok},
	})
	if err != nil {
		return outbox.Entry{}, err
	}
	if s := p.Syncer(); s != nil {
		s.Kick()
	}
	p.notify()
	return e, nil
}

// punchDirection is the provisional verdict on the phone's punch e, by the
// rules of the owner's site on the phone's own punches (see provisional).
func (p *PhoneEnv) punchDirection(ctx context.Context, e outbox.Entry) (attendance.Direction, int) {
	emp, err := p.Employee(ctx)
	if err != nil {
		return attendance.DirectionNone, 0
	}
	_, loc, err := p.Site(ctx)
	if err != nil {
		return attendance.DirectionNone, 0
	}
	return p.direction(ctx, emp, e.ID, loc)
}

// Recent returns the phone's punches still in its outbox (pending,
// rejected, and synced ones until the syncer prunes them), newest first,
// at most n of them (n <= 0: all).
func (p *PhoneEnv) Recent(ctx context.Context, n int) ([]outbox.Entry, error) {
	es, err := p.Outbox.Store().List(ctx, outbox.Filter{})
	if err != nil {
		return nil, fmt.Errorf("pages: recent punches: %w", err)
	}
	slices.Reverse(es)
	if n > 0 && len(es) > n {
		es = es[:n]
	}
	return es, nil
}
