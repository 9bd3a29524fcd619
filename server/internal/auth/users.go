package auth

import (
	"context"
	"errors"
	"slices"
	"strings"

	"punchclock/app/attendance"
	"punchclock/app/pin"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
)

// UserRequest creates or changes an account.
type UserRequest struct {
	Login        string `json:"login"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Unit         string `json:"unit,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	EmployeeID   string `json:"employee_id,omitempty"`
	// Password, when given, replaces the account's (at least MinPassword
	// characters); an account never given one cannot sign in.
	Password string `json:"password,omitempty"`
	// PIN, when given, sets the kiosk PIN of a manager or HR person
	// linked to an employee (6 to 8 digits, app/pin); "-" removes it.
	PIN string `json:"pin,omitempty"`
	// Active defaults to true.
	Active *bool `json:"active,omitempty"`
}

// PutUser creates or changes the account id; created says which. The
// password is stored as an argon2id hash; changing it or disabling the
// account ends the account's sessions.
func (s *Service) PutUser(ctx context.Context, id string, req UserRequest, actor string) (u store.User, created bool, err error) {
	if err := wire.CheckID("user id", id); err != nil {
		return u, false, err
	}
	req.Login = strings.TrimSpace(req.Login)
	switch {
	case req.Login == "" || len(req.Login) > 200:
		return u, false, wire.Errorf(wire.CodeInvalid, "login must be 1 to 200 characters")
	case !slices.Contains(Roles, req.Role):
		return u, false, wire.Errorf(wire.CodeInvalid, "role must be one of %s", strings.Join(Roles, ", "))
	case req.Role == RoleHR && req.Unit == "":
		return u, false, wire.Errorf(wire.CodeInvalid, "an HR account needs its unit")
	case req.Role == RoleManager && req.DepartmentID == "":
		return u, false, wire.Errorf(wire.CodeInvalid, "a manager account needs its department_id")
	case req.Role == RoleEmployee && req.EmployeeID == "":
		return u, false, wire.Errorf(wire.CodeInvalid, "an employee account needs its employee_id")
	}
	if req.Role == RoleHR && req.Unit != AllUnits {
		// A business unit is a department's subtree: one that does not
		// exist would leave the account a scope of nothing.
		depts, err := s.Store.Departments(ctx)
		if err != nil {
			return u, false, store.Coded(err)
		}
		if !slices.ContainsFunc(depts, func(d attendance.Department) bool { return d.ID == req.Unit }) {
			return u, false, wire.Errorf(wire.CodeInvalid, "unit %q is neither a department nor %q (head office)", req.Unit, AllUnits)
		}
	}
	now := s.Now()
	old, err := s.Store.User(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		created, old = true, store.User{CreatedAt: now}
	case err != nil:
		return u, false, store.Coded(err)
	}
	u = store.User{ID: id, Login: req.Login, Name: req.Name, Role: req.Role, Unit: req.Unit, DepartmentID: req.DepartmentID,
		EmployeeID: req.EmployeeID, PasswordHash: old.PasswordHash, PINHash: old.PINHash, Active: req.Active == nil || *req.Active, CreatedAt: old.CreatedAt, UpdatedAt: now}
	switch {
	case req.PIN == "-":
		u.PINHash = ""
	case req.PIN != "":
		if (req.Role != RoleManager && req.Role != RoleHR) || req.EmployeeID == "" {
			return u, false, wire.Errorf(wire.CodeInvalid, "a kiosk PIN is for a manager or HR account linked to an employee (employee_id)")
		}
		if u.PINHash, err = pin.Hash(req.PIN); err != nil {
			return u, false, wire.Errorf(wire.CodeInvalid, "%v", err)
		}
	}
	if req.Password != "" {
		if u.PasswordHash, err = HashPassword(req.Password); err != nil {
			return u, false, wire.Errorf(wire.CodeInvalid, "%s", strings.TrimPrefix(err.Error(), "auth: "))
		}
	}
	if u, err = s.Store.PutUser(ctx, u); errors.Is(err, store.ErrConflict) {
		return u, false, wire.Errorf(wire.CodeConflict, "another account has this login")
	} else if err != nil {
		return u, false, store.Coded(err)
	}
	if !created && (req.Password != "" || !u.Active) {
		if _, err := s.Store.DeleteSessions(ctx, id); err != nil {
			return u, false, store.Coded(err)
		}
	}
	s.record(ctx, audit.Event{Actor: actor, Action: ActionPutUser, Target: id, Unit: s.unitOf(ctx, u), Detail: map[string]any{
		"login": u.Login, "role": u.Role, "department_id": u.DepartmentID, "employee_id": u.EmployeeID,
		"active": u.Active, "password_changed": req.Password != "", "pin_changed": req.PIN != "", "pin_cleared": req.PIN == "-" && old.PINHash != "",
		"unit": u.Unit, "unit_before": old.Unit, "created": created}})
	return u, created, nil
}
