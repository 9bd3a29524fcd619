package auth

import (
	"testing"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// TestScope: units and managers see their subtree and nothing beside it;
// head office HR and super admins see all; an employee sees themselves.
func TestScope(t *testing.T) {
	depts := []attendance.Department{{ID: "hq"}, {ID: "retail", ParentID: "hq"}, {ID: "east", ParentID: "retail"}, {ID: "works", ParentID: "hq"}}
	emp := func(id, dept string) attendance.Employee { return attendance.Employee{ID: id, DepartmentID: dept} }
	e1, e2, e3, e4 := emp("E1", "hq"), emp("E2", "retail"), emp("E3", "east"), emp("E4", "works")
	for _, tc := range []struct {
		user      store.User
		employees string // of E1..E4, which are in scope
		depts     string // of hq, retail, east, works
	}{
		{store.User{Role: RoleSuperAdmin}, "1234", "hrew"},
		{store.User{Role: RoleHR, Unit: AllUnits}, "1234", "hrew"},
		{store.User{Role: RoleHR, Unit: "retail"}, "-23-", "-re-"},
		{store.User{Role: RoleHR, Unit: "nowhere"}, "----", "----"},
		{store.User{Role: RoleManager, DepartmentID: "works"}, "---4", "---w"},
		{store.User{Role: RoleManager, DepartmentID: "east"}, "--3-", "--e-"},
		{store.User{Role: RoleEmployee, EmployeeID: "E2"}, "-2--", "----"},
		{store.User{Role: RoleEmployee}, "----", "----"},
		{store.User{Role: "root"}, "----", "----"},
	} {
		sc := ScopeOf(tc.user, depts)
		got, gotD := []byte("----"), []byte("----")
		for i, e := range []attendance.Employee{e1, e2, e3, e4} {
			if sc.Employee(e) {
				got[i] = "1234"[i]
			}
		}
		for i, d := range []string{"hq", "retail", "east", "works"} {
			if sc.Department(d) {
				gotD[i] = "hrew"[i]
			}
		}
		if string(got) != tc.employees || string(gotD) != tc.depts {
			t.Errorf("%+v: employees %s departments %s, want %s %s", tc.user, got, gotD, tc.employees, tc.depts)
		}
	}
}
