package consolee2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/e2etest"
)

// TestConsoleAssignments: head office HR adds the night shift and the
// rotation night, night, rest, rest to the default rules
// (addNightRotation), then puts Retail on it from Monday 2 March
// (assignNightRotation): without a from date or an anchor the rotation is
// refused next to the anchor, in the words of the rules' validation; the
// department is listed by its name, a removal can be cancelled, the
// preview lists the retail employee-days that change (nothing stored),
// and the save stores the assignment, read back from
// GET /api/v1/rule/config. Screenshots in English and Chinese.
func TestConsoleAssignments(t *testing.T) {
	_, ctx := consoleOn(t, 5*time.Minute, hqAndManager)
	signIn(t, ctx, "hq-hr@example.com", adminPassword)
	e2etest.Wait(t, ctx, "the console", `document.getElementById("me")?.dataset.role === "hr" && !!document.getElementById("nav-rules")`, 30*time.Second)
	e2etest.Tap(t, ctx, "open Rules", "#nav-rules")
	addNightRotation(t, ctx)
	assignNightRotation(t, ctx)
	saveRules(t, ctx)
	got := storedRules(t, ctx, "").Schedule.Assignments
	monday := rules.NewDate(2026, 3, 2)
	want := rules.Assignment{Scope: rules.ScopeDepartment, Target: "retail", Schedule: "nights-2-2", From: monday, Anchor: monday}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("stored assignments %+v, want %+v", got, want)
	}
}

// assignNightRotation assigns, in the Rules section open on the default
// rules with the rotation nights-2-2, that rotation to Retail from
// 2026-03-02 with its anchor there, and previews it: the employee-days
// that change are Retail's, from that date. Nothing is saved.
func assignNightRotation(t *testing.T, ctx context.Context) {
	t.Helper()
	e2etest.Wait(t, ctx, "the assignments", `!!document.getElementById("assign-none") && !!document.querySelector("#rules-form")`, 10*time.Second)
	e2etest.Tap(t, ctx, "assign a schedule", "#assign-add")
	e2etest.Wait(t, ctx, "the assignment form", `!!document.getElementById("assign-form") && !!document.querySelector('#assign-target option[value="retail"]')`, 10*time.Second)
	choose(t, ctx, "assign-target", "retail")
	choose(t, ctx, "assign-schedule", "nights-2-2")
	// A rotation without a from date or an anchor: refused next to the anchor.
	e2etest.Wait(t, ctx, "the anchor's refusal", `!!document.getElementById("assign-anchor") && (document.getElementById("assign-anchor-error")?.title || "").includes("anchor") && document.querySelectorAll("#assign-form .error").length === 1 && document.getElementById("assign-apply").disabled && document.getElementById("rules-preview-button").disabled`, 10*time.Second)
	e2etest.SetInput(t, ctx, "assign-from", "2026-03-02")
	e2etest.SetInput(t, ctx, "assign-anchor", "2026-03-02")
	e2etest.Wait(t, ctx, "the assignment accepted", `!document.querySelector("#assign-form .error") && !document.getElementById("assign-apply").disabled`, 10*time.Second)
	e2etest.Tap(t, ctx, "apply the assignment", "#assign-apply")
	row := `#assignments tr[data-target="retail"][data-schedule="nights-2-2"]`
	e2etest.Wait(t, ctx, "Retail listed by its name", `!document.getElementById("assign-form") && document.querySelector('`+row+` .target')?.textContent === "Retail 门店"`, 10*time.Second)

	// A removal asks first; cancelled, the assignment stays.
	e2etest.Tap(t, ctx, "remove the assignment", "#assign-remove-0")
	e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-assign-remove") && document.activeElement?.id === "assign-remove-yes"`, 10*time.Second)
	e2etest.Tap(t, ctx, "cancel the removal", "#assign-remove-cancel")
	e2etest.Wait(t, ctx, "the assignment kept", `!document.getElementById("confirm-assign-remove") && !!document.querySelector('`+row+`')`, 10*time.Second)

	previewRules(t, ctx)
	var changes []struct{ Employee, Date string }
	e2etest.Eval(t, ctx, `[...document.querySelectorAll("#rules-changes tr")].map(r => ({employee: r.dataset.employee, date: r.dataset.date}))`, &changes)
	if len(changes) == 0 {
		t.Fatalf("the preview lists no employee-day; page: %s", e2etest.PageText(ctx))
	}
	for _, c := range changes {
		if c.Date < "2026-03-02" || c.Employee == "E001" || c.Employee > "E020" {
			t.Errorf("the preview changes %s on %s: not Retail's from 2 March", c.Employee, c.Date)
		}
	}
	var summary string
	e2etest.Eval(t, ctx, `document.getElementById("rules-summary").innerText`, &summary)
	t.Logf("the preview: %d employee-days: %s", len(changes), strings.ReplaceAll(summary, "\n", "; "))
	if a := storedRules(t, ctx, "").Schedule.Assignments; len(a) != 0 {
		t.Fatalf("the preview stored the assignments: %+v", a)
	}
	shotsEnZh(t, ctx, "assignments", `(document.querySelector("#assign-card h3")?.textContent || "") === "排班分配"`)
}
