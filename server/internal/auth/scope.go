package auth

import (
	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// AllUnits as an HR account's unit makes it head office's: it reads every
// unit's records.
const AllUnits = "*"

// Scope is what a person may see: the one place that answers "may this
// person act on that employee or department?". A business unit is a
// department and its sub-departments, as is a manager's scope.
type Scope struct {
	all         bool
	departments map[string]bool
	employee    string
}

// ScopeOf is the scope of a signed-in person over the organisation's
// departments. A super admin, and HR of AllUnits, see everything; HR
// sees its unit; a manager the subtree of their department; an employee
// themselves; anyone else nothing.
func ScopeOf(u store.User, depts []attendance.Department) Scope {
	switch {
	case u.Role == RoleSuperAdmin, u.Role == RoleHR && u.Unit == AllUnits:
		return Scope{all: true}
	case u.Role == RoleHR:
		return Scope{departments: subtree(u.Unit, depts)}
	case u.Role == RoleManager:
		return Scope{departments: subtree(u.DepartmentID, depts)}
	case u.Role == RoleEmployee && u.EmployeeID != "":
		return Scope{employee: u.EmployeeID}
	}
	return Scope{}
}

// DepartmentScope is the scope of department root and its
// sub-departments (empty when root does not exist).
func DepartmentScope(root string, depts []attendance.Department) Scope {
	return Scope{departments: subtree(root, depts)}
}

// subtree is root and every department under it.
func subtree(root string, depts []attendance.Department) map[string]bool {
	in := map[string]bool{}
	if root == "" {
		return in
	}
	exists := false
	for _, d := range depts {
		exists = exists || d.ID == root
	}
	if !exists {
		return in
	}
	in[root] = true
	for grew := true; grew; {
		grew = false
		for _, d := range depts {
			if !in[d.ID] && d.ParentID != "" && in[d.ParentID] {
				in[d.ID], grew = true, true
			}
		}
	}
	return in
}

// All reports whether the scope is the whole organisation.
func (s Scope) All() bool { return s.all }

// Employee reports whether the scope holds employee e.
func (s Scope) Employee(e attendance.Employee) bool {
	return s.all || s.employee != "" && e.ID == s.employee || s.departments[e.DepartmentID]
}

// Department reports whether the scope holds department id and all its
// sub-departments.
func (s Scope) Department(id string) bool {
	return s.all || s.departments[id]
}

// HeadOffice reports whether u acts for the whole organisation: a super
// admin, or HR of AllUnits. Head office sets what belongs to no unit, such
// as the rule configuration (WeCom and DingTalk let HR's attendance
// administrators set the rules; HR of a unit and managers may not).
func HeadOffice(u store.User) bool {
	return u.Role == RoleSuperAdmin || u.Role == RoleHR && u.Unit == AllUnits
}
