package consolee2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"punchclock/app/rules"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
)

// TestConsoleRules: an administrator changes the Shanghai store's late
// grace in the console. A value out of range is refused next to the
// field and cannot be previewed, and so is a grace that reaches the
// "seriously late" threshold; 25 minutes is previewed first (the demo's
// 09:12 arrivals, late past the 10-minute grace, turn normal) with
// nothing saved, and saved only then, audited (previewGrace, saveGrace).
func TestConsoleRules(t *testing.T) {
	s, ctx := adminRules(t)
	previewGrace(t, ctx, s)
	saveGrace(t, ctx, s)
}

// adminRules starts punchd (the demo, on 2026-03-11 at 10:00 in
// Shanghai) with an administrator, who signs in to the console in a
// browser and opens the Rules section.
func adminRules(t *testing.T) (*e2etest.Server, context.Context) {
	s, ctx := consoleOn(t, 5*time.Minute, map[string]auth.UserRequest{"u-admin": {Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword}})
	signIn(t, ctx, adminLogin, adminPassword)
	e2etest.Wait(t, ctx, "the console", `!!document.getElementById("nav-rules") && !!document.getElementById("fleet")`, 30*time.Second)
	e2etest.Tap(t, ctx, "open Rules", "#nav-rules")
	return s, ctx
}

// previewRules asks the rules section for its preview and waits for it;
// a refusal fails the test with punchd's words.
func previewRules(t *testing.T, ctx context.Context) {
	t.Helper()
	e2etest.Tap(t, ctx, "preview", "#rules-preview-button")
	waitRules(t, ctx, "the preview", "rules-preview")
}

// saveRules saves the previewed rules and waits until they are.
func saveRules(t *testing.T, ctx context.Context) {
	t.Helper()
	e2etest.Tap(t, ctx, "save", "#rules-save")
	waitRules(t, ctx, "the save", "rules-saved")
}

func waitRules(t *testing.T, ctx context.Context, what, id string) {
	t.Helper()
	e2etest.Wait(t, ctx, what, `!!document.getElementById("`+id+`") || !!document.getElementById("rules-error")`, 30*time.Second)
	var refused string
	e2etest.Eval(t, ctx, `document.getElementById("rules-error")?.title || ""`, &refused)
	if refused != "" {
		t.Fatalf("%s was refused: %s", what, refused)
	}
}

// storedRules reads a site's rules ("": the default) from punchd's API
// with the page's session.
func storedRules(t *testing.T, ctx context.Context, site string) rules.Config {
	t.Helper()
	var got struct {
		Config rules.Config `json:"config"`
	}
	e2etest.Run(t, ctx, "read the rules through the API", chromedp.Evaluate(`fetch("/api/v1/rule/config?site_id=`+site+`").then(r => r.json())`, &got, awaitPromise))
	return got.Config
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
