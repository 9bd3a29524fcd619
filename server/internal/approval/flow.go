// Package approval holds approval flows as pure state transitions: a
// request (a make-up punch, an out-of-fence or weak-GPS punch, a punch
// declared offline beforehand, overtime) is checked against its policy,
// routed to its approvers, and moved by decisions from pending to
// approved, rejected, withdrawn or expired. Nothing here reads a clock or
// a database: the service that stores requests passes "now" and the
// organisation in, and stores what comes out.
//
// Decisions are idempotent by their client id, like punches: a kiosk
// that decided offline and syncs twice, or two managers deciding at
// once, never decide twice; a decision on a request someone else already
// closed is a conflict the caller shows, not an error that loses it.
package approval

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// Kind is what a request asks.
type Kind string

// The kinds of request.
const (
	KindMakeup   Kind = "makeup_punch"     // 补卡: add a punch that was not made
	KindOutFence Kind = "out_of_fence"     // count a punch made outside the geofence
	KindWeakGPS  Kind = "weak_gps"         // count a punch with a poor location fix
	KindOffline  Kind = "offline_declared" // declared beforehand (a flight), proof within ProofWindow
	KindOvertime Kind = "overtime"
)

// Kinds lists the kinds.
var Kinds = []Kind{KindMakeup, KindOutFence, KindWeakGPS, KindOffline, KindOvertime}

// State is where a request stands.
type State string

// The states. Pending is the only open one.
const (
	Pending   State = "pending"
	Approved  State = "approved"
	Rejected  State = "rejected"
	Withdrawn State = "withdrawn"
	Expired   State = "expired"
)

// ProofWindow is how long after its declared time an offline-declared
// punch's proof may come.
const ProofWindow = 4 * time.Hour

// Step is one level of a request's route.
type Step struct {
	Level int `json:"level"`
	// ApproverID is the employee who decides at this level.
	ApproverID string `json:"approver_id"`
}

// Decision is one approver's verdict.
type Decision struct {
	// ID is the client's id of the decision (UUIDv7): the same decision
	// sent twice is applied once.
	ID       string    `json:"id"`
	Level    int       `json:"level"`
	By       string    `json:"by"`
	OnBehalf string    `json:"on_behalf,omitempty"` // the approver a delegate stood in for
	Approve  bool      `json:"approve"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// Request is one approval flow.
type Request struct {
	// ID is the client's id (UUIDv7): starting the same request twice
	// starts it once.
	ID         string     `json:"id"`
	Kind       Kind       `json:"kind"`
	EmployeeID string     `json:"employee_id"`
	Date       rules.Date `json:"date"`
	// PunchID is the punch the request is about (out of fence, weak GPS).
	PunchID string `json:"punch_id,omitempty"`
	// Time and Direction are the make-up or declared punch's.
	Time      time.Time            `json:"time,omitzero"`
	Direction attendance.Direction `json:"direction,omitempty"`
	// Minutes of overtime asked.
	Minutes int    `json:"minutes,omitempty"`
	Reason  string `json:"reason"`
	// Proof is the id of an attachment (a photo), required of an
	// offline-declared punch within ProofWindow of Time.
	Proof     string    `json:"proof,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`

	Route     []Step     `json:"route"`
	State     State      `json:"state"`
	Decisions []Decision `json:"decisions,omitempty"`
	ClosedAt  time.Time  `json:"closed_at,omitzero"`
}

// Policy is what a rule set allows of make-up punches.
type Policy struct {
	// MonthlyCap is how many make-up punches an employee may ask per
	// month (-1: unlimited; 0 to 99).
	MonthlyCap int `json:"monthly_cap"`
	// WindowDays is how many days back a make-up punch may be asked (1 to 180).
	WindowDays int `json:"window_days"`
	// CutoffDay is the day of the next month after which a month is
	// closed to make-up punches (1 to 28; 0: no cutoff).
	CutoffDay int `json:"cutoff_day"`
}

// DefaultPolicy is WeCom's usual: 3 a month, 30 days back, no cutoff.
var DefaultPolicy = Policy{MonthlyCap: 3, WindowDays: 30}

// Validate checks a policy.
func (p Policy) Validate() error {
	switch {
	case p.MonthlyCap < -1 || p.MonthlyCap > 99:
		return errors.New("monthly_cap must be -1 (unlimited) or 0 to 99")
	case p.WindowDays < 1 || p.WindowDays > 180:
		return errors.New("window_days must be 1 to 180")
	case p.CutoffDay < 0 || p.CutoffDay > 28:
		return errors.New("cutoff_day must be 0 (none) or 1 to 28")
	}
	return nil
}

// Refusal is why a request may not start or a decision may not be made.
type Refusal struct {
	// Code: "invalid", "cap_reached", "outside_window", "month_closed",
	// "not_approver", "closed" (someone decided or withdrew first),
	// "no_approver".
	Code    string
	Message string
}

func (r *Refusal) Error() string { return r.Message }

func refuse(code, format string, args ...any) error {
	return &Refusal{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Check says whether r may start at now, in the employee's zone loc,
// under p, the employee having usedThisMonth make-up punches already
// (pending or approved) in the month of r.Date.
func Check(r Request, p Policy, now time.Time, loc *time.Location, usedThisMonth int) error {
	if !slices.Contains(Kinds, r.Kind) {
		return refuse("invalid", "unknown kind %q", r.Kind)
	}
	if r.ID == "" || r.EmployeeID == "" || r.Date.IsZero() {
		return refuse("invalid", "a request needs its id, employee and date")
	}
	if len([]rune(r.Reason)) == 0 || len([]rune(r.Reason)) > 500 {
		return refuse("invalid", "give a reason of at most 500 characters")
	}
	today := rules.DateOf(now.In(loc))
	switch r.Kind {
	case KindMakeup:
		if r.Time.IsZero() || rules.DateOf(r.Time.In(loc)).Sub(r.Date) < -1 || rules.DateOf(r.Time.In(loc)).Sub(r.Date) > 1 {
			return refuse("invalid", "a make-up punch needs its time, on or next to its day")
		}
		if !r.Time.Before(now) {
			return refuse("invalid", "a make-up punch is for a time that has passed")
		}
		if today.Sub(r.Date) > p.WindowDays {
			return refuse("outside_window", "make-up punches may be asked up to %d days back", p.WindowDays)
		}
		if p.CutoffDay > 0 {
			y, m, _ := r.Date.Date()
			cutoff := rules.NewDate(y, m+1, p.CutoffDay)
			if today.Sub(cutoff) > 0 {
				return refuse("month_closed", "%d-%02d closed on the %d of the next month", y, m, p.CutoffDay)
			}
		}
		if p.MonthlyCap >= 0 && usedThisMonth >= p.MonthlyCap {
			return refuse("cap_reached", "%d make-up punches a month at most", p.MonthlyCap)
		}
	case KindOutFence, KindWeakGPS:
		if r.PunchID == "" {
			return refuse("invalid", "say which punch")
		}
	case KindOffline:
		if r.Time.IsZero() || !now.Before(r.Time.Add(ProofWindow)) && r.Proof == "" {
			return refuse("invalid", "declare the punch's time; its proof is due within %s of it", ProofWindow)
		}
	case KindOvertime:
		if r.Minutes < 1 || r.Minutes > 24*60 {
			return refuse("invalid", "overtime is 1 to 1440 minutes")
		}
	}
	return nil
}

// Routing is how requests find their approvers.
type Routing struct {
	Employees   []attendance.Employee
	Departments []attendance.Department
	// Matrix, set by HR, names the approvers by department and kind,
	// level after level; it beats the direct manager. A department
	// without an entry inherits its parent's.
	Matrix []MatrixEntry
	// Delegations let someone decide for an approver who is away.
	Delegations []Delegation
}

// MatrixEntry routes a kind of request of a department.
type MatrixEntry struct {
	DepartmentID string   `json:"department_id"`
	Kind         Kind     `json:"kind"`
	Approvers    []string `json:"approvers"` // level 1, 2, 3
}

// Delegation: Delegate decides for Approver from From to To.
type Delegation struct {
	Approver string    `json:"approver"`
	Delegate string    `json:"delegate"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
}

// Route returns the approvers of a request: the matrix's for the
// employee's department (or its nearest ancestor's) and kind, else the
// direct manager (the employee's own, else the department's, walking up
// past a department the employee manages), at most three levels, never
// the employee themselves.
func (g Routing) Route(r Request) ([]Step, error) {
	var emp attendance.Employee
	for _, e := range g.Employees {
		if e.ID == r.EmployeeID {
			emp = e
		}
	}
	if emp.ID == "" {
		return nil, refuse("invalid", "no employee %q", r.EmployeeID)
	}
	depts := map[string]attendance.Department{}
	for _, d := range g.Departments {
		depts[d.ID] = d
	}
	var ids []string
	for d, seen := emp.DepartmentID, 0; d != "" && seen < len(depts)+1 && ids == nil; d, seen = depts[d].ParentID, seen+1 {
		for _, m := range g.Matrix {
			if m.DepartmentID == d && m.Kind == r.Kind {
				ids = m.Approvers
			}
		}
	}
	if ids == nil {
		mgr := emp.ManagerID
		for d, seen := emp.DepartmentID, 0; (mgr == "" || mgr == emp.ID) && d != "" && seen <= len(depts); d, seen = depts[d].ParentID, seen+1 {
			mgr = depts[d].ManagerID
		}
		if mgr != "" && mgr != emp.ID {
			ids = []string{mgr}
		}
	}
	var route []Step
	for _, id := range ids {
		if id != "" && id != emp.ID && len(route) < 3 {
			route = append(route, Step{Level: len(route) + 1, ApproverID: id})
		}
	}
	if len(route) == 0 {
		return nil, refuse("no_approver", "nobody approves %s's requests: set a manager or an approval matrix", emp.ID)
	}
	return route, nil
}

// Level is the level waiting for a decision (0 when closed).
func (r Request) Level() int {
	if r.State != Pending {
		return 0
	}
	level := 1
	for _, d := range r.Decisions {
		if d.Approve && d.Level == level {
			level++
		}
	}
	return level
}

// Decide applies d to r at now: by must be the approver of the waiting
// level or their delegate at now. The same decision (by id) applied again
// returns r unchanged. Approval at the last level approves the request;
// a rejection at any level rejects it.
func Decide(r Request, d Decision, delegations []Delegation, now time.Time) (Request, error) {
	for _, old := range r.Decisions {
		if old.ID == d.ID {
			return r, nil
		}
	}
	if r.State != Pending {
		return r, refuse("closed", "this request is already %s", r.State)
	}
	if !d.Approve && d.Reason == "" {
		return r, refuse("invalid", "say why it is rejected")
	}
	level := r.Level()
	approver := r.Route[level-1].ApproverID
	d.Level, d.At, d.OnBehalf = level, now, ""
	if d.By != approver {
		stands := false
		for _, g := range delegations {
			if g.Approver == approver && g.Delegate == d.By && !now.Before(g.From) && now.Before(g.To) {
				stands = true
			}
		}
		if !stands {
			return r, refuse("not_approver", "only the approver of level %d, or their delegate, decides now", level)
		}
		d.OnBehalf = approver
	}
	r.Decisions = append(slices.Clip(r.Decisions), d)
	switch {
	case !d.Approve:
		r.State, r.ClosedAt = Rejected, now
	case level == len(r.Route):
		r.State, r.ClosedAt = Approved, now
	}
	return r, nil
}

// Withdraw closes a pending request at its requester's wish.
func Withdraw(r Request, by string, now time.Time) (Request, error) {
	if by != r.CreatedBy && by != r.EmployeeID {
		return r, refuse("not_approver", "only who asked may withdraw")
	}
	if r.State != Pending {
		return r, refuse("closed", "this request is already %s", r.State)
	}
	r.State, r.ClosedAt = Withdrawn, now
	return r, nil
}

// Expire closes an offline-declared request whose proof did not come
// within ProofWindow; it reports whether it did.
func Expire(r Request, now time.Time) (Request, bool) {
	if r.State == Pending && r.Kind == KindOffline && r.Proof == "" && !now.Before(r.Time.Add(ProofWindow)) {
		r.State, r.ClosedAt = Expired, now
		return r, true
	}
	return r, false
}

// Effects is what a request does to the rules engine's input: an
// approved make-up or declared punch is a correction; a decided
// out-of-fence, weak-GPS or overtime request is an approval (or a
// rejection) of that anomaly, and a pending one marks it pending with the
// approver it waits for. Pending make-up and declared punches, withdrawn
// and expired requests, and rejected punches that were never made, do
// nothing.
func Effects(r Request) ([]rules.Correction, []rules.Approval) {
	anomaly := map[Kind]rules.AnomalyCode{KindOutFence: rules.AnomalyOutOfFence, KindWeakGPS: rules.AnomalyLocUncertain, KindOvertime: rules.AnomalyOvertime}[r.Kind]
	if r.State == Pending && anomaly != "" {
		// Asked, not decided: the day shows the request and who it waits
		// for; it still needs approval.
		by := ""
		if l := r.Level(); l > 0 {
			by = r.Route[l-1].ApproverID
		}
		return nil, []rules.Approval{{ID: r.ID, EmployeeID: r.EmployeeID, Date: r.Date, Anomaly: anomaly, PunchID: r.PunchID, State: rules.ApprovalPending, By: by}}
	}
	if (r.State != Approved && r.State != Rejected) || len(r.Decisions) == 0 {
		return nil, nil
	}
	last := r.Decisions[len(r.Decisions)-1]
	state := rules.ApprovalApproved
	if r.State == Rejected {
		state = rules.ApprovalRejected
	}
	switch {
	case r.State == Approved && (r.Kind == KindMakeup || r.Kind == KindOffline):
		return []rules.Correction{{ID: r.ID, EmployeeID: r.EmployeeID, Time: r.Time, Direction: r.Direction, Reason: r.Reason, ApprovedBy: last.By}}, nil
	case anomaly != "":
		return nil, []rules.Approval{{ID: r.ID, EmployeeID: r.EmployeeID, Date: r.Date, Anomaly: anomaly, PunchID: r.PunchID, State: state, By: last.By, Note: last.Reason}}
	}
	return nil, nil
}
