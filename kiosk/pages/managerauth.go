package pages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/pin"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// A manager signs in on the kiosk with their own badge and their PIN,
// checked offline against the verifier the kiosk pulled (app/pin). The
// session lives in the page's memory only and ends after ManagerIdle
// without a touch, at sign-out, or with the page.

// ManagerIdle is how long the manager view stays open untouched.
const ManagerIdle = 60 * time.Second

// ManagerSession is the manager signed in on this kiosk.
type ManagerSession struct {
	EmployeeID string
	Name       string
	Role       string
	// DepartmentID roots what they review ("*": every department).
	DepartmentID string
	last         time.Time
}

// The sign-in's refusals.
var (
	ErrNotManager = errors.New("pages: this badge is not a manager's on this kiosk")
	ErrWrongPIN   = errors.New("pages: wrong PIN")
)

// guardKey is where a person's PIN attempts are kept.
func guardKey(employeeID string) string { return "pin-guard:" + employeeID }

// ManagerFor finds the manager a badge belongs to: an employee of the
// kiosk's roster with a kiosk PIN.
func (e *Env) ManagerFor(ctx context.Context, badge string) (wire.KioskManager, attendance.Employee, error) {
	emp, ok, err := e.employee(ctx, badge)
	if err != nil {
		return wire.KioskManager{}, emp, err
	}
	if !ok {
		return wire.KioskManager{}, emp, ErrNotManager
	}
	// A manager past their leaving date signs in no more, even before
	// the next pull drops their PIN.
	if _, loc, err := e.Site(ctx); err == nil && !emp.ActiveAt(e.Now(ctx), loc) {
		return wire.KioskManager{}, emp, ErrNotManager
	}
	st, err := e.Outbox.Pull(ctx)
	if err != nil && !errors.Is(err, outbox.ErrNotFound) {
		return wire.KioskManager{}, emp, err
	}
	for _, m := range st.Managers {
		if m.EmployeeID == emp.ID {
			return m, emp, nil
		}
	}
	return wire.KioskManager{}, emp, ErrNotManager
}

// SignInManager checks a manager's PIN; the attempts are kept in the
// outbox (a reload does not reset them): after pin.MaxFailures wrong ones
// the next is refused with pin.ErrLocked, unchecked. On success the
// manager is signed in.
func (e *Env) SignInManager(ctx context.Context, m wire.KioskManager, emp attendance.Employee, p string) (pin.Guard, error) {
	var g pin.Guard
	raw, err := e.Outbox.Store().State(ctx, guardKey(m.EmployeeID))
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &g); err != nil {
			g = pin.Guard{}
		}
	case !errors.Is(err, outbox.ErrNotFound):
		return g, fmt.Errorf("pages: sign in: %w", err)
	}
	now := e.Clock()
	g, ok, lockErr := g.Try(m.PINHash, p, now)
	b, _ := json.Marshal(g)
	if err := e.Outbox.Store().SetState(ctx, guardKey(m.EmployeeID), b); err != nil {
		return g, fmt.Errorf("pages: sign in: %w", err)
	}
	if lockErr != nil {
		return g, lockErr
	}
	if !ok {
		return g, ErrWrongPIN
	}
	e.mu.Lock()
	e.mgr = &ManagerSession{EmployeeID: m.EmployeeID, Name: emp.Name, Role: m.Role, DepartmentID: m.DepartmentID, last: now}
	e.mu.Unlock()
	return g, nil
}

// Manager returns the signed-in manager, if their session is still open;
// touch counts this as activity.
func (e *Env) Manager(touch bool) (ManagerSession, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.mgr == nil {
		return ManagerSession{}, false
	}
	now := e.Clock()
	if now.Sub(e.mgr.last) >= ManagerIdle {
		e.mgr = nil
		return ManagerSession{}, false
	}
	if touch {
		e.mgr.last = now
	}
	return *e.mgr, true
}

// SignOutManager ends the manager's session.
func (e *Env) SignOutManager() {
	e.mu.Lock()
	e.mgr = nil
	e.mu.Unlock()
}

// Reviews reports whether the manager's scope holds an employee of the
// department: their department and those under it ("*": all).
func (m ManagerSession) Reviews(departmentID string, depts []attendance.Department) bool {
	if m.DepartmentID == "*" {
		return true
	}
	in := []string{m.DepartmentID}
	for grew := true; grew; {
		grew = false
		for _, d := range depts {
			if d.ParentID != "" && slices.Contains(in, d.ParentID) && !slices.Contains(in, d.ID) {
				in, grew = append(in, d.ID), true
			}
		}
	}
	return slices.Contains(in, departmentID)
}
