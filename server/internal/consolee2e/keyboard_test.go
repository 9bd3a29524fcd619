package consolee2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
)

// TestConsoleKeyboard: the console with the keyboard alone, no mouse and
// no script setting a value. An administrator signs in (Tab, typing,
// Enter), opens the Rules section, types a new late grace for the default
// rules, previews and saves them, each control reached with Tab and used
// with Enter; the stored rules have the new grace.
func TestConsoleKeyboard(t *testing.T) {
	_, ctx := consoleOn(t, 4*time.Minute, map[string]auth.UserRequest{"u-admin": {Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword}})
	tabTo(t, ctx, "signin-login")
	typeKeys(t, ctx, adminLogin)
	tabTo(t, ctx, "signin-password")
	typeKeys(t, ctx, adminPassword+kb.Enter)
	e2etest.Wait(t, ctx, "signed in", `!!document.getElementById("nav-rules")`, 30*time.Second)

	tabTo(t, ctx, "nav-rules")
	typeKeys(t, ctx, kb.Enter)
	e2etest.Wait(t, ctx, "the default rules' grace", `!!document.getElementById("rules-form") && !document.getElementById("rules-form").dataset.site && document.getElementById("rule-late_grace_min")?.value !== undefined`, 30*time.Second)
	grace := storedRules(t, ctx, "").Rules.Exceptions.LateGraceMin
	want := grace + 5
	tabTo(t, ctx, "rule-late_grace_min")
	// Select what is there, then type over it.
	typeKeys(t, ctx, kb.End)
	for range 4 {
		typeKeys(t, ctx, kb.Backspace)
	}
	typeKeys(t, ctx, fmt.Sprint(want))
	e2etest.Wait(t, ctx, "the value typed", fmt.Sprintf(`document.getElementById("rule-late_grace_min").value === "%d" && !document.getElementById("rules-preview-button").disabled`, want), 10*time.Second)

	tabTo(t, ctx, "rules-preview-button")
	typeKeys(t, ctx, kb.Enter)
	waitRules(t, ctx, "the preview", "rules-preview")
	tabTo(t, ctx, "rules-save")
	typeKeys(t, ctx, kb.Enter)
	waitRules(t, ctx, "the save", "rules-saved")
	if got := storedRules(t, ctx, "").Rules.Exceptions.LateGraceMin; got != want {
		t.Errorf("stored late grace %d, want %d", got, want)
	}
}

// tabTo presses Tab until the element of id has the focus (at most 80
// presses: the page's controls in order), failing if it never does.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for range 80 {
		var at string
		e2etest.Eval(t, ctx, `document.activeElement?.id || ""`, &at)
		if at == id {
			return
		}
		typeKeys(t, ctx, kb.Tab)
	}
	t.Fatalf("Tab never reached #%s", id)
}

// typeKeys sends keys as the keyboard does (key events, one a character).
func typeKeys(t *testing.T, ctx context.Context, keys string) {
	t.Helper()
	e2etest.Run(t, ctx, "keys", chromedp.KeyEvent(keys))
}
