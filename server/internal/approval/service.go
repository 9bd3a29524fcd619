package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
)

// Setting keys of the approval flows.
const (
	SettingPolicy      = "policy"      // Policy
	SettingMatrix      = "matrix"      // []MatrixEntry
	SettingDelegations = "delegations" // []Delegation
)

// Audit actions of the approval flows.
const (
	ActionStart    = "approval.start"
	ActionDecide   = "approval.decide"
	ActionWithdraw = "approval.withdraw"
	ActionSettings = "approval.settings"
	ActionMatrix   = "approval.matrix"
	ActionDelegate = "approval.delegate"
)

// Service stores requests and moves them through Check, Route, Decide,
// Withdraw and Expire.
type Service struct {
	Store store.Store
	Now   func() time.Time
	Audit *audit.Log
	Log   *slog.Logger
	// Rules, when set, is the rule set in force for a site (the
	// default's when the site has none): a rule set's make-up policy
	// comes before the settings' one.
	Rules func(ctx context.Context, siteID string) (rules.Config, error)

	// matrixMu serialises this instance's read-modify-write of the
	// matrix by units.
	matrixMu sync.Mutex
}

// wireErr turns a refusal into the API's error.
func wireErr(err error) error {
	var r *Refusal
	if !errors.As(err, &r) {
		return store.Coded(err)
	}
	switch r.Code {
	case "closed":
		return wire.Errorf(wire.CodeConflict, "%s", r.Message)
	case "not_approver":
		return wire.Errorf(wire.CodeForbidden, "%s", r.Message)
	}
	return wire.Errorf(wire.CodeInvalid, "%s (%s)", r.Message, r.Code)
}

func setting[T any](ctx context.Context, st store.Store, key string, def T) (T, error) {
	raw, err := st.ApprovalSetting(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return def, nil
	} else if err != nil {
		return def, store.Coded(err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return def, fmt.Errorf("approval: setting %s: %w", key, err)
	}
	return v, nil
}

// Policy returns the make-up punch policy of the approval settings: the
// one in force where a rule set has none.
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	return setting(ctx, s.Store, SettingPolicy, DefaultPolicy)
}

// PolicyFor returns the make-up punch policy an employee is under: their
// site's rule set's, else the settings'.
func (s *Service) PolicyFor(ctx context.Context, emp attendance.Employee) (Policy, error) {
	if s.Rules != nil {
		c, err := s.Rules(ctx, emp.SiteID)
		if err != nil {
			return Policy{}, store.Coded(err)
		}
		if m := c.Rules.Makeup; m != nil {
			return Policy{MonthlyCap: m.MonthlyCap, WindowDays: m.WindowDays, CutoffDay: m.CutoffDay}, nil
		}
	}
	return s.Policy(ctx)
}

func (s *Service) routing(ctx context.Context) (Routing, error) {
	var g Routing
	var err error
	if g.Employees, err = s.Store.Employees(ctx, store.EmployeeFilter{}); err != nil {
		return g, store.Coded(err)
	}
	if g.Departments, err = s.Store.Departments(ctx); err != nil {
		return g, store.Coded(err)
	}
	if g.Matrix, err = setting[[]MatrixEntry](ctx, s.Store, SettingMatrix, nil); err != nil {
		return g, err
	}
	g.Delegations, err = setting[[]Delegation](ctx, s.Store, SettingDelegations, nil)
	return g, err
}

func row(r Request) (store.ApprovalRow, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return store.ApprovalRow{}, fmt.Errorf("approval: encode: %w", err)
	}
	waiting := ""
	if l := r.Level(); l > 0 {
		waiting = r.Route[l-1].ApproverID
	}
	return store.ApprovalRow{ID: r.ID, Kind: string(r.Kind), EmployeeID: r.EmployeeID, Day: int32(r.Date), State: string(r.State),
		WaitingFor: waiting, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt, Body: body}, nil
}

// FromRow decodes a stored request.
func FromRow(a store.ApprovalRow) (Request, error) {
	var r Request
	if err := json.Unmarshal(a.Body, &r); err != nil {
		return r, fmt.Errorf("approval %s: decode: %w", a.ID, err)
	}
	return r, nil
}

// zone is the business-day zone of an employee's site.
func (s *Service) zone(ctx context.Context, emp attendance.Employee) *time.Location {
	if site, err := s.Store.Site(ctx, emp.SiteID); err == nil {
		if loc, err := time.LoadLocation(site.Zone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Start checks, routes and stores a new request made by by (an actor
// name); the same id started again returns the stored request, not new.
func (s *Service) Start(ctx context.Context, r Request, by string) (Request, bool, error) {
	if err := wire.CheckID("request id", r.ID); err != nil || !attendance.IsUUIDv7(r.ID) {
		return r, false, wire.Errorf(wire.CodeInvalid, "id must be the client's UUIDv7 of the request")
	}
	if old, err := s.Store.Approval(ctx, r.ID); err == nil {
		stored, err := FromRow(old)
		return stored, false, err
	}
	emp, err := s.Store.Employee(ctx, r.EmployeeID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !emp.Active {
		return r, false, wire.Errorf(wire.CodeInvalid, "no active employee %q", r.EmployeeID)
	} else if err != nil {
		return r, false, store.Coded(err)
	}
	now := s.Now()
	loc := s.zone(ctx, emp)
	policy, err := s.PolicyFor(ctx, emp)
	if err != nil {
		return r, false, err
	}
	used := 0
	if r.Kind == KindMakeup {
		y, m, _ := r.Date.Date()
		first := rules.NewDate(y, m, 1)
		rows, err := s.Store.Approvals(ctx, store.ApprovalFilter{EmployeeIDs: []string{r.EmployeeID}, Kind: string(KindMakeup), FromDay: int32(first), ToDay: int32(rules.NewDate(y, m+1, 1) - 1)})
		if err != nil {
			return r, false, store.Coded(err)
		}
		for _, a := range rows {
			if a.State == string(Pending) || a.State == string(Approved) {
				used++
			}
		}
	}
	if err := Check(r, policy, now, loc, used); err != nil {
		return r, false, wireErr(err)
	}
	g, err := s.routing(ctx)
	if err != nil {
		return r, false, err
	}
	if r.Route, err = g.Route(r); err != nil {
		return r, false, wireErr(err)
	}
	r.State, r.Decisions, r.CreatedAt, r.CreatedBy, r.ClosedAt = Pending, nil, now.UTC(), by, time.Time{}
	a, err := row(r)
	if err != nil {
		return r, false, err
	}
	stored, created, err := s.Store.StartApproval(ctx, a)
	if err != nil {
		return r, false, store.Coded(err)
	}
	if created {
		s.record(ctx, audit.Event{Actor: by, Action: ActionStart, Target: r.ID, Unit: emp.DepartmentID, Detail: map[string]any{"kind": r.Kind, "employee": r.EmployeeID, "date": r.Date}})
	}
	out, err := FromRow(stored)
	return out, created, err
}

// Get returns a request, expiring it first if its time has come.
func (s *Service) Get(ctx context.Context, id string) (Request, error) {
	a, err := s.Store.Approval(ctx, id)
	if err != nil {
		return Request{}, store.Coded(err)
	}
	r, err := FromRow(a)
	if err != nil {
		return r, err
	}
	if _, due := Expire(r, s.Now()); due {
		return s.expire(ctx, id)
	}
	return r, nil
}

// expire stores the expiry of a declared punch whose proof did not come.
func (s *Service) expire(ctx context.Context, id string) (Request, error) {
	return s.change(ctx, id, func(r Request) (Request, error) { r, _ = Expire(r, s.Now()); return r, nil })
}

// List returns the requests f selects.
func (s *Service) List(ctx context.Context, f store.ApprovalFilter) ([]Request, error) {
	rows, err := s.Store.Approvals(ctx, f)
	if err != nil {
		return nil, store.Coded(err)
	}
	out := make([]Request, 0, len(rows))
	for _, a := range rows {
		r, err := FromRow(a)
		if err != nil {
			return nil, err
		}
		if _, due := Expire(r, s.Now()); due {
			if r, err = s.expire(ctx, r.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// change applies fn to request id in the store's transaction.
func (s *Service) change(ctx context.Context, id string, fn func(Request) (Request, error)) (Request, error) {
	var out Request
	_, err := s.Store.UpdateApproval(ctx, id, func(a store.ApprovalRow) (store.ApprovalRow, error) {
		r, err := FromRow(a)
		if err != nil {
			return a, err
		}
		if out, err = fn(r); err != nil {
			return a, err
		}
		return row(out)
	})
	if errors.Is(err, store.ErrNotFound) {
		return out, wire.Errorf(wire.CodeNotFound, "no such request")
	}
	if err != nil {
		return out, wireErr(err)
	}
	return out, nil
}

// Decide applies decision d by the employee by.
func (s *Service) Decide(ctx context.Context, id string, d Decision, by string) (Request, error) {
	return s.DecideAt(ctx, id, d, by, time.Time{})
}

// MaxDecisionAge is how far back a decision made offline (on a kiosk) may
// be dated by the clock of the device that made it.
const MaxDecisionAge = 30 * 24 * time.Hour

// DecideAt is Decide for a decision made earlier elsewhere (a manager on
// a kiosk offline): it is dated at, the device's time of the decision,
// when that is plausible (not ahead of the server's clock, at most
// MaxDecisionAge back, and never before the request was made); else, and
// for a zero at, at the server's time.
func (s *Service) DecideAt(ctx context.Context, id string, d Decision, by string, at time.Time) (Request, error) {
	if !attendance.IsUUIDv7(d.ID) {
		return Request{}, wire.Errorf(wire.CodeInvalid, "a decision needs the client's UUIDv7 id")
	}
	if len([]rune(d.Reason)) > 500 {
		return Request{}, wire.Errorf(wire.CodeInvalid, "a reason is at most 500 characters")
	}
	delegations, err := setting[[]Delegation](ctx, s.Store, SettingDelegations, nil)
	if err != nil {
		return Request{}, err
	}
	d.By = by
	before := 0
	now := s.Now()
	made := now
	if !at.IsZero() && !at.After(now) && now.Sub(at) <= MaxDecisionAge {
		made = at
	}
	r, err := s.change(ctx, id, func(r Request) (Request, error) {
		before = len(r.Decisions)
		return Decide(r, d, delegations, later(made, r.CreatedAt))
	})
	if err == nil && len(r.Decisions) > before {
		last := r.Decisions[len(r.Decisions)-1]
		s.record(ctx, audit.Event{Actor: "employee:" + by, Action: ActionDecide, Target: id, Unit: s.unitOf(ctx, r.EmployeeID),
			Detail: map[string]any{"approve": d.Approve, "reason": d.Reason, "state": r.State, "decided_at": last.At.UTC()}})
	}
	return r, err
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// Withdraw closes a pending request at its requester's wish.
func (s *Service) Withdraw(ctx context.Context, id, by string) (Request, error) {
	r, err := s.change(ctx, id, func(r Request) (Request, error) { return Withdraw(r, by, s.Now()) })
	if err == nil {
		s.record(ctx, audit.Event{Actor: by, Action: ActionWithdraw, Target: id, Unit: s.unitOf(ctx, r.EmployeeID)})
	}
	return r, err
}

// Inputs returns the corrections and approvals that the requests of the
// employees (decided, or pending about an anomaly) give the rules engine
// for days from to to.
func Inputs(ctx context.Context, st store.Store, employeeIDs []string, from, to rules.Date) ([]rules.Correction, []rules.Approval, error) {
	rows, err := st.Approvals(ctx, store.ApprovalFilter{EmployeeIDs: employeeIDs, FromDay: int32(from), ToDay: int32(to)})
	if err != nil {
		return nil, nil, store.Coded(err)
	}
	var cs []rules.Correction
	var as []rules.Approval
	for _, a := range rows {
		if a.State != string(Approved) && a.State != string(Rejected) && a.State != string(Pending) {
			continue
		}
		r, err := FromRow(a)
		if err != nil {
			return nil, nil, err
		}
		c, ap := Effects(r)
		cs, as = append(cs, c...), append(as, ap...)
	}
	return cs, as, nil
}

// unitOf is the department of an employee, the unit of acts about them.
func (s *Service) unitOf(ctx context.Context, employeeID string) string {
	if e, err := s.Store.Employee(ctx, employeeID); err == nil {
		return e.DepartmentID
	}
	return ""
}

func (s *Service) record(ctx context.Context, ev audit.Event) {
	if s.Audit == nil {
		return
	}
	if _, err := s.Audit.Record(ctx, ev); err != nil && s.Log != nil {
		s.Log.Error("audit log: an act is not recorded", "action", ev.Action, "target", ev.Target, "err", err)
	}
}

// Settings are the approval flows' settings, as one document.
type Settings struct {
	Policy      Policy        `json:"policy"`
	Matrix      []MatrixEntry `json:"matrix"`
	Delegations []Delegation  `json:"delegations"`
}

// Settings returns the settings in force.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var out Settings
	var err error
	if out.Policy, err = s.Policy(ctx); err != nil {
		return out, err
	}
	if out.Matrix, err = setting(ctx, s.Store, SettingMatrix, []MatrixEntry{}); err != nil {
		return out, err
	}
	out.Delegations, err = setting(ctx, s.Store, SettingDelegations, []Delegation{})
	return out, err
}

// PutSettings checks and stores the settings: the policy's bounds, the
// matrix's departments, kinds and approvers, the delegations' people and
// periods.
func (s *Service) PutSettings(ctx context.Context, in Settings, actor string) (Settings, error) {
	if err := in.Policy.Validate(); err != nil {
		return in, wire.Errorf(wire.CodeInvalid, "policy: %v", err)
	}
	g, err := s.routing(ctx)
	if err != nil {
		return in, err
	}
	depts, emps := map[string]bool{}, map[string]bool{}
	for _, d := range g.Departments {
		depts[d.ID] = true
	}
	for _, e := range g.Employees {
		emps[e.ID] = e.Active
	}
	if err := checkMatrix(in.Matrix, depts, emps); err != nil {
		return in, err
	}
	for i, d := range in.Delegations {
		if !emps[d.Approver] || !emps[d.Delegate] || d.Approver == d.Delegate || !d.From.Before(d.To) {
			return in, wire.Errorf(wire.CodeInvalid, "delegations[%d]: two different active employees and a period whose start is before its end", i)
		}
	}
	if in.Matrix == nil {
		in.Matrix = []MatrixEntry{}
	}
	if in.Delegations == nil {
		in.Delegations = []Delegation{}
	}
	for key, v := range map[string]any{SettingPolicy: in.Policy, SettingMatrix: in.Matrix, SettingDelegations: in.Delegations} {
		b, err := json.Marshal(v)
		if err != nil {
			return in, err
		}
		if err := s.Store.PutApprovalSetting(ctx, key, b); err != nil {
			return in, store.Coded(err)
		}
	}
	s.record(ctx, audit.Event{Actor: actor, Action: ActionSettings, Target: "approval", Detail: in})
	return in, nil
}

// checkMatrix checks a matrix's departments, kinds and approvers against
// the organisation's departments and employees (id: active).
func checkMatrix(matrix []MatrixEntry, depts, emps map[string]bool) error {
	type key struct {
		dept string
		kind Kind
	}
	seen := map[key]bool{}
	for i, m := range matrix {
		switch {
		case !depts[m.DepartmentID]:
			return wire.Errorf(wire.CodeInvalid, "matrix[%d]: no department %q", i, m.DepartmentID)
		case !slices.Contains(Kinds, m.Kind):
			return wire.Errorf(wire.CodeInvalid, "matrix[%d]: unknown kind %q", i, m.Kind)
		case len(m.Approvers) == 0 || len(m.Approvers) > 3:
			return wire.Errorf(wire.CodeInvalid, "matrix[%d]: one to three approvers, level after level", i)
		case seen[key{m.DepartmentID, m.Kind}]:
			return wire.Errorf(wire.CodeInvalid, "matrix[%d]: department %q already has a route for %s", i, m.DepartmentID, m.Kind)
		}
		seen[key{m.DepartmentID, m.Kind}] = true
		for _, a := range m.Approvers {
			if !emps[a] {
				return wire.Errorf(wire.CodeInvalid, "matrix[%d]: no active employee %q", i, a)
			}
		}
	}
	return nil
}

// Matrix returns the approval matrix in force.
func (s *Service) Matrix(ctx context.Context) ([]MatrixEntry, error) {
	return setting(ctx, s.Store, SettingMatrix, []MatrixEntry{})
}

// PutUnitMatrix replaces the matrix entries of the departments mine holds
// (a business unit's, for its HR) with entries, and keeps every other
// entry: each unit routes its own requests. Every entry must be of a
// department mine holds; the caller checks that the approvers are its to
// name. unit is the audit entry's unit.
func (s *Service) PutUnitMatrix(ctx context.Context, mine func(departmentID string) bool, entries []MatrixEntry, actor, unit string) ([]MatrixEntry, error) {
	s.matrixMu.Lock()
	defer s.matrixMu.Unlock()
	g, err := s.routing(ctx)
	if err != nil {
		return nil, err
	}
	depts, emps := map[string]bool{}, map[string]bool{}
	for _, d := range g.Departments {
		depts[d.ID] = true
	}
	for _, e := range g.Employees {
		emps[e.ID] = e.Active
	}
	if err := checkMatrix(entries, depts, emps); err != nil {
		return nil, err
	}
	out := []MatrixEntry{}
	for _, m := range g.Matrix {
		if !mine(m.DepartmentID) {
			out = append(out, m)
		}
	}
	out = append(out, entries...)
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if err := s.Store.PutApprovalSetting(ctx, SettingMatrix, b); err != nil {
		return nil, store.Coded(err)
	}
	s.record(ctx, audit.Event{Actor: actor, Action: ActionMatrix, Target: "approval", Unit: unit, Detail: entries})
	return entries, nil
}

// PutOwnDelegations replaces the delegations of approver (a manager
// going away) with ds, whose Approver is set to approver; may(delegate)
// says whether approver may hand their decisions to that person. Other
// approvers' delegations are kept.
func (s *Service) PutOwnDelegations(ctx context.Context, approver string, ds []Delegation, may func(delegate string) bool, actor string) ([]Delegation, error) {
	s.matrixMu.Lock()
	defer s.matrixMu.Unlock()
	g, err := s.routing(ctx)
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	for _, e := range g.Employees {
		active[e.ID] = e.Active
	}
	out := []Delegation{}
	for _, d := range g.Delegations {
		if d.Approver != approver {
			out = append(out, d)
		}
	}
	for i := range ds {
		d := &ds[i]
		d.Approver = approver
		switch {
		case !may(d.Delegate):
			return nil, wire.Errorf(wire.CodeForbidden, "not allowed")
		case !active[d.Delegate] || d.Delegate == approver || !d.From.Before(d.To):
			return nil, wire.Errorf(wire.CodeInvalid, "delegations[%d]: another active employee and a period whose start is before its end", i)
		case d.To.Sub(d.From) > 366*24*time.Hour:
			return nil, wire.Errorf(wire.CodeInvalid, "delegations[%d]: a period of at most a year", i)
		}
	}
	out = append(out, ds...)
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if err := s.Store.PutApprovalSetting(ctx, SettingDelegations, b); err != nil {
		return nil, store.Coded(err)
	}
	s.record(ctx, audit.Event{Actor: actor, Action: ActionDelegate, Target: approver, Unit: s.unitOf(ctx, approver), Detail: ds})
	return ds, nil
}

// Delegations lists the delegations in force or to come.
func (s *Service) Delegations(ctx context.Context) ([]Delegation, error) {
	return setting(ctx, s.Store, SettingDelegations, []Delegation{})
}

// StandsFor lists the approvers an employee decides for at now: themselves
// and everyone who delegated to them for a period holding now.
func (s *Service) StandsFor(ctx context.Context, employeeID string) ([]string, error) {
	delegations, err := setting[[]Delegation](ctx, s.Store, SettingDelegations, nil)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := []string{employeeID}
	for _, g := range delegations {
		if g.Delegate == employeeID && !now.Before(g.From) && now.Before(g.To) && !slices.Contains(out, g.Approver) {
			out = append(out, g.Approver)
		}
	}
	return out, nil
}
