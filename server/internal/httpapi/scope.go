package httpapi

import (
	"context"
	"errors"
	"net/http"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/store"
)

// RolePerson is the API role of HR, managers and employees signed in:
// they may call the scoped routes (s.scoped), which show them only what
// their auth.Scope holds.
const RolePerson = "person"

// errNotAllowed is the one refusal of a scoped route: it says neither
// whether the thing exists nor anything about it.
var errNotAllowed = wire.Errorf(wire.CodeForbidden, "not allowed")

// scoped wraps a handler that tokens of role admin or integrator, super
// admins and people within their scope may call.
func (s *Server) scoped(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return s.withRole(h, RoleAdmin, RoleIntegrator, RolePerson)
}

// scopeOf is the caller's scope, nil when it is the whole organisation
// (tokens, super admins).
func (s *Server) scopeOf(r *http.Request) (*auth.Scope, error) {
	c := callerOf(r)
	if c.User == nil || c.User.Role == auth.RoleSuperAdmin {
		return nil, nil
	}
	depts, err := s.Store.Departments(r.Context())
	if err != nil {
		return nil, storeErr(err)
	}
	sc := auth.ScopeOf(*c.User, depts)
	if sc.All() {
		return nil, nil
	}
	return &sc, nil
}

// writerScope is scopeOf for the people who write the organisation:
// admins and tokens (nil: everything), HR (its unit); anyone else in a
// unit (a manager, an employee) is refused.
func (s *Server) writerScope(r *http.Request) (*auth.Scope, error) {
	sc, err := s.scopeOf(r)
	if err != nil {
		return nil, err
	}
	if sc != nil && callerOf(r).User.Role != auth.RoleHR {
		return nil, errNotAllowed
	}
	return sc, nil
}

// allowEmployee checks that the caller may see employee id: an employee
// outside the scope and one that does not exist get the same refusal.
func (s *Server) allowEmployee(ctx context.Context, sc *auth.Scope, id string) error {
	if sc == nil {
		return nil
	}
	e, err := s.Store.Employee(ctx, id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return errNotAllowed
	} else if err != nil {
		return storeErr(err)
	}
	if !sc.Employee(e) {
		return errNotAllowed
	}
	return nil
}

// inScope keeps the employees the scope holds.
func inScope(sc *auth.Scope, xs []attendance.Employee) []attendance.Employee {
	if sc == nil {
		return xs
	}
	out := xs[:0:0]
	for _, e := range xs {
		if sc.Employee(e) {
			out = append(out, e)
		}
	}
	return out
}

// allowRecords checks that the caller may read the records of an
// employee or of a department with its sub-departments.
func (s *Server) allowRecords(r *http.Request, employeeID, departmentID string) error {
	sc, err := s.scopeOf(r)
	if err != nil || sc == nil {
		return err
	}
	if employeeID != "" {
		return s.allowEmployee(r.Context(), sc, employeeID)
	}
	if !sc.Department(departmentID) {
		return errNotAllowed
	}
	return nil
}
