package httpapi

import (
	"context"
	"errors"
	"net/http"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/store"
)

// --- organisation ---

// listSites lists the sites to tokens and to the people who act on
// them (HR, managers); an employee gets none.
func (s *Server) listSites(w http.ResponseWriter, r *http.Request) error {
	if u := callerOf(r).User; u != nil && u.Role == auth.RoleEmployee {
		return answerList(w, "sites", []attendance.Site{}, nil)
	}
	xs, err := s.Store.Sites(r.Context())
	return answerList(w, "sites", xs, err)
}

// putSite makes or changes a site, its geography (address, point,
// fences, networks) included: admins and head office HR, as sites belong
// to no unit.
func (s *Server) putSite(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	if u := callerOf(r).User; sc != nil || u != nil && u.Role != auth.RoleHR && u.Role != auth.RoleSuperAdmin {
		return errNotAllowed
	}
	var x attendance.Site
	if err := s.readPut(w, r, &x, &x.ID); err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	if err := rules.CheckSiteGeo(x.Fences, x.Networks); err != nil {
		return wire.Errorf(wire.CodeInvalid, "site %s: %v", x.ID, err)
	}
	x, err = s.Store.PutSite(r.Context(), x)
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionSite, Target: x.ID,
		Detail: map[string]any{"version": x.Version, "zone": x.Zone, "fences": len(x.Fences), "networks": x.Networks}})
	return writeJSON(w, http.StatusOK, x)
}

// listDepartments lists the departments of the caller's scope: every one
// to tokens, super admins and head office HR; a unit to its HR; a
// manager's subtree to them; none to an employee.
func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	xs, err := s.Store.Departments(r.Context())
	if err != nil || sc == nil {
		return answerList(w, "departments", xs, err)
	}
	out := []attendance.Department{}
	for _, d := range xs {
		if sc.Department(d.ID) {
			out = append(out, d)
		}
	}
	return answerList(w, "departments", out, nil)
}

// putDepartment makes, renames or moves a department (cycles refused):
// admins and head office HR anywhere; HR of a unit within it (the
// department as stored in it, and its new parent in it unless the
// parent stays as it was: HR renames its unit's root but moves nothing
// out of the unit).
func (s *Server) putDepartment(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	if u := callerOf(r).User; sc != nil && u.Role != auth.RoleHR {
		return errNotAllowed
	}
	var x attendance.Department
	if err := s.readPut(w, r, &x, &x.ID); err != nil {
		return err
	}
	all, old, err := s.departmentOf(r.Context(), x.ID)
	if err != nil {
		return err
	}
	if sc != nil {
		if old != nil && !sc.Department(old.ID) || !sc.Department(x.ParentID) && (old == nil || old.ParentID != x.ParentID) {
			return errNotAllowed
		}
	}
	if err := x.Validate(); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	before := ""
	if old != nil {
		before = old.ParentID
		*old = x
	} else {
		all = append(all, x)
	}
	if err := attendance.CheckTree(all); err != nil {
		return wire.Errorf(wire.CodeInvalid, "%v", err)
	}
	if x, err = s.Store.PutDepartment(r.Context(), x); err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionDepartment, Target: x.ID, Unit: x.ID,
		Detail: map[string]any{"version": x.Version, "name": x.Name, "parent_id": x.ParentID, "parent_before": before, "new": old == nil}})
	return writeJSON(w, http.StatusOK, x)
}

// departmentOf is every department and the one with id (nil: none).
func (s *Server) departmentOf(ctx context.Context, id string) ([]attendance.Department, *attendance.Department, error) {
	all, err := s.Store.Departments(ctx)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	for i := range all {
		if all[i].ID == id {
			return all, &all[i], nil
		}
	}
	return all, nil, nil
}

// deleteDepartment deletes a department nothing refers to (no
// sub-department, employee, account or approval route: conflict naming
// which kind): admins and head office HR any, HR of a unit one inside
// it but its root.
func (s *Server) deleteDepartment(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if u := callerOf(r).User; sc != nil && (u.Role != auth.RoleHR || !sc.Department(id) || id == u.Unit) {
		return errNotAllowed
	}
	_, old, err := s.departmentOf(r.Context(), id)
	if err != nil {
		return err
	}
	if old == nil {
		return wire.Errorf(wire.CodeNotFound, "no department %q", id)
	}
	set, err := s.Approvals.Settings(r.Context())
	if err != nil {
		return storeErr(err)
	}
	for _, m := range set.Matrix {
		if m.DepartmentID == id {
			return wire.Errorf(wire.CodeConflict, "department %s has approval routes: change the approval matrix first", id)
		}
	}
	if err := s.Store.DeleteDepartment(r.Context(), id); errors.Is(err, store.ErrConflict) {
		return wire.Errorf(wire.CodeConflict, "department %s has sub-departments, employees or accounts: move them first", id)
	} else if err != nil {
		return storeErr(err)
	}
	// The entry's unit is the parent: the department is no longer in
	// anyone's scope, its parent is in HR's.
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionDepartmentDelete, Target: id, Unit: old.ParentID,
		Detail: map[string]any{"name": old.Name, "parent_id": old.ParentID}})
	w.WriteHeader(http.StatusNoContent)
	return nil
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
