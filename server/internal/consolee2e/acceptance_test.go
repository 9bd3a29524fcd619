package consolee2e

import (
	"testing"
	"time"

	"punchclock/server/internal/e2etest"
)

// TestConsoleAcceptance is issue 13's acceptance in one browser session
// on one punchd: head office HR creates a site with a polygon geofence, a
// night shift rotation (22:00 to 06:00; night, night, rest, rest) and a
// department; imports 200 employees from an XLSX file (its 3 bad rows
// reported, nothing written on the dry run); changes a grace period and
// sees the preview before saving; enrolls a kiosk from the console (the
// tablet opens the code's QR code) and sees it in fleet health after its
// first sync; prints a badge sheet and decodes its badges. Every section
// is kept as a screenshot in English and Chinese. Then the retail manager
// goes through every section: Retail's subtree only, no write control,
// and punchd refuses the writes sent without the console. The steps are
// the section tests' (steps_test.go).
func TestConsoleAcceptance(t *testing.T) {
	s, ctx := consoleOn(t, 8*time.Minute, hqAndManager)
	signIn(t, ctx, "hq-hr@example.com", adminPassword)
	// Head office HR's first section: the kiosks, theirs to manage.
	e2etest.Wait(t, ctx, "the kiosks", `document.getElementById("me")?.dataset.role === "hr" && (!!document.getElementById("fleet") || !!document.getElementById("kiosks-none"))`, 30*time.Second)

	// A site with a polygon geofence drawn on the plan.
	drawSite(t, ctx)
	shotsEnZh(t, ctx, "sites", `document.getElementById("nav-sites").textContent === "考勤地点" && document.querySelectorAll("#plane .vertex").length === 4`)
	saveSite(t, ctx)

	// A department under Retail.
	makeDepartment(t, ctx, s)
	shotsEnZh(t, ctx, "org", `document.getElementById("nav-org").textContent === "组织架构" && !!document.getElementById("dept-retail-east")`)

	// The night shift rotation, previewed, then saved.
	e2etest.Tap(t, ctx, "open Rules", "#nav-rules")
	addNightRotation(t, ctx)
	shotsEnZh(t, ctx, "shifts", nightShiftZh)
	saveNightRotation(t, ctx)

	// A grace period changed: the preview before saving.
	previewGrace(t, ctx, s)
	shotsEnZh(t, ctx, "rules", `document.getElementById("rules-summary")?.innerText.includes("迟到")`)
	saveGrace(t, ctx, s)

	// 200 employees from an XLSX file, after a dry run of the file with
	// three bad rows; then Retail's badge sheet, read back.
	checkBadSheet(t, ctx, s)
	shotsEnZh(t, ctx, "people", `document.getElementById("import-summary")?.dataset.problems === "3" && document.getElementById("nav-people").textContent === "人员"`)
	importSheet(t, ctx, s)
	printBadges(t, ctx, s, "retail")

	// A kiosk enrolled from the console's QR code, in the fleet's health
	// after its first sync.
	e2etest.Tap(t, ctx, "open Kiosks", "#nav-kiosks")
	enrollByQR(t, ctx, s, "sz-futian")
	shotsEnZh(t, ctx, "kiosks", `document.body.innerText.includes("考勤终端") && !!document.getElementById("enroll-qr")`)

	// The retail manager, through every section.
	signOut(t, ctx)
	signIn(t, ctx, "mgr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "the kiosks refused", `document.getElementById("me")?.dataset.role === "manager" && !!document.getElementById("kiosks-forbidden") && !document.getElementById("enroll")`, 30*time.Second)
	keepShot(t, ctx, "console-kiosks-manager-en.png")
	managerPeople(t, ctx, s, 218)
	managerOrg(t, ctx, s)
	e2etest.Tap(t, ctx, "open Rules", "#nav-rules")
	e2etest.Wait(t, ctx, "the rules refused, the matrix read only", `!!document.getElementById("rules-forbidden") && !document.getElementById("rules-form") && !!document.getElementById("matrix-card") && document.querySelectorAll("#matrix-card button").length === 0`, 30*time.Second)
	keepShot(t, ctx, "console-rules-manager-en.png")
	refused(t, ctx, []apiCall{
		{"POST", "/api/v1/admin/enrollment-codes", map[string]string{"site_id": "sz-futian"}},
		{"GET", "/api/v1/admin/fleet", nil},
		{"PUT", "/api/v1/rule/config?site_id=sh-jingan", map[string]any{"rules": map[string]any{"shifts": []any{}}}},
		{"POST", "/api/v1/employees/import?dry_run=true", "id,name,department\nE004,Li,retail\n"},
		{"GET", "/api/v1/badges?department_id=retail", nil},
	}, "sz-futian", "sh-jingan", "retail")
}
