package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/badges"
	"punchclock/server/internal/store"
)

// MaxBadges is the most badges one sheet request prints.
const MaxBadges = 2000

// ActionBadges is the audit action of a badge sheet printed.
const ActionBadges = "badges.print"

// badgeSheet answers GET /api/v1/badges: a PDF of the badges of the
// active employees with a badge code, of one employee (employee_id), a
// department and its sub-departments (department_id) or a site
// (site_id), within the caller's scope: admins anyone, HR its unit.
// Badge codes punch for their holder, so the sheet is audited.
func (s *Server) badgeSheet(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.writerScope(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	empID, deptID, siteID := q.Get("employee_id"), q.Get("department_id"), q.Get("site_id")
	var xs []attendance.Employee
	switch {
	case empID != "":
		if err := s.allowEmployee(r.Context(), sc, empID); err != nil {
			return err
		}
		e, err := s.Store.Employee(r.Context(), empID)
		if err != nil {
			return storeErr(err)
		}
		xs = []attendance.Employee{e}
	default:
		all, err := s.Store.Employees(r.Context(), store.EmployeeFilter{SiteID: siteID, ActiveOnly: true})
		if err != nil {
			return storeErr(err)
		}
		if deptID != "" {
			if sc != nil && !sc.Department(deptID) {
				return errNotAllowed
			}
			depts, err := s.Store.Departments(r.Context())
			if err != nil {
				return storeErr(err)
			}
			in := auth.DepartmentScope(deptID, depts)
			all = inScope(&in, all)
		}
		xs = inScope(sc, all)
	}
	depts, err := s.Store.Departments(r.Context())
	if err != nil {
		return storeErr(err)
	}
	deptName := map[string]string{}
	for _, d := range depts {
		deptName[d.ID] = d.Name
	}
	zones, err := s.zones(r.Context())
	if err != nil {
		return err
	}
	var cards []badges.Card
	for _, e := range xs {
		// No badge for someone who has left by now, or whose leaving
		// date has passed.
		if e.BadgeCode != "" && e.ActiveAt(s.Now(), zones[e.SiteID]) {
			cards = append(cards, badges.Card{EmployeeID: e.ID, Name: e.Name, Department: deptName[e.DepartmentID], Code: e.BadgeCode})
		}
	}
	if len(cards) > MaxBadges {
		return wire.Errorf(wire.CodeTooLarge, "%d badges at most a sheet: choose a department or a site", MaxBadges)
	}
	font, err := badges.FindFont(s.BadgeFont)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := badges.Render(&buf, cards, font); err != nil {
		return err
	}
	unit := deptID
	if unit == "" && sc != nil {
		unit = callerOf(r).User.Unit
	}
	s.record(r, audit.Event{Actor: actor(r), Action: ActionBadges, Target: empID + deptID + siteID, Unit: unit,
		Detail: map[string]any{"employee_id": empID, "department_id": deptID, "site_id": siteID, "badges": len(cards)}})
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="badges.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}
