package consolee2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/e2etest"
)

// TestConsoleSitesOrg: head office HR makes a site in the console: a
// misspelt zone is refused next to its field, the polygon geofence is
// drawn on the site plan (three clicks and one vertex placed with the
// arrow keys and Enter), and punchd's API answers the very polygon
// drawn. HR then makes a department under Retail, picking the parent
// from a list, and renames it; a move asks for a confirmation and,
// cancelled, changes nothing; deleting asks too, is refused in words
// for a department with employees and done for an empty one (the
// confirmation kept as a screenshot; TestConsoleAcceptance keeps the
// pages in English and Chinese). The retail manager sees the Retail
// subtree only, without any write control, and punchd refuses a write
// sent straight to the API.
func TestConsoleSitesOrg(t *testing.T) {
	s, ctx := hqSignedIn(t, 5*time.Minute)
	bg := context.Background()
	drawSite(t, ctx)
	saveSite(t, ctx)
	makeDepartment(t, ctx, s)
	// A move waits for its confirmation; cancelled, nothing moves.
	e2etest.Tap(t, ctx, "move", "#move-retail-east")
	e2etest.Wait(t, ctx, "the parents to move under", `!!document.getElementById("move-parent")`, 10*time.Second)
	choose(t, ctx, "move-parent", "works")
	e2etest.Tap(t, ctx, "ask to move", "#move-ask")
	e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-move")`, 10*time.Second)
	keepShot(t, ctx, "console-org-move-en.png")
	e2etest.Tap(t, ctx, "cancel", "#move-cancel")
	e2etest.Wait(t, ctx, "the confirmation closed", `!document.getElementById("confirm-move")`, 10*time.Second)
	if d, _ := s.Main().Store.Departments(bg); !hasDept(d, "retail-east", "retail") {
		t.Error("a cancelled move moved the department")
	}
	// Renamed in place.
	e2etest.Tap(t, ctx, "rename", "#rename-retail-east")
	e2etest.Wait(t, ctx, "the name field", `document.getElementById("rename-input")?.value === "East stores 东区门店"`, 10*time.Second)
	e2etest.SetInput(t, ctx, "rename-input", "East stores 东区")
	e2etest.Tap(t, ctx, "save the name", "#rename-save")
	e2etest.Wait(t, ctx, "renamed", `document.querySelector("#dept-retail-east .dept-name")?.textContent === "East stores 东区"`, 30*time.Second)
	// Deleting asks first; punchd refuses the workshop (it has
	// employees) in words, and deletes an empty department.
	e2etest.Tap(t, ctx, "delete the workshop", "#delete-works")
	e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-delete")`, 10*time.Second)
	e2etest.Tap(t, ctx, "confirm", "#delete-yes")
	e2etest.Wait(t, ctx, "the refusal", `document.getElementById("org-msg-error")?.dataset.code === "conflict" && !!document.getElementById("dept-works")`, 30*time.Second)
	e2etest.SetInput(t, ctx, "dept-new-id", "retail-tmp")
	e2etest.SetInput(t, ctx, "dept-new-name", "Pop-up store")
	e2etest.Tap(t, ctx, "create another", "#dept-new-submit")
	e2etest.Wait(t, ctx, "the pop-up store", `!!document.getElementById("delete-retail-tmp")`, 30*time.Second)
	e2etest.Tap(t, ctx, "delete the pop-up store", "#delete-retail-tmp")
	e2etest.Tap(t, ctx, "confirm", "#delete-yes")
	e2etest.Wait(t, ctx, "the pop-up store deleted", `document.getElementById("org-msg")?.dataset.id === "retail-tmp" && !document.getElementById("dept-retail-tmp")`, 30*time.Second)
	entries, err := s.Main().Store.AuditEntries(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	acts := map[string]bool{}
	for _, e := range entries {
		if strings.HasPrefix(e.Actor, "user:") {
			acts[e.Action+" "+e.Target] = true
		}
	}
	if !acts[audit.ActionSite+" sz-futian"] || !acts[audit.ActionDepartment+" retail-east"] || !acts[audit.ActionDepartmentDelete+" retail-tmp"] {
		t.Errorf("audit entries by a person: %v", acts)
	}

	// The retail manager: Retail and below, nothing to change, and
	// punchd refuses a change sent to the API without the console.
	signOut(t, ctx)
	signIn(t, ctx, "mgr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "signed in as the manager", `document.getElementById("me")?.dataset.role === "manager"`, 30*time.Second)
	managerOrg(t, ctx, s)
}

// hasDept reports whether ds holds id under parent.
func hasDept(ds []attendance.Department, id, parent string) bool {
	for _, d := range ds {
		if d.ID == id {
			return d.ParentID == parent
		}
	}
	return false
}
