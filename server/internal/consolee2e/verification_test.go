package consolee2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/e2etest"
)

// TestConsoleVerification: an administrator asks the default rules for
// mixed verification (the seed's bank: a phone GPS punch and a terminal
// at the door within 15 minutes). One method is refused next to the
// methods, as punchd's validator refuses it; two are previewed, with
// nothing stored, then saved and read back from the API.
func TestConsoleVerification(t *testing.T) {
	_, ctx := adminRules(t)
	e2etest.Wait(t, ctx, "the default rules' overtime card", `!!document.getElementById("rules-form") && !document.getElementById("rules-form").dataset.site && !!document.getElementById("ot-verification")`, 30*time.Second)
	e2etest.Tap(t, ctx, "ask for mixed verification", "#ot-verification")
	e2etest.Wait(t, ctx, "its methods", `!!document.getElementById("ot-verification-gps") && document.getElementById("ot-exceptions-verification-window_min")?.value === "15"`, 10*time.Second)
	e2etest.Tap(t, ctx, "GPS", "#ot-verification-gps")
	e2etest.Wait(t, ctx, "one method refused next to the methods", `!!document.getElementById("verification-methods-error") && document.getElementById("rules-preview-button").disabled`, 10*time.Second)
	e2etest.Tap(t, ctx, "terminal", "#ot-verification-terminal")
	e2etest.Wait(t, ctx, "two methods accepted", `!document.getElementById("verification-methods-error") && !document.getElementById("rules-preview-button").disabled`, 10*time.Second)
	previewRules(t, ctx)
	if v := storedRules(t, ctx, "").Rules.Exceptions.Verification; v != nil {
		t.Fatalf("the preview stored the verification: %+v", v)
	}
	keepShot(t, ctx, "console-verification-en.png")
	e2etest.Tap(t, ctx, "中文", "#lang")
	e2etest.Wait(t, ctx, "the card in Chinese", `document.querySelector(".console")?.lang === "zh" && (document.querySelector("#verification legend")?.textContent || "").includes("组合验证")`, 10*time.Second)
	keepShot(t, ctx, "console-verification-zh.png")
	e2etest.Tap(t, ctx, "English", "#lang")
	e2etest.Wait(t, ctx, "English again", `document.querySelector(".console")?.lang === "en"`, 10*time.Second)
	saveRules(t, ctx)
	v := storedRules(t, ctx, "").Rules.Exceptions.Verification
	if v == nil || v.WindowMin != 15 || !slices.Equal(v.Methods, []attendance.Method{attendance.MethodGPS, attendance.MethodTerminal}) {
		t.Fatalf("stored verification %+v, want gps and terminal within 15 min", v)
	}
	var text string
	e2etest.Eval(t, ctx, `document.getElementById("verification")?.textContent || ""`, &text)
	if !strings.Contains(text, "Mixed verification") {
		t.Errorf("the card after saving: %q", text)
	}
}
