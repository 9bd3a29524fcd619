package consolee2e

// The console's steps (steps_test.go) in People and Kiosks: the import,
// the badge sheet, a kiosk enrolled by its QR code.

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/kiosk/scan"
	"punchclock/server/internal/badges/badgestest"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/store"
)

// employeeCount is how many employees punchd has.
func employeeCount(t *testing.T, s *e2etest.Server) int {
	t.Helper()
	es, err := s.Main().Store.Employees(context.Background(), store.EmployeeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// checkBadSheet opens People and chooses the acceptance file with three
// bad rows (orgimporttest.Sheet): the dry run lists each problem by
// line, there is nothing to confirm, and nothing is written.
func checkBadSheet(t *testing.T, ctx context.Context, s *e2etest.Server) {
	t.Helper()
	before := employeeCount(t, s)
	bad := filepath.Join(t.TempDir(), "new-staff-bad.xlsx")
	writeSheet(t, bad, true)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the import form", `!!document.getElementById("import-file")`, 30*time.Second)
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
	if n := employeeCount(t, s); n != before {
		t.Fatalf("the dry run wrote %d employees", n-before)
	}
}

// importSheet chooses the fixed acceptance file in People, open: it
// checks clean (nothing written by the dry run), and confirming writes
// its 200 employees to Retail.
func importSheet(t *testing.T, ctx context.Context, s *e2etest.Server) {
	t.Helper()
	before := employeeCount(t, s)
	good := filepath.Join(t.TempDir(), "new-staff.xlsx")
	writeSheet(t, good, false)
	e2etest.Run(t, ctx, "choose the fixed file", chromedp.SetUploadFiles("#import-file", []string{good}, chromedp.ByQuery))
	e2etest.Wait(t, ctx, "the clean dry run", `document.getElementById("import-summary")?.dataset.problems === "0" && !!document.getElementById("import-write")`, 30*time.Second)
	if n := employeeCount(t, s); n != before {
		t.Fatalf("the dry run wrote %d employees", n-before)
	}
	e2etest.Tap(t, ctx, "import", "#import-write")
	e2etest.Wait(t, ctx, "the import written", `document.getElementById("import-done")?.dataset.written === "200"`, 30*time.Second)
	if n := employeeCount(t, s); n != before+200 {
		t.Errorf("%d employees after the import, want %d", n, before+200)
	}
	if e, err := s.Main().Store.Employee(context.Background(), "N042"); err != nil || e.Name != "新员工 42" || e.DepartmentID != "retail" || e.BadgeCode != "NB-042" {
		t.Errorf("N042 after the import: %+v %v", e, err)
	}
}

// printBadges picks dept for the badge sheet in People, open, downloads
// it as the console's link does (with the page's session), and reads it
// back with the kiosk's decoder: every card is the badge of an active
// employee of dept or a department under it, in both symbols.
func printBadges(t *testing.T, ctx context.Context, s *e2etest.Server, dept string) {
	t.Helper()
	bg := context.Background()
	choose(t, ctx, "badges-dept", dept)
	e2etest.Wait(t, ctx, "the badge sheet link", fmt.Sprintf(`document.getElementById("badges-pdf")?.getAttribute("href") === "/api/v1/badges?department_id=%s"`, dept), 10*time.Second)
	var b64 string
	e2etest.Run(t, ctx, "download the badge sheet", chromedp.Evaluate(`(async () => {
		const r = await fetch(document.getElementById("badges-pdf").href);
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") return "HTTP " + r.status + " " + r.headers.get("Content-Type");
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ""; for (const x of b) s += String.fromCharCode(x);
		return btoa(s);
	})()`, &b64, awaitPromise))
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("the badge sheet: %.60s", b64)
	}
	depts, err := s.Main().Store.Departments(bg)
	if err != nil {
		t.Fatal(err)
	}
	under := map[string]bool{dept: true}
	for grew := true; grew; {
		grew = false
		for _, d := range depts {
			if under[d.ParentID] && !under[d.ID] {
				under[d.ID], grew = true, true
			}
		}
	}
	es, err := s.Main().Store.Employees(bg, store.EmployeeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	badgesOf := map[string]bool{}
	for _, e := range es {
		if under[e.DepartmentID] && e.Active {
			badgesOf[e.BadgeCode] = true
		}
	}
	cards, err := badgestest.Read(pdf, len(badgesOf))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cards {
		if !badgesOf[c.QR] || c.Code128 != c.QR {
			t.Errorf("card %d reads %+v, want a badge of %s in both symbols", i, c, dept)
		}
		delete(badgesOf, c.QR)
	}
}

// enrollByQR makes an enrollment code for site in the Kiosks section,
// open; its QR code, photographed and read with the kiosk's decoder, is
// the kiosk page's URL with the code, which punchd answered. That URL,
// opened in a new tab, shows the enrollment form filled in; sent, the
// tab is a kiosk of site. After its first sync the console shows it in
// the fleet, its health reported (its version, its camera working,
// nothing waiting, its storage quota known). It returns the kiosk's id.
func enrollByQR(t *testing.T, ctx context.Context, s *e2etest.Server, site string) string {
	t.Helper()
	e2etest.Wait(t, ctx, "the site to enroll at", fmt.Sprintf(`!!document.querySelector('#enroll-site option[value=%q]')`, site), 30*time.Second)
	choose(t, ctx, "enroll-site", site)
	e2etest.Tap(t, ctx, "make a code", "#enroll-make")
	e2etest.Wait(t, ctx, "the code and its QR code", `!!document.getElementById("made-code")?.dataset.code && (() => { const i = document.getElementById("enroll-qr"); return !!i && i.complete && i.naturalWidth > 0; })()`, 30*time.Second)
	var made struct{ Code, URL string }
	e2etest.Eval(t, ctx, `({code: document.getElementById("made-code").dataset.code, url: document.getElementById("enroll-link").dataset.url})`, &made)
	read := readQR(t, ctx, "#enroll-qr")
	if read != made.URL || made.URL != s.URL()+"/?enroll="+made.Code {
		t.Fatalf("the enrollment QR code reads %q; the code is %q, its URL %q", read, made.Code, made.URL)
	}

	// The tablet's camera opens what it read.
	kctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	e2etest.OpenKioskAt(t, kctx, read)
	e2etest.Wait(t, kctx, "the code filled in", fmt.Sprintf(`document.getElementById("enroll-code")?.value === %q`, made.Code), 30*time.Second)
	e2etest.Tap(t, kctx, "submit the enrollment", "#enroll-submit")
	e2etest.Wait(t, kctx, "the kiosk screen", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 30*time.Second)
	device := e2etest.Status(t, kctx, "device")
	if d, err := s.Main().Store.Device(context.Background(), device); err != nil || d.SiteID != site {
		t.Fatalf("the enrolled kiosk: %+v %v", d, err)
	}
	var left string
	e2etest.Eval(t, kctx, `location.search`, &left)
	if left != "" {
		t.Errorf("the enrolled kiosk's address keeps the spent code: %q", left)
	}

	// After its first sync the console shows it, its health reported.
	row := fleetRow(device)
	// The console asks every 30 s; the condition presses Refresh now and
	// then meanwhile, as a person waiting would.
	e2etest.Wait(t, ctx, "the kiosk's health in the console", fmt.Sprintf(`(() => {
		const r = %s;
		if (!!r && r.querySelector('[data-field=version]')?.innerText === "console-e2e") return true;
		const now = performance.now();
		if (!(now - window.__refreshed < 500)) { window.__refreshed = now; document.getElementById("kiosks-refresh").click(); }
		return false;
	})()`, row), 90*time.Second)
	var cells map[string]string
	e2etest.Eval(t, ctx, fmt.Sprintf(`(() => { const r = %s; return {state: r.dataset.state, camera: r.querySelector('[data-field=camera]').dataset.value, pending: r.querySelector('[data-field=pending]').innerText, quota: r.querySelector('[data-field=storage]').dataset.quota}; })()`, row), &cells)
	if cells["state"] != "ok" || cells["camera"] != "ok" || cells["pending"] != "0" || cells["quota"] == "0" || cells["quota"] == "" {
		t.Errorf("the kiosk's row: %v (want ok, its camera working, nothing waiting, its storage quota known)", cells)
	}
	checkSyncZone(t, ctx, s, site, device)
	return device
}

// checkSyncZone checks that the fleet shows the kiosk's last sync in its
// site's zone, named: "2026-03-11 10:00:05 CST (UTC+08:00)".
func checkSyncZone(t *testing.T, ctx context.Context, s *e2etest.Server, site, device string) {
	t.Helper()
	var fleet struct {
		Kiosks []struct {
			ID       string    `json:"id"`
			LastSync time.Time `json:"last_sync"`
		} `json:"kiosks"`
	}
	e2etest.Run(t, ctx, "read the fleet through the API", chromedp.Evaluate(`fetch("/api/v1/admin/fleet").then(r => r.json())`, &fleet, awaitPromise))
	st, err := s.Main().Store.Site(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(st.Zone)
	if err != nil {
		t.Fatal(err)
	}
	var shown string
	e2etest.Eval(t, ctx, fleetRow(device)+`.querySelector('[data-field=last_sync]').innerText`, &shown)
	for _, k := range fleet.Kiosks {
		if k.ID != device {
			continue
		}
		_, off := k.LastSync.In(loc).Zone()
		want := k.LastSync.In(loc).Format("2006-01-02 15:04:05 MST") + fmt.Sprintf(" (UTC+%02d:00)", off/3600)
		if shown != want {
			t.Errorf("the kiosk's last sync shows %q, want %q (its site's zone, %s)", shown, want, st.Zone)
		}
		return
	}
	t.Errorf("no kiosk %s in the fleet", device)
}

// readQR photographs the QR code the element sel shows and reads it with
// the kiosk's decoder, as a camera would.
func readQR(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var shot []byte
	e2etest.Run(t, ctx, "photograph the QR code", chromedp.Screenshot(sel, &shot, chromedp.ByQuery))
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	read, err := scan.NewDecoder(scan.FormatQR).Decode(img)
	if err != nil {
		t.Fatalf("the QR code %s does not read: %v", sel, err)
	}
	return read.Text
}

// fleetRow is a JavaScript expression for the fleet's row of a kiosk.
func fleetRow(device string) string {
	return fmt.Sprintf(`document.querySelector('#fleet tr[data-kiosk=%q]')`, device)
}
