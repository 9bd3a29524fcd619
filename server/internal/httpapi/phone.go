package httpapi

import (
	"net/http"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/store"
)

// The activated phone's own endpoints, signed with its device key like
// its punches: the employee's day records with the engine's explanation
// of each verdict, their approval flows, a make-up request, a
// withdrawal. A phone sees its employee and nobody else; a kiosk's key
// gets nothing here.

// phoneOf authenticates a phone's signed request and returns it.
func (s *Server) phoneOf(r *http.Request, body []byte) (attendance.Device, error) {
	dev, err := s.Devices.Authenticate(r.Context(), r.Header.Get("Authorization"), r.Method, r.URL.RequestURI(), body, false)
	if err != nil {
		return dev, err
	}
	if dev.Kind != attendance.DevicePhone || dev.EmployeeID == "" {
		return dev, errNotAllowed
	}
	return dev, nil
}

// phoneJSON reads a phone's signed JSON request into v (strict: unknown
// fields refused) and returns the phone.
func (s *Server) phoneJSON(w http.ResponseWriter, r *http.Request, v any, strict bool) (attendance.Device, error) {
	body, err := readBody(w, r, MaxBody)
	if err != nil {
		return attendance.Device{}, err
	}
	dev, err := s.phoneOf(r, body)
	if err != nil {
		return dev, err
	}
	return dev, decode(body, v, strict)
}

type phoneRecords struct {
	EmployeeID string `json:"employee_id"`
	// Records are the employee's days, each with its reasons.
	Records any `json:"records"`
	// Punches are the employee's punches the records were computed from.
	Punches []punchView `json:"punches"`
}

// phoneRecordsGet answers GET /device/records?from=&to=.
func (s *Server) phoneRecordsGet(w http.ResponseWriter, r *http.Request) error {
	dev, err := s.phoneOf(r, nil)
	if err != nil {
		return err
	}
	from, to, err := dateRange(r)
	if err != nil {
		return err
	}
	res, err := s.Days.Records(r.Context(), dayrec.Filter{EmployeeID: dev.EmployeeID, From: from, To: to})
	if err != nil {
		return storeErr(err)
	}
	out := phoneRecords{EmployeeID: dev.EmployeeID, Records: res.Records, Punches: []punchView{}}
	for _, p := range res.Punches {
		v := view(p)
		v.Signed, v.Sig = nil, nil
		out.Punches = append(out.Punches, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// phoneFlowsGet answers GET /device/flows: the employee's flows.
func (s *Server) phoneFlowsGet(w http.ResponseWriter, r *http.Request) error {
	dev, err := s.phoneOf(r, nil)
	if err != nil {
		return err
	}
	flows, err := s.Approvals.List(r.Context(), store.ApprovalFilter{EmployeeIDs: []string{dev.EmployeeID}, Limit: 1000})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string][]approval.Request{"flows": nonNil(flows)})
}

// phoneFlowStart answers POST /device/flows: a request of the phone's
// employee (a make-up punch from a day marked missing), idempotent by its id.
func (s *Server) phoneFlowStart(w http.ResponseWriter, r *http.Request) error {
	var req startFlowRequest
	dev, err := s.phoneJSON(w, r, &req, true)
	if err != nil {
		return err
	}
	if req.EmployeeID != "" && req.EmployeeID != dev.EmployeeID {
		return errNotAllowed
	}
	flow, created, err := s.Approvals.Start(r.Context(), approval.Request{ID: req.ID, Kind: req.Kind, EmployeeID: dev.EmployeeID, Date: req.Date,
		PunchID: req.PunchID, Time: req.Time, Direction: req.Direction, Minutes: req.Minutes, Reason: req.Reason, Proof: req.Proof}, dev.EmployeeID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, flow)
}

// phoneFlowWithdraw answers POST /device/flows/{id}/withdraw.
func (s *Server) phoneFlowWithdraw(w http.ResponseWriter, r *http.Request) error {
	dev, err := s.phoneOf(r, nil)
	if err != nil {
		return err
	}
	flow, err := s.Approvals.Get(r.Context(), r.PathValue("id"))
	if err != nil || flow.EmployeeID != dev.EmployeeID {
		return errNotAllowed
	}
	flow, err = s.Approvals.Withdraw(r.Context(), flow.ID, dev.EmployeeID)
	if wire.CodeOf(err) == wire.CodeForbidden {
		return errNotAllowed
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flow)
}

// phoneFlowProof answers POST /device/flows/{id}/proof: the phone sends
// the photo proving its employee's offline-declared punch.
func (s *Server) phoneFlowProof(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(w, r, approval.MaxProof)
	if err != nil {
		return err
	}
	dev, err := s.phoneOf(r, data)
	if err != nil {
		return err
	}
	flow, err := s.Approvals.Get(r.Context(), r.PathValue("id"))
	if err != nil || flow.EmployeeID != dev.EmployeeID {
		return errNotAllowed
	}
	flow, err = s.Approvals.AttachProof(r.Context(), flow.ID, dev.EmployeeID, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flow)
}
