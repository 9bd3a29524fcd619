package consolee2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"punchclock/app/attendance"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
)

// TestConsolePeople: HR of the retail unit finds E005 in the employee
// list, is refused a badge another employee holds (next to the field,
// by punchd's code) and an employee as their own manager (by the
// browser), then gives E005 a new badge, a department of the unit picked
// from the tree, a manager and yesterday as leaving date, and reads them
// back from the API; the list marks E005 as left. The page is kept in
// English and Chinese. The retail manager sees Retail's employees only,
// without any write control, and punchd refuses their write. An
// administrator assigns the workshop's HR account a unit from the tree
// (a cancelled confirmation first) and clears the retail manager's kiosk
// PIN from their employee page; both are audited.
func TestConsolePeople(t *testing.T) {
	s, ctx := consoleOn(t, 5*time.Minute, map[string]auth.UserRequest{
		"u-admin": {Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword},
		"u-hr":    {Login: "hr-retail@example.com", Name: "Hu Rong", Role: auth.RoleHR, Unit: "retail", Password: adminPassword},
		"u-hw":    {Login: "hr-works@example.com", Name: "Hans Weber", Role: auth.RoleHR, Unit: "works", Password: adminPassword},
		"u-mgr":   {Login: "mgr-retail@example.com", Name: "Wang Fang", Role: auth.RoleManager, DepartmentID: "retail", EmployeeID: "E002", Password: adminPassword, PIN: "482916"},
	})
	bg := context.Background()
	st := s.Main().Store
	if _, err := st.PutDepartment(bg, attendance.Department{ID: "retail-east", Name: "East stores 东区门店", ParentID: "retail"}); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, "hr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "signed in", `document.getElementById("me")?.dataset.role === "hr"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the unit's employees", `document.getElementById("emp-list")?.dataset.total === "18" && !!document.getElementById("emp-next")`, 30*time.Second)
	e2etest.SetInput(t, ctx, "emp-q", "e005")
	e2etest.Tap(t, ctx, "search", "#emp-search-go")
	e2etest.Wait(t, ctx, "E005 found", `document.getElementById("emp-list")?.dataset.total === "1" && !!document.getElementById("emp-E005")`, 30*time.Second)
	e2etest.Tap(t, ctx, "edit E005", "#emp-edit-E005")
	e2etest.Wait(t, ctx, "the editor", `document.getElementById("emp-form")?.dataset.id === "E005" && document.getElementById("emp-badge_code")?.value === "PC-0005"`, 30*time.Second)

	// A badge another employee holds: refused by punchd, next to the badge.
	e2etest.SetInput(t, ctx, "emp-badge_code", "PC-0004")
	e2etest.Tap(t, ctx, "save", "#emp-save")
	e2etest.Wait(t, ctx, "the badge refused next to it", `document.getElementById("emp-badge_code-error")?.dataset.code === "taken" && document.querySelectorAll("#emp-form .error").length === 1`, 30*time.Second)
	var msg string
	e2etest.Eval(t, ctx, `document.getElementById("emp-badge_code-error").textContent`, &msg)
	if msg != "Another employee has this badge." {
		t.Errorf("the badge's problem says %q", msg)
	}
	// Their own manager: the browser says so before punchd is asked.
	e2etest.SetInput(t, ctx, "emp-manager_id", "E005")
	e2etest.Wait(t, ctx, "the manager refused next to it, the badge still", `document.getElementById("emp-manager_id-error")?.dataset.code === "self" && document.getElementById("emp-badge_code-error")?.dataset.code === "taken"`, 10*time.Second)
	shotsEnZh(t, ctx, "people-editor", `document.getElementById("emp-manager_id-error")?.textContent === "员工不能是自己的上级。"`)

	// The change: badge, department from the tree, manager, leaving date.
	e2etest.SetInput(t, ctx, "emp-badge_code", "PC-5005")
	e2etest.SetInput(t, ctx, "emp-manager_id", "E002")
	e2etest.SetInput(t, ctx, "emp-leaving_date", "2026-03-10")
	choose(t, ctx, "emp-department_id", "retail-east")
	e2etest.Wait(t, ctx, "no problem left", `document.querySelectorAll("#emp-form .error").length === 0`, 10*time.Second)
	e2etest.Tap(t, ctx, "save", "#emp-save")
	e2etest.Wait(t, ctx, "saved, and E005 shown as left", `document.getElementById("emp-saved")?.dataset.id === "E005" && !document.getElementById("emp-form") &&
		document.getElementById("emp-E005")?.dataset.left === "true" && document.getElementById("emp-E005")?.dataset.dept === "retail-east"`, 30*time.Second)
	var got attendance.Employee
	e2etest.Run(t, ctx, "read E005 through the API", chromedp.Evaluate(`fetch("/api/v1/employees/E005").then(r => r.json())`, &got,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if got.BadgeCode != "PC-5005" || got.DepartmentID != "retail-east" || got.ManagerID != "E002" || got.LeavingDate != "2026-03-10" || got.Name == "" || !got.Active {
		t.Errorf("E005 through the API: %+v", got)
	}

	// The retail manager: Retail's employees, nothing to change.
	signOut(t, ctx)
	signIn(t, ctx, "mgr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "signed in as the manager", `document.getElementById("me")?.dataset.role === "manager"`, 30*time.Second)
	managerPeople(t, ctx, s, 18)

	// An administrator: a unit for the workshop's HR, and the retail
	// manager's kiosk PIN cleared.
	signOut(t, ctx)
	signIn(t, ctx, adminLogin, adminPassword)
	e2etest.Wait(t, ctx, "signed in as the administrator", `document.getElementById("me")?.dataset.role === "super_admin"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open Organisation", "#nav-org")
	e2etest.Wait(t, ctx, "the HR accounts", `document.getElementById("unit-u-hw")?.dataset.unit === "works" && !!document.querySelector("#dept-retail #dept-retail-east")`, 30*time.Second)
	pickUnit := func() {
		e2etest.Tap(t, ctx, "change the unit", "#unit-change-u-hw")
		e2etest.Wait(t, ctx, "the units to pick", `!!document.getElementById("unit-select")`, 10*time.Second)
		choose(t, ctx, "unit-select", "retail-east")
		e2etest.Tap(t, ctx, "assign", "#unit-ask")
		e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-unit")`, 10*time.Second)
	}
	pickUnit()
	e2etest.Tap(t, ctx, "cancel", "#unit-cancel")
	e2etest.Wait(t, ctx, "the confirmation closed", `!document.getElementById("confirm-unit")`, 10*time.Second)
	if u, _ := st.User(bg, "u-hw"); u.Unit != "works" {
		t.Errorf("a cancelled assignment changed the unit to %q", u.Unit)
	}
	pickUnit()
	e2etest.Tap(t, ctx, "confirm", "#unit-yes")
	e2etest.Wait(t, ctx, "the unit assigned", `document.getElementById("units-msg")?.dataset.id === "u-hw" && document.getElementById("unit-u-hw")?.dataset.unit === "retail-east"`, 30*time.Second)
	if u, _ := st.User(bg, "u-hw"); u.Unit != "retail-east" || u.PasswordHash == "" || !u.Active {
		t.Errorf("u-hw after the assignment: unit %q, password kept %v, active %v", u.Unit, u.PasswordHash != "", u.Active)
	}

	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "every employee", `document.getElementById("emp-list")?.dataset.total === "30"`, 30*time.Second)
	e2etest.Tap(t, ctx, "edit E002", "#emp-edit-E002")
	e2etest.Wait(t, ctx, "the manager's PIN", `document.getElementById("pin-u-mgr")?.dataset.pin === "true"`, 30*time.Second)
	e2etest.Tap(t, ctx, "clear the PIN", "#pin-clear-u-mgr")
	e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-pin")`, 10*time.Second)
	e2etest.Tap(t, ctx, "cancel", "#pin-cancel")
	e2etest.Wait(t, ctx, "the confirmation closed", `!document.getElementById("confirm-pin")`, 10*time.Second)
	if u, _ := st.User(bg, "u-mgr"); u.PINHash == "" {
		t.Error("a cancelled PIN reset cleared the PIN")
	}
	e2etest.Tap(t, ctx, "clear the PIN", "#pin-clear-u-mgr")
	e2etest.Tap(t, ctx, "confirm", "#pin-yes")
	e2etest.Wait(t, ctx, "the PIN cleared", `document.getElementById("pin-cleared")?.dataset.id === "u-mgr" && document.getElementById("pin-u-mgr")?.dataset.pin === "false"`, 30*time.Second)
	if u, _ := st.User(bg, "u-mgr"); u.PINHash != "" || u.PasswordHash == "" || u.DepartmentID != "retail" || u.EmployeeID != "E002" {
		t.Errorf("u-mgr after the PIN reset: %+v", u)
	}

	entries, err := st.AuditEntries(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	acts := map[string]bool{}
	for _, e := range entries {
		if strings.HasPrefix(e.Actor, "user:") {
			d := string(e.Detail)
			acts[e.Action+" "+e.Target+" "+map[bool]string{true: "unit", false: ""}[strings.Contains(d, `"unit":"retail-east"`)]+
				map[bool]string{true: "pin", false: ""}[strings.Contains(d, `"pin_cleared":true`)]] = true
		}
	}
	for _, want := range []string{audit.ActionEmployee + " E005 ", auth.ActionPutUser + " u-hw unit", auth.ActionPutUser + " u-mgr pin"} {
		if !acts[want] {
			t.Errorf("no audit entry %q among %v", want, acts)
		}
	}
}
