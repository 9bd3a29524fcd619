package httpapi

import (
	"net/http"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
)

// MaxDecisions is the most decisions one request may carry.
const MaxDecisions = 100

type kioskDecisions struct {
	Decisions []wire.KioskDecision `json:"decisions"`
}

// kioskRequest reads a request's body and authenticates it as signed by
// an enrolled kiosk (not a phone).
func (s *Server) kioskRequest(w http.ResponseWriter, r *http.Request) (attendance.Device, []byte, error) {
	body, err := readBody(w, r, MaxBody)
	if err != nil {
		return attendance.Device{}, nil, err
	}
	dev, err := s.Devices.Authenticate(r.Context(), r.Header.Get("Authorization"), r.Method, r.URL.RequestURI(), body, false)
	if err != nil {
		return attendance.Device{}, nil, err
	}
	if dev.Kind != attendance.DeviceKiosk {
		return attendance.Device{}, nil, errNotAllowed
	}
	return dev, body, nil
}

// kioskDecide answers POST /device/decisions: decisions managers made on
// a kiosk (offline, maybe long ago), signed by the kiosk, which vouches
// that each manager signed in with badge and PIN. Each is applied once
// by its id; a flow someone closed first is a conflict the kiosk shows,
// never an error that loses the decision.
func (s *Server) kioskDecide(w http.ResponseWriter, r *http.Request) error {
	dev, body, err := s.kioskRequest(w, r)
	if err != nil {
		return err
	}
	var req kioskDecisions
	if err := decode(body, &req, true); err != nil {
		return err
	}
	if len(req.Decisions) == 0 || len(req.Decisions) > MaxDecisions {
		return wire.Errorf(wire.CodeInvalid, "send 1 to %d decisions", MaxDecisions)
	}
	managers, err := s.Devices.Managers(r.Context(), dev.SiteID)
	if err != nil {
		return err
	}
	signsIn := map[string]bool{}
	for _, m := range managers {
		signsIn[m.EmployeeID] = true
	}
	out := struct {
		Results []wire.DecisionResult `json:"results"`
	}{Results: make([]wire.DecisionResult, 0, len(req.Decisions))}
	for _, d := range req.Decisions {
		res := wire.DecisionResult{ID: d.ID}
		if !signsIn[d.By] {
			res.Status, res.Code, res.Message = "refused", wire.CodeForbidden, "this person does not sign in on this kiosk"
			out.Results = append(out.Results, res)
			continue
		}
		flow, err := s.Approvals.DecideAt(r.Context(), d.FlowID, approval.Decision{ID: d.ID, Approve: d.Approve, Reason: d.Reason}, d.By, d.At)
		switch code := wire.CodeOf(err); {
		case err == nil:
			res.Status, res.State = "accepted", string(flow.State)
		case code == wire.CodeConflict:
			res.Status, res.Code, res.Message = "conflict", code, wire.MessageOf(err)
			if f, err := s.Approvals.Get(r.Context(), d.FlowID); err == nil {
				res.State = string(f.State)
			}
		case code == wire.CodeInvalid || code == wire.CodeForbidden || code == wire.CodeNotFound:
			res.Status, res.Code, res.Message = "refused", code, wire.MessageOf(err)
		default:
			return err // the store: the kiosk retries the whole batch
		}
		out.Results = append(out.Results, res)
	}
	return writeJSON(w, http.StatusOK, out)
}
