package httpapi

import (
	"net/http"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
)

// Field staff's location reports (package field): an activated phone
// posts its points, signed with its device key like its punches; HR,
// managers and integrations in scope read an employee's trail back.

// MaxTrailRange is the longest range one trail read may cover.
const MaxTrailRange = 62 * 24 * time.Hour

// userLocationPost answers POST /user/location: a phone's batch of points.
func (s *Server) userLocationPost(w http.ResponseWriter, r *http.Request) error {
	var req wire.LocationReport
	dev, err := s.phoneJSON(w, r, &req, false)
	if err != nil {
		return err
	}
	resp, err := s.Field.Report(r.Context(), dev, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}

// userLocationGet answers GET /user/location?employee_id=&from=&to=: the
// employee's trail from from (default: 24 hours before to) to to
// (default: now), RFC 3339 instants, at most MaxTrailRange apart. A read
// is audited: where a person was is theirs.
func (s *Server) userLocationGet(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	emp := q.Get("employee_id")
	if emp == "" {
		return wire.Errorf(wire.CodeInvalid, "employee_id is required")
	}
	if err := wire.CheckID("employee_id", emp); err != nil {
		return err
	}
	if err := s.allowRecords(r, emp, ""); err != nil {
		return err
	}
	from, err := parseTime(q.Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := parseTime(q.Get("to"), "to")
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = s.Now()
	}
	if from.IsZero() {
		from = to.Add(-24 * time.Hour)
	}
	if to.Sub(from) > MaxTrailRange {
		return wire.Errorf(wire.CodeInvalid, "a trail covers at most %d days", int(MaxTrailRange.Hours()/24))
	}
	trail, err := s.Field.Trail(r.Context(), emp, from, to)
	if err != nil {
		return err
	}
	unit := ""
	if e, err := s.Store.Employee(r.Context(), emp); err == nil {
		unit = e.DepartmentID
	}
	s.record(r, audit.Event{Actor: actor(r), Action: "location.read", Target: "employee:" + emp, Unit: unit,
		Detail: map[string]string{"from": trail.From.Format(time.RFC3339), "to": trail.To.Format(time.RFC3339)}})
	return writeJSON(w, http.StatusOK, trail)
}
