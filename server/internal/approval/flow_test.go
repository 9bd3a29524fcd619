package approval

import (
	"errors"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

var (
	sh  = mustZone("Asia/Shanghai")
	now = time.Date(2026, 3, 20, 10, 0, 0, 0, sh) // a Friday
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func code(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func makeup(daysBack int) Request {
	d := rules.DateOf(now).AddDays(-daysBack)
	return Request{ID: "r1", Kind: KindMakeup, EmployeeID: "E004", Date: d, Time: d.At(rules.Clock(9*60), sh), Direction: attendance.DirectionIn, Reason: "badge forgotten"}
}

// TestCheck: a make-up punch within the window, the cap and the cutoff
// starts; past any of them it is refused with its reason.
func TestCheck(t *testing.T) {
	p := Policy{MonthlyCap: 3, WindowDays: 30, CutoffDay: 5}
	for _, tc := range []struct {
		name string
		r    Request
		p    Policy
		used int
		want string
	}{
		{"yesterday", makeup(1), p, 0, ""},
		{"the cap reached", makeup(1), p, 3, "cap_reached"},
		{"unlimited", makeup(1), Policy{MonthlyCap: -1, WindowDays: 30}, 50, ""},
		{"a cap of 0", makeup(1), Policy{MonthlyCap: 0, WindowDays: 30}, 0, "cap_reached"},
		{"31 days back", makeup(31), Policy{MonthlyCap: 3, WindowDays: 30}, 0, "outside_window"},
		{"February after its cutoff on 5 March", makeup(25), p, 0, "month_closed"},
		{"February without a cutoff", makeup(25), Policy{MonthlyCap: 3, WindowDays: 30}, 0, ""},
		{"in the future", makeup(-1), p, 0, "invalid"},
		{"no reason", func() Request { r := makeup(1); r.Reason = ""; return r }(), p, 0, "invalid"},
		{"unknown kind", func() Request { r := makeup(1); r.Kind = "holiday"; return r }(), p, 0, "invalid"},
		{"out of fence without its punch", Request{ID: "r", Kind: KindOutFence, EmployeeID: "E004", Date: rules.DateOf(now), Reason: "at a client"}, p, 0, "invalid"},
		{"out of fence", Request{ID: "r", Kind: KindOutFence, EmployeeID: "E004", Date: rules.DateOf(now), PunchID: "p1", Reason: "at a client"}, p, 0, ""},
		{"overtime of 0 minutes", Request{ID: "r", Kind: KindOvertime, EmployeeID: "E004", Date: rules.DateOf(now), Reason: "stock take"}, p, 0, "invalid"},
		{"a flight tomorrow", Request{ID: "r", Kind: KindOffline, EmployeeID: "E004", Date: rules.DateOf(now).AddDays(1), Time: now.Add(24 * time.Hour), Reason: "flight to Munich"}, p, 0, ""},
		{"a declared punch 5 h ago without proof", Request{ID: "r", Kind: KindOffline, EmployeeID: "E004", Date: rules.DateOf(now), Time: now.Add(-5 * time.Hour), Reason: "flight"}, p, 0, "invalid"},
	} {
		if got := code(Check(tc.r, tc.p, now, sh, tc.used)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, bad := range []Policy{{MonthlyCap: -2, WindowDays: 30}, {MonthlyCap: 100, WindowDays: 30}, {MonthlyCap: 3, WindowDays: 181}, {MonthlyCap: 3, WindowDays: 30, CutoffDay: 29}} {
		if bad.Validate() == nil {
			t.Errorf("policy %+v validated", bad)
		}
	}
	if err := DefaultPolicy.Validate(); err != nil {
		t.Error(err)
	}
}

var org = Routing{
	Employees: []attendance.Employee{
		{ID: "E001", DepartmentID: "hq"}, {ID: "E002", DepartmentID: "retail"}, {ID: "E004", DepartmentID: "retail"},
		{ID: "E005", DepartmentID: "east", ManagerID: "E004"}, {ID: "E006", DepartmentID: "east"}, {ID: "E007", DepartmentID: "lab"},
	},
	Departments: []attendance.Department{
		{ID: "hq", ManagerID: "E001"}, {ID: "retail", ParentID: "hq", ManagerID: "E002"}, {ID: "east", ParentID: "retail"}, {ID: "lab"},
	},
}

// TestRoute: the direct manager by default (the employee's own, else the
// nearest department's, never oneself); an approval matrix, inherited by
// sub-departments, beats it; nobody to approve is said.
func TestRoute(t *testing.T) {
	route := func(g Routing, emp string, kind Kind) string {
		steps, err := g.Route(Request{EmployeeID: emp, Kind: kind})
		if err != nil {
			return code(err)
		}
		s := ""
		for _, st := range steps {
			s += st.ApproverID + " "
		}
		return s
	}
	for _, tc := range []struct{ emp, want string }{
		{"E004", "E002 "}, {"E005", "E004 "}, {"E006", "E002 "}, {"E002", "E001 "}, {"E001", "no_approver"}, {"E007", "no_approver"}, {"E999", "invalid"},
	} {
		if got := route(org, tc.emp, KindMakeup); got != tc.want {
			t.Errorf("route of %s: %q, want %q", tc.emp, got, tc.want)
		}
	}
	g := org
	g.Matrix = []MatrixEntry{{DepartmentID: "retail", Kind: KindOvertime, Approvers: []string{"E002", "E001", "E006", "E004"}}}
	if got := route(g, "E005", KindOvertime); got != "E002 E001 E006 " {
		t.Errorf("overtime of E005 by the matrix of its parent: %q", got)
	}
	if got := route(g, "E006", KindOvertime); got != "E002 E001 E004 " {
		t.Errorf("E006 is never their own approver: %q", got)
	}
	if got := route(g, "E005", KindMakeup); got != "E004 " {
		t.Errorf("a kind the matrix does not name goes to the manager: %q", got)
	}
}

// TestDecide: two levels approve in turn; the same decision twice counts
// once; someone who is not the approver is refused unless they stand in
// by delegation; a rejection needs its reason and closes the request; a
// decision after the close is a conflict; the requester may withdraw.
func TestDecide(t *testing.T) {
	r := makeup(1)
	r.CreatedBy, r.State = "E004", Pending
	r.Route = []Step{{1, "E002"}, {2, "E001"}}
	var err error
	if _, err = Decide(r, Decision{ID: "d0", By: "E006", Approve: true}, nil, now); code(err) != "not_approver" {
		t.Fatalf("a stranger decides: %v", err)
	}
	if r, err = Decide(r, Decision{ID: "d1", By: "E002", Approve: true}, nil, now); err != nil || r.State != Pending || r.Level() != 2 {
		t.Fatalf("level 1 approves: %+v %v", r, err)
	}
	if again, err := Decide(r, Decision{ID: "d1", By: "E002", Approve: true}, nil, now.Add(time.Minute)); err != nil || len(again.Decisions) != 1 || again.Level() != 2 {
		t.Errorf("the same decision again: %+v %v", again, err)
	}
	away := []Delegation{{Approver: "E001", Delegate: "E006", From: now.Add(-time.Hour), To: now.Add(time.Hour)}}
	if _, err := Decide(r, Decision{ID: "d2", By: "E006", Approve: true}, away, now.Add(2*time.Hour)); code(err) != "not_approver" {
		t.Errorf("a delegate after the delegation ended: %v", err)
	}
	if _, err := Decide(r, Decision{ID: "d2", By: "E001", Approve: false}, nil, now); code(err) != "invalid" {
		t.Errorf("a rejection without a reason: %v", err)
	}
	done, err := Decide(r, Decision{ID: "d2", By: "E006", Approve: true}, away, now)
	if err != nil || done.State != Approved || done.Decisions[1].OnBehalf != "E001" || !done.ClosedAt.Equal(now) {
		t.Fatalf("the delegate approves at level 2: %+v %v", done, err)
	}
	if _, err := Decide(done, Decision{ID: "d3", By: "E001", Approve: false, Reason: "no"}, nil, now); code(err) != "closed" {
		t.Errorf("a decision after the close: %v", err)
	}
	if _, err := Withdraw(done, "E004", now); code(err) != "closed" {
		t.Errorf("withdraw after approval: %v", err)
	}
	cs, as := Effects(done)
	if len(cs) != 1 || len(as) != 0 || cs[0].ApprovedBy != "E006" || !cs[0].Time.Equal(r.Time) {
		t.Errorf("effects of an approved make-up punch: %+v %+v", cs, as)
	}

	rej, err := Decide(r, Decision{ID: "d4", By: "E001", Approve: false, Reason: "you were on leave"}, nil, now)
	if err != nil || rej.State != Rejected {
		t.Fatalf("level 2 rejects: %+v %v", rej, err)
	}
	if cs, as := Effects(rej); len(cs)+len(as) != 0 {
		t.Errorf("a rejected make-up punch does something: %+v %+v", cs, as)
	}
	if _, err := Withdraw(r, "E002", now); code(err) != "not_approver" {
		t.Errorf("someone else withdraws: %v", err)
	}
	if w, err := Withdraw(r, "E004", now); err != nil || w.State != Withdrawn {
		t.Errorf("withdraw: %+v %v", w, err)
	}

	fence := Request{ID: "f", Kind: KindOutFence, EmployeeID: "E004", Date: rules.DateOf(now), PunchID: "p1", State: Pending, Route: []Step{{1, "E002"}}}
	fence, _ = Decide(fence, Decision{ID: "x", By: "E002", Approve: false, Reason: "not at a client"}, nil, now)
	if _, as := Effects(fence); len(as) != 1 || as[0].State != rules.ApprovalRejected || as[0].Anomaly != rules.AnomalyOutOfFence || as[0].PunchID != "p1" {
		t.Errorf("effects of a rejected out-of-fence punch: %+v", as)
	}
}

// TestExpire: a declared punch without proof expires ProofWindow after
// its time, not before; with proof it waits for its approver.
func TestExpire(t *testing.T) {
	r := Request{ID: "o", Kind: KindOffline, EmployeeID: "E004", Time: now, State: Pending}
	if _, done := Expire(r, now.Add(ProofWindow-time.Second)); done {
		t.Error("expired before its proof was due")
	}
	if e, done := Expire(r, now.Add(ProofWindow)); !done || e.State != Expired {
		t.Errorf("not expired when its proof was due: %+v", e)
	}
	r.Proof = "photo-1"
	if _, done := Expire(r, now.Add(48*time.Hour)); done {
		t.Error("a declared punch with its proof expired")
	}
}

// TestAutoFlows: an out-of-fence or weak-fix anomaly waiting for a
// decision becomes a flow whose id is the punch's, made again the same;
// other anomalies, and decided ones, make none.
func TestAutoFlows(t *testing.T) {
	punch := "019a7b3c-1d2e-7f00-8abc-0123456789ab"
	recs := []rules.DayRecord{{EmployeeID: "E005", Date: rules.DateOf(now), Anomalies: []rules.Anomaly{
		{Code: rules.AnomalyOutOfFence, PunchID: punch, Approval: rules.ApprovalNeed{State: rules.ApprovalRequired}},
		{Code: rules.AnomalyLocUncertain, PunchID: "p2", Approval: rules.ApprovalNeed{State: rules.ApprovalPending}},
		{Code: rules.AnomalyLate, Minutes: 5, Approval: rules.ApprovalNeed{State: rules.ApprovalRequired}},
	}}}
	fs := AutoFlows(recs)
	if len(fs) != 1 || fs[0].Kind != KindOutFence || fs[0].PunchID != punch || fs[0].EmployeeID != "E005" {
		t.Fatalf("flows: %+v", fs)
	}
	id := AutoID(punch, KindOutFence)
	if id != fs[0].ID || id == AutoID(punch, KindWeakGPS) || !attendance.IsUUIDv7(id) || id[:13] != punch[:13] {
		t.Errorf("auto id %s of punch %s", id, punch)
	}
}

// TestAutoFlowPlace: a weak-GPS punch's typed place is in its flow's
// reason, for the manager who decides on it.
func TestAutoFlowPlace(t *testing.T) {
	punch := "019a7b3c-1d2e-7f00-8abc-0123456789ac"
	recs := []rules.DayRecord{{EmployeeID: "E005", Date: rules.DateOf(now),
		Punches:   []rules.PunchUse{{ID: punch, Method: attendance.MethodGPS, Place: "Customer Xu's warehouse"}},
		Anomalies: []rules.Anomaly{{Code: rules.AnomalyLocUncertain, PunchID: punch, Approval: rules.ApprovalNeed{State: rules.ApprovalRequired}}}}}
	fs := AutoFlows(recs)
	if len(fs) != 1 || fs[0].Kind != KindWeakGPS || fs[0].Reason != "punched with a location too weak to tell; place given: Customer Xu's warehouse" {
		t.Fatalf("flows: %+v", fs)
	}
}
