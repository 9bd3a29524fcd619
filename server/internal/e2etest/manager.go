package e2etest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"punchclock/server/internal/auth"
)

// PutManager gives an employee a manager account of a department with a
// kiosk PIN: the kiosks of the employee's site pull its verifier (at
// enrollment, or at their next pull).
func (s *Server) PutManager(employeeID, departmentID, pin string) {
	s.t.Helper()
	_, _, err := s.Main().API.Auth.PutUser(context.Background(), "u-"+employeeID, auth.UserRequest{
		Login: "manager-" + employeeID, Name: employeeID, Role: auth.RoleManager, DepartmentID: departmentID, EmployeeID: employeeID, PIN: pin,
	}, "e2etest")
	if err != nil {
		s.t.Fatal(err)
	}
}

// OpenManager opens the kiosk's manager view from the kiosk screen,
// signing in with the manager's badge (through the test hook) and PIN
// when the kiosk asks.
func OpenManager(t testing.TB, ctx context.Context, badge, pin string) {
	t.Helper()
	Tap(t, ctx, "open the manager view", "#open-manager")
	Wait(t, ctx, "the manager sign-in or view", `!!document.getElementById("manager-signin") || !!document.querySelector("main.manager")`, 30*time.Second)
	var signIn bool
	Eval(t, ctx, `!!document.getElementById("manager-signin")`, &signIn)
	if !signIn {
		return
	}
	ScanBadge(t, ctx, badge)
	Wait(t, ctx, "the PIN field", `!!document.getElementById("pin")`, 30*time.Second)
	EnterPIN(t, ctx, pin)
	Wait(t, ctx, "the manager view", `(() => { const m = document.querySelector("main.manager"); return !!m && !!m.dataset.manager; })()`, 30*time.Second)
}

// EnterPIN types a PIN into the sign-in panel and presses OK.
func EnterPIN(t testing.TB, ctx context.Context, pin string) {
	t.Helper()
	Eval(t, ctx, fmt.Sprintf(`(() => { const i = document.getElementById("pin"); i.value = %q; i.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, pin), new(bool))
	Tap(t, ctx, "press OK", "#pin-ok")
}
