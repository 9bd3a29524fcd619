package httpapi

import (
	"net/http"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/store"
)

// --- organisation ---

func (s *Server) listSites(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.Store.Sites(r.Context())
	return answerList(w, "sites", xs, err)
}

func (s *Server) putSite(w http.ResponseWriter, r *http.Request) error {
	var x attendance.Site
	if err := s.readPut(w, r, &x, &x.ID); err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	x, err := s.Store.PutSite(r.Context(), x)
	if err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, x)
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.Store.Departments(r.Context())
	return answerList(w, "departments", xs, err)
}

func (s *Server) putDepartment(w http.ResponseWriter, r *http.Request) error {
	var x attendance.Department
	if err := s.readPut(w, r, &x, &x.ID); err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	all, err := s.Store.Departments(r.Context())
	if err != nil {
		return storeErr(err)
	}
	replaced := false
	for i := range all {
		if all[i].ID == x.ID {
			all[i], replaced = x, true
		}
	}
	if !replaced {
		all = append(all, x)
	}
	if err := attendance.CheckTree(all); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	if x, err = s.Store.PutDepartment(r.Context(), x); err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, x)
}

func (s *Server) listEmployees(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	xs, err := s.Store.Employees(r.Context(), store.EmployeeFilter{
		SiteID: q.Get("site_id"), DepartmentID: q.Get("department_id"), ActiveOnly: q.Get("active") == "true",
	})
	return answerList(w, "employees", inScope(sc, xs), err)
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
// within its unit (the employee as stored and as sent both in it).
func (s *Server) putEmployee(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	if sc != nil && callerOf(r).User.Role != auth.RoleHR {
		return errNotAllowed
	}
	var x attendance.Employee
	if err := s.readPut(w, r, &x, &x.ID); err != nil {
		return err
	}
	if sc != nil {
		old, err := s.Store.Employee(r.Context(), x.ID)
		if err == nil && !sc.Employee(old) || !sc.Department(x.DepartmentID) {
			return errNotAllowed
		}
	}
	if err := x.Validate(); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	if _, err := s.Store.Site(r.Context(), x.SiteID); x.SiteID != "" && err != nil {
		return wire.Errorf(wire.CodeInvalid, "employee %s: site %q does not exist", x.ID, x.SiteID)
	}
	depts, err := s.Store.Departments(r.Context())
	if err != nil {
		return storeErr(err)
	}
	found := false
	for _, d := range depts {
		found = found || d.ID == x.DepartmentID
	}
	if !found {
		return wire.Errorf(wire.CodeInvalid, "employee %s: department %q does not exist", x.ID, x.DepartmentID)
	}
	if x, err = s.Store.PutEmployee(r.Context(), x); err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, x)
}

// readPut decodes a PUT body strictly; the id comes from the path and must
// match the body's when the body has one.
func (s *Server) readPut(w http.ResponseWriter, r *http.Request, v any, id *string) error {
	body, err := readBody(w, r, MaxBody)
	if err != nil {
		return err
	}
	if err := decode(body, v, true); err != nil {
		return err
	}
	if *id != "" && *id != r.PathValue("id") {
		return wire.Errorf(wire.CodeInvalid, "id %q in the body differs from %q in the path", *id, r.PathValue("id"))
	}
	*id = r.PathValue("id")
	return nil
}
