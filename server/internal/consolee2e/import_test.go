package consolee2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"punchclock/app/rules"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/badges/badgestest"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/orgimport/orgimporttest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// writeSheet writes the acceptance file (orgimporttest.Sheet) to path.
func writeSheet(t *testing.T, path string, bad bool) {
	t.Helper()
	b, err := orgimporttest.Sheet(bad)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestConsoleImport: HR of the retail unit imports 200 employees from an
// XLSX file in the console. The file with three bad rows is checked (a
// dry run): each problem is listed by line, nothing is written, and there
// is nothing to confirm. The fixed file checks clean, and confirming
// writes all 200. Then HR prints the unit's badge sheet, and a badge from
// it scans with the kiosk's decoder.
func TestConsoleImport(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clock := e2etest.NewClock(rules.NewDate(2026, 3, 11).At(rules.NewClock(10, 0), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	bg := context.Background()
	if _, _, err := s.Main().API.Auth.PutUser(bg, "u-hr", auth.UserRequest{Login: "hr@example.com", Name: "Hu Rong", Role: auth.RoleHR, Unit: "retail", Password: adminPassword}, "e2etest"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		es, err := s.Main().Store.Employees(bg, store.EmployeeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := count()
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "new-staff-bad.xlsx"), filepath.Join(dir, "new-staff.xlsx")
	writeSheet(t, bad, true)
	writeSheet(t, good, false)

	ctx := signedIn(t, s, clock, 4*time.Minute, "hr@example.com")
	// HR's first section, the kiosks, is not theirs: punchd says so.
	e2etest.Wait(t, ctx, "the kiosks refused", `document.getElementById("me")?.dataset.role === "hr" && !!document.getElementById("kiosks-forbidden")`, 30*time.Second)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the import form", `!!document.getElementById("import-file")`, 10*time.Second)

	e2etest.Run(t, ctx, "choose the bad file", chromedp.SetUploadFiles("#import-file", []string{bad}, chromedp.ByQuery))
	e2etest.Wait(t, ctx, "the dry run's problems", `document.getElementById("import-summary")?.dataset.problems === "3"`, 30*time.Second)
	var lines []int
	e2etest.Eval(t, ctx, `[...document.querySelectorAll("#import-problems tbody tr")].map(r => +r.dataset.line)`, &lines)
	if fmt.Sprint(lines) != "[12 52 152]" {
		t.Errorf("problems on lines %v, want [12 52 152] (rows 10, 50 and 150 under the header)", lines)
	}
	var confirm bool
	e2etest.Eval(t, ctx, `!!document.getElementById("import-write")`, &confirm)
	if confirm {
		t.Error("a file with problems can be imported")
	}
	if n := count(); n != before {
		t.Fatalf("the dry run wrote %d employees", n-before)
	}

	e2etest.Run(t, ctx, "choose the fixed file", chromedp.SetUploadFiles("#import-file", []string{good}, chromedp.ByQuery))
	e2etest.Wait(t, ctx, "the clean dry run", `document.getElementById("import-summary")?.dataset.problems === "0" && !!document.getElementById("import-write")`, 30*time.Second)
	if n := count(); n != before {
		t.Fatalf("the dry run wrote %d employees", n-before)
	}
	e2etest.Tap(t, ctx, "import", "#import-write")
	e2etest.Wait(t, ctx, "the import written", `document.getElementById("import-done")?.dataset.written === "200"`, 30*time.Second)
	if n := count(); n != before+200 {
		t.Errorf("%d employees after the import, want %d", n, before+200)
	}
	if e, err := s.Main().Store.Employee(bg, "N042"); err != nil || e.Name != "新员工 42" || e.DepartmentID != "retail" || e.BadgeCode != "NB-042" {
		t.Errorf("N042 after the import: %+v %v", e, err)
	}

	// The unit's badge sheet, as the console's link downloads it (with
	// HR's session), reads back with the kiosk's decoder: its first card
	// is a retail employee's badge.
	e2etest.Wait(t, ctx, "the badge sheet link", `document.getElementById("badges-pdf")?.getAttribute("href") === "/api/v1/badges?department_id=retail"`, 10*time.Second)
	var b64 string
	e2etest.Run(t, ctx, "download the badge sheet", chromedp.Evaluate(`(async () => {
		const r = await fetch(document.getElementById("badges-pdf").href);
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") return "HTTP " + r.status + " " + r.headers.get("Content-Type");
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ""; for (const x of b) s += String.fromCharCode(x);
		return btoa(s);
	})()`, &b64, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("the badge sheet: %.60s", b64)
	}
	// The sheet holds the unit's active employees, sub-departments too.
	depts, err := s.Main().Store.Departments(bg)
	if err != nil {
		t.Fatal(err)
	}
	inUnit := map[string]bool{"retail": true}
	for grew := true; grew; {
		grew = false
		for _, d := range depts {
			if inUnit[d.ParentID] && !inUnit[d.ID] {
				inUnit[d.ID], grew = true, true
			}
		}
	}
	es, err := s.Main().Store.Employees(bg, store.EmployeeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	badgesOf := map[string]bool{}
	for _, e := range es {
		if inUnit[e.DepartmentID] && e.Active {
			badgesOf[e.BadgeCode] = true
		}
	}
	cards, err := badgestest.Read(pdf, len(badgesOf))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cards {
		if !badgesOf[c.QR] || c.Code128 != c.QR {
			t.Errorf("card %d reads %+v, want a badge of the unit in both symbols", i, c)
		}
		delete(badgesOf, c.QR)
	}
}
