package consolee2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/e2etest"
)

// TestConsoleShifts: an administrator (TestConsoleCalendar has head
// office HR, whom punchd lets change the rule configuration too) adds a
// night shift 22:00 to 06:00 to the default rules, shown as ending the next day, and a
// rotation night, night, rest, rest. A time that is not one and a
// pattern naming an unknown shift are refused next to their fields,
// in the words of the rules' own validation; the change is previewed,
// then saved, and punchd's API answers both. The page is kept as a
// screenshot in English and Chinese.
func TestConsoleShifts(t *testing.T) {
	root, err := e2etest.Root()
	if err != nil {
		t.Fatal(err)
	}
	_, ctx := adminRules(t)
	e2etest.Wait(t, ctx, "the default rules' shifts", `!!document.getElementById("rules-form") && !document.getElementById("rules-form").dataset.site && !!document.querySelector('#shifts tr[data-shift="day"]')`, 30*time.Second)

	// The night shift: a bad end time is refused next to it.
	e2etest.Tap(t, ctx, "add a shift", "#shift-add")
	e2etest.Wait(t, ctx, "the shift form", `!!document.getElementById("shift-form")`, 10*time.Second)
	e2etest.SetInput(t, ctx, "shift-id", "night")
	e2etest.SetInput(t, ctx, "shift-name", "Night")
	e2etest.SetInput(t, ctx, "shift-start", "22:00")
	e2etest.SetInput(t, ctx, "shift-end", "25:00")
	e2etest.Wait(t, ctx, "the end time's refusal", `!!document.getElementById("shift-end-error") && !document.getElementById("shift-start-error") && document.getElementById("shift-apply").disabled && document.getElementById("rules-preview-button").disabled`, 10*time.Second)
	e2etest.SetInput(t, ctx, "shift-end", "06:00")
	e2etest.SetInput(t, ctx, "shift-breaks", "02:00-02:30")
	e2etest.Wait(t, ctx, "the shift accepted", `!document.querySelector("#shift-form .error") && !document.getElementById("shift-apply").disabled && document.getElementById("shift-span")?.textContent === "22:00 → 06:00 (+1 day)"`, 10*time.Second)
	e2etest.Tap(t, ctx, "apply the shift", "#shift-apply")
	e2etest.Wait(t, ctx, "the night shift listed", `!document.getElementById("shift-form") && document.querySelector('#shifts tr[data-shift="night"] .span')?.textContent === "22:00 → 06:00 (+1 day)"`, 10*time.Second)

	// The rotation: a misspelt shift is refused next to the pattern.
	e2etest.Tap(t, ctx, "add a rotation", "#rotation-add")
	e2etest.Wait(t, ctx, "the rotation form", `!!document.getElementById("rotation-form")`, 10*time.Second)
	e2etest.SetInput(t, ctx, "rotation-id", "nights-2-2")
	e2etest.SetInput(t, ctx, "rotation-name", "Two nights on, two off")
	e2etest.SetInput(t, ctx, "rotation-pattern", "night, night, rest, nihgt")
	e2etest.Wait(t, ctx, "the pattern's refusal", `(document.getElementById("rotation-pattern-error")?.textContent || "").includes("nihgt") && document.getElementById("rotation-apply").disabled`, 10*time.Second)
	e2etest.SetInput(t, ctx, "rotation-pattern", "night, night, rest, rest")
	e2etest.Wait(t, ctx, "the rotation accepted", `!document.querySelector("#rotation-form .error") && !document.getElementById("rotation-apply").disabled`, 10*time.Second)
	e2etest.Tap(t, ctx, "apply the rotation", "#rotation-apply")
	e2etest.Wait(t, ctx, "the rotation listed", `!!document.querySelector('#rotations tr[data-rotation="nights-2-2"]') && !!document.getElementById("shifts-pending")`, 10*time.Second)

	// Previewed, nothing saved yet.
	previewRules(t, ctx)
	stored := func() ([]rules.Shift, []rules.Rotation) {
		c := storedRules(t, ctx, "")
		return c.Rules.Shifts, c.Rules.Rotations
	}
	if shifts, rotations := stored(); len(shifts) != 1 || len(rotations) != 0 {
		t.Fatalf("the preview saved the rules: %d shifts, %d rotations", len(shifts), len(rotations))
	}
	e2etest.Screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "console-shifts-en.png"))
	e2etest.Tap(t, ctx, "中文", "#lang")
	e2etest.Wait(t, ctx, "the shifts in Chinese", `document.querySelector(".console")?.lang === "zh" && document.querySelector('#shifts tr[data-shift="night"] .span')?.textContent === "22:00 → 06:00（次日）"`, 10*time.Second)
	e2etest.Screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "console-shifts-zh.png"))
	e2etest.Tap(t, ctx, "English", "#lang")
	e2etest.Wait(t, ctx, "English again", `document.querySelector(".console")?.lang === "en"`, 10*time.Second)

	saveRules(t, ctx)
	shifts, rotations := stored()
	i := slices.IndexFunc(shifts, func(s rules.Shift) bool { return s.ID == "night" })
	if i < 0 || shifts[i].Start != rules.NewClock(22, 0) || shifts[i].End != rules.NewClock(6, 0) || len(shifts[i].Breaks) != 1 || shifts[i].Breaks[0].Start != rules.NewClock(2, 0) {
		t.Errorf("stored shifts %+v, want the night shift 22:00 to 06:00 with a break at 02:00", shifts)
	}
	if len(rotations) != 1 || rotations[0].ID != "nights-2-2" || strings.Join(rotations[0].Pattern, ",") != "night,night,," {
		t.Errorf("stored rotations %+v, want nights-2-2: night, night, rest, rest", rotations)
	}
}
