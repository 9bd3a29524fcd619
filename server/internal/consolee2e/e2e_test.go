// Package consolee2e tests the admin console (app/console) end to end:
// punchd with the demo organisation, the console in headless Chromium,
// and a real kiosk page beside it in a second tab.
package consolee2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"punchclock/app/rules"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// webDir is a copy of web/ with the kiosk's and the console's app.wasm
// freshly built, made by TestMain.
var webDir string

func TestMain(m *testing.M) { e2etest.Main(m, "consolee2e", setup, nil) }

func setup(dir string) error {
	var err error
	if webDir, err = e2etest.BuildWeb(dir); err != nil {
		return err
	}
	return e2etest.BuildConsole(webDir)
}

const (
	adminLogin    = "admin@example.com"
	adminPassword = "correct horse battery staple"
)

// openConsole opens the console of the punchd at base and waits for its
// sign-in form.
func openConsole(t *testing.T, ctx context.Context, base string) { e2etest.OpenConsole(t, ctx, base) }

// consoleOn starts punchd with the demo organisation on a test clock at
// 10:00 on 2026-03-11 in Shanghai, with the accounts given (by id), and
// a browser (for at most limit) whose pages share that clock, on the
// console's sign-in form.
func consoleOn(t *testing.T, limit time.Duration, users map[string]auth.UserRequest) (*e2etest.Server, context.Context) {
	t.Helper()
	return consoleWith(t, limit, users, "")
}

// consoleWith is consoleOn with script run in every page before its own
// (a mock of a browser API), when given.
func consoleWith(t *testing.T, limit time.Duration, users map[string]auth.UserRequest, script string) (*e2etest.Server, context.Context) {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clock := e2etest.NewClock(rules.NewDate(2026, 3, 11).At(rules.NewClock(10, 0), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	for id, u := range users {
		if _, _, err := s.Main().API.Auth.PutUser(context.Background(), id, u, "e2etest"); err != nil {
			t.Fatal(err)
		}
	}
	ctx := e2etest.NewBrowser(t, limit, "")
	if script != "" {
		e2etest.Run(t, ctx, "install the page script", chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(script).Do(ctx)
			return err
		}))
	}
	clock.Install(t, ctx, 0, "")
	openConsole(t, ctx, s.URL())
	return s, ctx
}

// keepShot keeps the page as the artefact var/artefacts/name.
func keepShot(t *testing.T, ctx context.Context, name string) { e2etest.KeepShot(t, ctx, name) }

// signIn fills the console's sign-in form and sends it.
func signIn(t *testing.T, ctx context.Context, login, password string) {
	e2etest.SignInConsole(t, ctx, login, password)
}

// signedIn opens a browser on the test clock (for at most limit), the
// console of s in it, and signs in as login.
func signedIn(t *testing.T, s *e2etest.Server, clock *e2etest.Clock, limit time.Duration, login string) context.Context {
	t.Helper()
	ctx := e2etest.NewBrowser(t, limit, "")
	clock.Install(t, ctx, 0, "")
	openConsole(t, ctx, s.URL())
	signIn(t, ctx, login, adminPassword)
	return ctx
}

// TestConsoleKiosks: an administrator signs in to the console (a wrong
// password is refused in words, not the server's English), makes an
// enrollment code for the Shanghai store, enrolls a real kiosk page by
// its QR code, and sees that kiosk in the fleet after its first sync,
// with its version and its camera working (enrollByQR); revokes it
// after a confirmation (a cancelled one changes nothing) and finds the
// revocation in the audit log. The console speaks Chinese on request. It makes a phone link and
// shows it as a QR code a camera reads. A store manager signed in is
// shown that the kiosks are not for their role: punchd refuses.
func TestConsoleKiosks(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clock := e2etest.NewClock(rules.NewDate(2026, 3, 11).At(rules.NewClock(8, 55), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	bg := context.Background()
	if _, _, err := s.Main().API.Auth.PutUser(bg, "u-admin", auth.UserRequest{Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword}, "e2etest"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Main().API.Auth.PutUser(bg, "u-mgr", auth.UserRequest{Login: "mgr@example.com", Name: "Wang Fang", Role: auth.RoleManager, DepartmentID: "retail", EmployeeID: "E002", Password: adminPassword}, "e2etest"); err != nil {
		t.Fatal(err)
	}

	ctx := e2etest.NewBrowser(t, 4*time.Minute, "")
	clock.Install(t, ctx, 0, "")
	// /admin, as typed: punchd sends it to /admin/.
	e2etest.Run(t, ctx, "open the console", chromedp.Navigate(s.URL()+"/admin"))
	e2etest.Wait(t, ctx, "the sign-in form", `!!document.getElementById("signin-login")`, 90*time.Second)

	signIn := func(login, password string) { t.Helper(); signIn(t, ctx, login, password) }
	signIn(adminLogin, "not the password")
	e2etest.Wait(t, ctx, "the refusal", `document.getElementById("signin-error")?.dataset.code === "unauthorized"`, 30*time.Second)
	var msg string
	e2etest.Eval(t, ctx, `document.getElementById("signin-error").innerText`, &msg)
	if !strings.Contains(msg, "Wrong login or password") {
		t.Errorf("the refusal says %q", msg)
	}
	signIn(adminLogin, adminPassword)
	e2etest.Wait(t, ctx, "the kiosks section", `document.getElementById("me")?.dataset.role === "super_admin" && (!!document.getElementById("fleet") || !!document.getElementById("kiosks-none"))`, 30*time.Second)

	// A code for the Shanghai store, its QR code opened in a new kiosk
	// tab; the kiosk in the fleet after its first sync.
	device := enrollByQR(t, ctx, s, "sh-jingan")
	row := fleetRow(device)

	// Chinese, then back.
	e2etest.Tap(t, ctx, "switch to Chinese", "#lang")
	e2etest.Wait(t, ctx, "the Chinese console", `document.body.innerText.includes("考勤终端") && document.body.innerText.includes("管理后台")`, 10*time.Second)
	e2etest.Tap(t, ctx, "back to English", "#lang")
	e2etest.Wait(t, ctx, "the English console", `document.body.innerText.includes("Kiosks")`, 10*time.Second)

	// Renamed: cancelled, nothing changes; then the fleet and punchd
	// name it "Front door 前门", and the audit log has the act.
	e2etest.Tap(t, ctx, "rename", "#rename-"+device)
	e2etest.Wait(t, ctx, "the rename form", `!!document.getElementById("rename-input")`, 10*time.Second)
	e2etest.Tap(t, ctx, "cancel the rename", "#rename-cancel")
	e2etest.Wait(t, ctx, "the rename form closed", `!document.getElementById("rename-input")`, 10*time.Second)
	e2etest.Tap(t, ctx, "rename", "#rename-"+device)
	e2etest.Wait(t, ctx, "the rename form again", `!!document.getElementById("rename-input")`, 10*time.Second)
	e2etest.SetInput(t, ctx, "rename-input", "Front door 前门")
	e2etest.Tap(t, ctx, "save the name", "#rename-save")
	e2etest.Wait(t, ctx, "the new name in the fleet", `!document.getElementById("rename-input") && (`+row+`?.innerText || "").includes("Front door 前门")`, 30*time.Second)
	if d, _ := s.Main().Store.Device(bg, device); d.Name != "Front door 前门" {
		t.Errorf("punchd names the kiosk %q", d.Name)
	}

	// Revoking asks first: cancelled, nothing changes; confirmed, the
	// kiosk is revoked and the audit log says who did it.
	e2etest.Tap(t, ctx, "revoke", "#revoke-"+device)
	e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-revoke")`, 10*time.Second)
	e2etest.Tap(t, ctx, "cancel", "#revoke-cancel")
	e2etest.Wait(t, ctx, "the confirmation closed", `!document.getElementById("confirm-revoke")`, 10*time.Second)
	if d, _ := s.Main().Store.Device(bg, device); d.Revoked {
		t.Fatal("a cancelled revocation revoked the kiosk")
	}
	e2etest.Tap(t, ctx, "revoke", "#revoke-"+device)
	e2etest.Tap(t, ctx, "confirm", "#revoke-yes")
	e2etest.Wait(t, ctx, "the kiosk revoked", row+`?.dataset.state === "revoked"`, 30*time.Second)
	if d, _ := s.Main().Store.Device(bg, device); !d.Revoked {
		t.Error("the console shows the kiosk revoked, punchd does not")
	}
	entries, err := s.Main().Store.AuditEntries(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Action == audit.ActionRevoke && e.Target == device && strings.HasPrefix(e.Actor, "user:") && (strings.Contains(e.Actor, "u-admin") || strings.Contains(e.Actor, adminLogin))
	}
	if !found {
		t.Errorf("no audit entry of u-admin revoking %s", device)
	}
	if !slices.ContainsFunc(entries, func(e store.AuditEntry) bool { return e.Action == audit.ActionRenameDevice && e.Target == device }) {
		t.Errorf("no audit entry of the rename of %s", device)
	}

	// A phone link for E005, shown as a QR code its phone camera reads:
	// the code in the picture is the link punchd made.
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the phone form", `!!document.getElementById("phone-employee")`, 10*time.Second)
	e2etest.SetInput(t, ctx, "phone-employee", "E005")
	e2etest.Tap(t, ctx, "make a phone link", "#phone-make")
	e2etest.Wait(t, ctx, "the phone link's QR code", `(() => { const i = document.getElementById("phone-qr"); return !!i && i.complete && i.naturalWidth > 0; })()`, 30*time.Second)
	var link string
	e2etest.Eval(t, ctx, `document.getElementById("phone-link").dataset.url`, &link)
	if read := readQR(t, ctx, "#phone-qr"); read != link || !strings.HasPrefix(link, s.URL()+"/p?c=") {
		t.Errorf("the phone link's QR code reads %q, the link is %q", read, link)
	}

	// A store manager: the kiosks are not for their role.
	signOut(t, ctx)
	signIn("mgr@example.com", adminPassword)
	e2etest.Wait(t, ctx, "the refusal of the kiosks", `document.getElementById("me")?.dataset.role === "manager" && !!document.getElementById("kiosks-forbidden")`, 30*time.Second)
}
