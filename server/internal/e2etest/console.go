package e2etest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The admin console's helpers, for every e2e package that drives it.

// OpenConsole opens the console of the punchd at base and waits for its
// sign-in form.
func OpenConsole(t testing.TB, ctx context.Context, base string) {
	t.Helper()
	Run(t, ctx, "open the console", chromedp.Navigate(base+"/admin/"))
	Wait(t, ctx, "the sign-in form", `!!document.getElementById("signin-login")`, 90*time.Second)
}

// SignInConsole fills the console's sign-in form and sends it.
func SignInConsole(t testing.TB, ctx context.Context, login, password string) {
	t.Helper()
	SetInput(t, ctx, "signin-login", login)
	SetInput(t, ctx, "signin-password", password)
	Tap(t, ctx, "sign in", "#signin-submit")
}

// KeepShot keeps the page as the artefact var/artefacts/name.
func KeepShot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	Screenshot(t, ctx, filepath.Join(root, "var", "artefacts", name))
}
