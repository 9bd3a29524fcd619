package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// The approval flow endpoints (WeCom's "approval flow" integration):
// start, list, get, decide, withdraw. People act within their scope; an
// approver sees and decides the requests waiting for them; a decision is
// made only by a person who is the approver (or their delegate).

type startFlowRequest struct {
	ID         string               `json:"id"`
	Kind       approval.Kind        `json:"kind"`
	EmployeeID string               `json:"employee_id"`
	Date       rules.Date           `json:"date"`
	PunchID    string               `json:"punch_id,omitempty"`
	Time       time.Time            `json:"time,omitzero"`
	Direction  attendance.Direction `json:"direction,omitempty"`
	Minutes    int                  `json:"minutes,omitempty"`
	Reason     string               `json:"reason"`
	Proof      string               `json:"proof,omitempty"`
}

type decideRequest struct {
	// ID is the client's UUIDv7 of the decision: sent twice, applied once.
	ID      string `json:"id"`
	Approve bool   `json:"approve"`
	Reason  string `json:"reason,omitempty"`
}

// requester is who starts or withdraws: a person's employee id, else the
// token's actor name.
func requester(r *http.Request) string {
	c := callerOf(r)
	if c.User != nil && c.User.EmployeeID != "" {
		return c.User.EmployeeID
	}
	return c.actor()
}

func (s *Server) startFlow(w http.ResponseWriter, r *http.Request) error {
	var req startFlowRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	if err := s.allowEmployee(r.Context(), sc, req.EmployeeID); err != nil {
		return err
	}
	flow, created, err := s.Approvals.Start(r.Context(), approval.Request{ID: req.ID, Kind: req.Kind, EmployeeID: req.EmployeeID, Date: req.Date,
		PunchID: req.PunchID, Time: req.Time, Direction: req.Direction, Minutes: req.Minutes, Reason: req.Reason, Proof: req.Proof}, requester(r))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, flow)
}

// allowFlow checks that the caller may see request id: its employee is in
// the caller's scope, or the caller is on its route.
func (s *Server) allowFlow(r *http.Request, id string) (approval.Request, error) {
	sc, err := s.scopeOf(r)
	if err != nil {
		return approval.Request{}, err
	}
	flow, err := s.Approvals.Get(r.Context(), id)
	if sc == nil {
		return flow, err
	}
	if err != nil {
		return flow, errNotAllowed
	}
	if me := callerOf(r).User.EmployeeID; me != "" {
		// An approver on the route, or their delegate now, sees it.
		approvers, err := s.Approvals.StandsFor(r.Context(), me)
		if err != nil {
			return flow, err
		}
		for _, st := range flow.Route {
			if slices.Contains(approvers, st.ApproverID) {
				return flow, nil
			}
		}
	}
	return flow, s.allowEmployee(r.Context(), sc, flow.EmployeeID)
}

func (s *Server) getFlow(w http.ResponseWriter, r *http.Request) error {
	flow, err := s.allowFlow(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flow)
}

// listFlows answers GET /approval/flow?employee_id=&state=&kind=&from=&to=&waiting_for=me.
func (s *Server) listFlows(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.ApprovalFilter{State: q.Get("state"), Kind: q.Get("kind"), Limit: 1000}
	for _, b := range []struct {
		name string
		day  *int32
	}{{"from", &f.FromDay}, {"to", &f.ToDay}} {
		if v := q.Get(b.name); v != "" {
			var d rules.Date
			if err := d.UnmarshalText([]byte(v)); err != nil {
				return wire.Errorf(wire.CodeInvalid, "%s must be a date (YYYY-MM-DD)", b.name)
			}
			*b.day = int32(d)
		}
	}
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	c := callerOf(r)
	switch {
	case q.Get("waiting_for") == "me":
		if c.User == nil || c.User.EmployeeID == "" {
			return wire.Errorf(wire.CodeInvalid, "waiting_for=me is for a person who approves")
		}
		approvers, err := s.Approvals.StandsFor(r.Context(), c.User.EmployeeID)
		if err != nil {
			return err
		}
		var all []approval.Request
		for _, a := range approvers {
			f.WaitingFor = a
			flows, err := s.Approvals.List(r.Context(), f)
			if err != nil {
				return err
			}
			all = append(all, flows...)
		}
		return writeJSON(w, http.StatusOK, map[string][]approval.Request{"flows": nonNil(all)})
	case q.Get("employee_id") != "":
		if err := s.allowEmployee(r.Context(), sc, q.Get("employee_id")); err != nil {
			return err
		}
		f.EmployeeIDs = []string{q.Get("employee_id")}
	case sc != nil:
		emps, err := s.Store.Employees(r.Context(), store.EmployeeFilter{})
		if err != nil {
			return storeErr(err)
		}
		f.EmployeeIDs = []string{}
		for _, e := range inScope(sc, emps) {
			f.EmployeeIDs = append(f.EmployeeIDs, e.ID)
		}
		if len(f.EmployeeIDs) == 0 {
			return writeJSON(w, http.StatusOK, map[string][]approval.Request{"flows": {}})
		}
	}
	flows, err := s.Approvals.List(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string][]approval.Request{"flows": nonNil(flows)})
}

func (s *Server) decideFlow(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	if c.User == nil || c.User.EmployeeID == "" {
		return errNotAllowed
	}
	if _, err := s.allowFlow(r, r.PathValue("id")); err != nil {
		return err
	}
	var req decideRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	flow, err := s.Approvals.Decide(r.Context(), r.PathValue("id"), approval.Decision{ID: req.ID, Approve: req.Approve, Reason: req.Reason}, c.User.EmployeeID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flow)
}

func (s *Server) withdrawFlow(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.allowFlow(r, r.PathValue("id")); err != nil {
		return err
	}
	flow, err := s.Approvals.Withdraw(r.Context(), r.PathValue("id"), requester(r))
	var we *wire.Error
	if errors.As(err, &we) && we.Code == wire.CodeForbidden {
		return errNotAllowed
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flow)
}

func (s *Server) getFlowSettings(w http.ResponseWriter, r *http.Request) error {
	set, err := s.Approvals.Settings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, set)
}

func (s *Server) putFlowSettings(w http.ResponseWriter, r *http.Request) error {
	var in approval.Settings
	if err := readJSON(w, r, MaxBody, &in, true); err != nil {
		return err
	}
	set, err := s.Approvals.PutSettings(r.Context(), in, actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, set)
}

// getMatrix answers the approval matrix's entries of the departments the
// caller's scope holds (all of them for admins and integrators).
func (s *Server) getMatrix(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	all, err := s.Approvals.Matrix(r.Context())
	if err != nil {
		return err
	}
	out := []approval.MatrixEntry{}
	for _, m := range all {
		if sc == nil || sc.Department(m.DepartmentID) {
			out = append(out, m)
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"matrix": out})
}

// putMatrix replaces the matrix entries of the caller's departments: the
// whole matrix for an admin, its unit's for HR. An entry of a department
// outside the unit, or naming an approver outside it, is refused.
func (s *Server) putMatrix(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	c := callerOf(r)
	if sc != nil && c.User.Role != auth.RoleHR {
		return errNotAllowed
	}
	var in struct {
		Matrix []approval.MatrixEntry `json:"matrix"`
	}
	if err := readJSON(w, r, MaxBody, &in, true); err != nil {
		return err
	}
	if in.Matrix == nil {
		in.Matrix = []approval.MatrixEntry{}
	}
	mine := func(string) bool { return true }
	unit := ""
	if sc != nil {
		mine, unit = sc.Department, c.User.Unit
		for _, m := range in.Matrix {
			if !sc.Department(m.DepartmentID) {
				return errNotAllowed
			}
			for _, a := range m.Approvers {
				if err := s.allowEmployee(r.Context(), sc, a); err != nil {
					return err
				}
			}
		}
	}
	out, err := s.Approvals.PutUnitMatrix(r.Context(), mine, in.Matrix, actor(r), unit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"matrix": out})
}

// getDelegations lists the caller's own delegations (an approver's, or
// those made to them).
func (s *Server) getDelegations(w http.ResponseWriter, r *http.Request) error {
	me := callerOf(r).User.EmployeeID
	all, err := s.Approvals.Delegations(r.Context())
	if err != nil {
		return err
	}
	out := []approval.Delegation{}
	for _, d := range all {
		if me != "" && (d.Approver == me || d.Delegate == me) {
			out = append(out, d)
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"delegations": out})
}

// putDelegations replaces a manager's own delegations: while away, a
// delegate decides their flows. The delegate is someone of the manager's
// department subtree or a manager above it.
func (s *Server) putDelegations(w http.ResponseWriter, r *http.Request) error {
	u := callerOf(r).User
	if u.Role != auth.RoleManager || u.EmployeeID == "" {
		return errNotAllowed
	}
	var in struct {
		Delegations []approval.Delegation `json:"delegations"`
	}
	if err := readJSON(w, r, MaxBody, &in, true); err != nil {
		return err
	}
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	depts, err := s.Store.Departments(r.Context())
	if err != nil {
		return storeErr(err)
	}
	above := map[string]bool{} // the managers of the departments above the manager's
	byID := map[string]attendance.Department{}
	for _, d := range depts {
		byID[d.ID] = d
	}
	for id, n := byID[u.DepartmentID].ParentID, 0; id != "" && n < len(depts); id, n = byID[id].ParentID, n+1 {
		above[byID[id].ManagerID] = true
	}
	may := func(delegate string) bool {
		if above[delegate] {
			return true
		}
		e, err := s.Store.Employee(r.Context(), delegate)
		return err == nil && (sc == nil || sc.Employee(e))
	}
	out, err := s.Approvals.PutOwnDelegations(r.Context(), u.EmployeeID, in.Delegations, may, actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"delegations": out})
}

// autoFlows starts the approval flows a batch's located punches ask for
// by themselves (outside the geofence, too weak a fix, or a typed place
// on the weak-GPS route): each punch's
// employee's days around it are evaluated, once the batch is stored. A
// failure here is logged and never fails the batch: the day records
// still show that a decision is needed.
func (s *Server) autoFlows(r *http.Request, req wire.BatchRequest, resp wire.BatchResponse) {
	accepted := map[string]bool{}
	for _, res := range resp.Results {
		accepted[res.ID] = res.Status == wire.StatusAccepted
	}
	type key struct {
		emp string
		day rules.Date
	}
	seen := map[key]bool{}
	for _, sp := range req.Punches {
		// Most punches (a kiosk's) carry no location nor typed place:
		// they are not decoded again on the ingest path.
		if !bytes.Contains(sp.Body, []byte(`"location"`)) && !bytes.Contains(sp.Body, []byte(`"place"`)) {
			continue
		}
		var p attendance.Punch
		if json.Unmarshal(sp.Body, &p) != nil || p.Location == nil && p.Evidence.Place == "" || !accepted[p.ID] {
			continue
		}
		at := p.EstTime
		if at.IsZero() {
			at = p.DeviceTime
		}
		k := key{p.EmployeeID, rules.DateOf(at.UTC())}
		if seen[k] {
			continue
		}
		seen[k] = true
		res, err := s.Days.Records(r.Context(), dayrec.Filter{EmployeeID: k.emp, From: k.day.AddDays(-1), To: k.day.AddDays(1)})
		if err == nil {
			_, err = s.Approvals.StartAuto(r.Context(), res.Records)
		}
		if err != nil {
			s.Log.Error("automatic approval flows", "employee", k.emp, "err", err)
		}
	}
}

// flowProofPut answers POST /approval/flow/{id}/proof: the photo proving
// an offline-declared punch, sent as the body (image/jpeg or image/png).
func (s *Server) flowProofPut(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.allowFlow(r, r.PathValue("id")); err != nil {
		return err
	}
	data, err := readBody(w, r, approval.MaxProof)
	if err != nil {
		return err
	}
	flow, err := s.Approvals.AttachProof(r.Context(), r.PathValue("id"), requester(r), data)
	if wire.CodeOf(err) == wire.CodeForbidden {
		return errNotAllowed
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flow)
}

// flowProofGet answers GET /approval/flow/{id}/proof: the proof itself,
// for whoever may see the flow.
func (s *Server) flowProofGet(w http.ResponseWriter, r *http.Request) error {
	flow, err := s.allowFlow(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	a, err := s.Approvals.Proof(r.Context(), flow)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(a.Data)
	return err
}
