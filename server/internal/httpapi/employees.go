package httpapi

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
)

// employeeRow is an employee as the list answers it: with Left, whether
// they are past their leaving date (or inactive) at punchd's clock in
// their site's zone, judged as the list is read.
type employeeRow struct {
	attendance.Employee
	Left bool `json:"left"`
}

// maxEmployeePage is the largest page of GET /employees?limit=.
const maxEmployeePage = 500

// listEmployees lists the employees of the caller's scope, by id.
// Filters: site_id, department_id, active=true (not left by now), q
// (a piece of the id, name, badge code or position, any case). Without
// limit it answers them all; with limit (at most 500) and offset, one
// page. total counts them all, and positions are the distinct positions
// of the scope (a form's suggestions).
func (s *Server) listEmployees(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, offset := 0, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxEmployeePage {
			return wire.Errorf(wire.CodeInvalid, "limit must be 1 to %d", maxEmployeePage)
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return wire.Errorf(wire.CodeInvalid, "offset must be 0 or more")
		}
	}
	search := strings.ToLower(strings.TrimSpace(q.Get("q")))
	if err := wire.CheckStrings(search); err != nil {
		return err
	}
	xs, err := s.Store.Employees(r.Context(), store.EmployeeFilter{SiteID: q.Get("site_id"), DepartmentID: q.Get("department_id")})
	if err != nil {
		return storeErr(err)
	}
	zones, err := s.zones(r.Context())
	if err != nil {
		return err
	}
	now := s.Now()
	rows := []employeeRow{}
	positions := map[string]bool{}
	for _, e := range inScope(sc, xs) {
		if e.Position != "" {
			positions[e.Position] = true
		}
		left := !e.ActiveAt(now, zones[e.SiteID])
		if left && q.Get("active") == "true" || search != "" && !matches(e, search) {
			continue
		}
		rows = append(rows, employeeRow{Employee: e, Left: left})
	}
	total := len(rows)
	if limit > 0 {
		rows = rows[min(offset, total):min(offset+limit, total)]
	}
	return writeJSON(w, http.StatusOK, map[string]any{"employees": rows, "total": total, "positions": slices.Sorted(maps.Keys(positions))})
}

// matches reports whether search (lower case) is part of e's id, name,
// badge code or position.
func matches(e attendance.Employee, search string) bool {
	for _, f := range []string{e.ID, e.Name, e.BadgeCode, e.Position} {
		if strings.Contains(strings.ToLower(f), search) {
			return true
		}
	}
	return false
}

// zones are the sites' zones by site id (a site whose zone does not load
// is left out: judged in UTC).
func (s *Server) zones(ctx context.Context) (map[string]*time.Location, error) {
	sites, err := s.Store.Sites(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	out := map[string]*time.Location{}
	for _, x := range sites {
		if loc, err := time.LoadLocation(x.Zone); err == nil {
			out[x.ID] = loc
		}
	}
	return out, nil
}

func (s *Server) getEmployee(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	if err := s.allowEmployee(r.Context(), sc, r.PathValue("id")); err != nil {
		return err
	}
	x, err := s.Store.Employee(r.Context(), r.PathValue("id"))
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, x)
}

// putEmployee creates or changes an employee: admins anyone, HR only
// within its unit (the employee as stored and as sent both in it). An
// invalid employee is answered with every field's problem by code
// (invalid; conflict when the only problem is a badge another employee
// holds).
// Each change is audited (employee.put).
func (s *Server) putEmployee(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.writerScope(r)
	if err != nil {
		return err
	}
	var x attendance.Employee
	if err := s.readPut(w, r, &x, &x.ID); err != nil {
		return err
	}
	ctx := r.Context()
	old, err := s.Store.Employee(ctx, x.ID)
	// An id of the wrong form is no stored employee: Problems names it.
	created := errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid)
	if err != nil && !created {
		return storeErr(err)
	}
	if sc != nil && (!created && !sc.Employee(old) || !sc.Department(x.DepartmentID)) {
		return errNotAllowed
	}
	problems := x.Problems()
	problems = append(problems, s.employeeRefs(ctx, x, problems)...)
	if len(problems) > 0 {
		// A badge another employee holds is a conflict, as it always was
		// for API clients, when it is the only problem.
		code := wire.CodeConflict
		for _, p := range problems {
			if p.Code != attendance.ProblemTaken {
				code = wire.CodeInvalid
			}
		}
		return &wire.Error{Code: code, Message: "employee " + x.ID + ": " + describe(problems), Fields: problems}
	}
	if x, err = s.Store.PutEmployee(ctx, x); errors.Is(err, store.ErrConflict) {
		return &wire.Error{Code: wire.CodeConflict, Message: "employee " + x.ID + ": the badge code is another employee's",
			Fields: []attendance.FieldProblem{{Field: attendance.FieldBadge, Code: attendance.ProblemTaken}}}
	} else if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionEmployee, Target: x.ID, Unit: x.DepartmentID, Detail: map[string]any{
		"created": created, "changed": changedFields(old, x), "department_id": x.DepartmentID, "leaving_date": x.LeavingDate, "active": x.Active}})
	return writeJSON(w, http.StatusOK, x)
}

// employeeRefs checks what x names against the organisation: its
// department, site and manager exist, and its badge is no other active
// employee's. Fields already wrong are not checked again.
func (s *Server) employeeRefs(ctx context.Context, x attendance.Employee, known []attendance.FieldProblem) []attendance.FieldProblem {
	bad := map[string]bool{}
	for _, p := range known {
		bad[p.Field] = true
	}
	var out []attendance.FieldProblem
	unknown := func(field string, err error) {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			out = append(out, attendance.FieldProblem{Field: field, Code: attendance.ProblemUnknown})
		}
	}
	if !bad[attendance.FieldDepartment] {
		depts, err := s.Store.Departments(ctx)
		if err == nil && !slices.ContainsFunc(depts, func(d attendance.Department) bool { return d.ID == x.DepartmentID }) {
			unknown(attendance.FieldDepartment, store.ErrNotFound)
		}
	}
	if x.SiteID != "" && !bad[attendance.FieldSite] {
		_, err := s.Store.Site(ctx, x.SiteID)
		unknown(attendance.FieldSite, err)
	}
	if x.ManagerID != "" && !bad[attendance.FieldManager] {
		_, err := s.Store.Employee(ctx, x.ManagerID)
		unknown(attendance.FieldManager, err)
	}
	if x.BadgeCode != "" && !bad[attendance.FieldBadge] {
		if holder, err := s.Store.EmployeeByBadge(ctx, x.BadgeCode); err == nil && holder.ID != x.ID {
			out = append(out, attendance.FieldProblem{Field: attendance.FieldBadge, Code: attendance.ProblemTaken})
		}
	}
	return out
}

// describe says field problems in English, for API users.
func describe(ps []attendance.FieldProblem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Field + ": " + p.Code
	}
	return strings.Join(parts, "; ")
}

// changedFields names the fields of an employee a change touched.
func changedFields(a, b attendance.Employee) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, b string
	}{
		{attendance.FieldName, a.Name, b.Name}, {attendance.FieldDepartment, a.DepartmentID, b.DepartmentID},
		{attendance.FieldSite, a.SiteID, b.SiteID}, {attendance.FieldManager, a.ManagerID, b.ManagerID},
		{attendance.FieldBadge, a.BadgeCode, b.BadgeCode}, {attendance.FieldPosition, a.Position, b.Position},
		{attendance.FieldLeavingDate, a.LeavingDate, b.LeavingDate},
	} {
		if f.a != f.b {
			out = append(out, f.name)
		}
	}
	if a.Active != b.Active {
		out = append(out, "active")
	}
	return out
}
