package consolee2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/e2etest"
)

// TestConsoleReport: head office HR downloads Retail's monthly attendance
// sheet from the People section, this month so far by the test clock, as
// CSV with English headers, then in Chinese with Chinese headers, and as
// XLSX; the retail manager is offered Retail's subtree only and gets the
// same sheet.
func TestConsoleReport(t *testing.T) {
	_, ctx := hqSignedIn(t, 5*time.Minute)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the export card", `!!document.querySelector("#report-dept option[value=retail]") && !!document.getElementById("report-csv")`, 30*time.Second)
	choose(t, ctx, "report-dept", "retail")
	// This month so far by the page's clock (the test clock) in the
	// browser's zone, whatever the machine's zone makes of it.
	var month []string
	e2etest.Eval(t, ctx, `(() => { const d = new Date(), p = n => String(n).padStart(2, "0"), m = d.getFullYear() + "-" + p(d.getMonth() + 1); return [m + "-01", m + "-" + p(d.getDate())]; })()`, &month)
	if len(month) != 2 || !strings.HasPrefix(month[0], "2026-03") {
		t.Fatalf("the page's month %v, want March 2026 (the test clock)", month)
	}
	e2etest.Wait(t, ctx, "the range of this month so far", `document.getElementById("report-from").value === "`+month[0]+`" && document.getElementById("report-to").value === "`+month[1]+`" && document.getElementById("report-csv").href.includes("department_id=retail")`, 10*time.Second)
	csv := download(t, ctx, "#report-csv")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	// (The browser's text() drops the BOM, which TestMonthlyCSV checks.)
	if len(lines) < 2 || !strings.Contains(lines[0], "Date") {
		t.Fatalf("the English CSV: %d lines, starting %.200q", len(lines), csv)
	}
	if !strings.Contains(csv, "2026-03-02") || strings.Contains(csv, "2026-03-12") {
		t.Errorf("the CSV's days are not 1 to 11 March: %.300q", csv)
	}
	shotsEnZh(t, ctx, "report", `document.getElementById("report-csv")?.href.includes("lang=zh")`)
	e2etest.Tap(t, ctx, "中文", "#lang")
	e2etest.Wait(t, ctx, "the Chinese links", `document.getElementById("report-csv")?.href.includes("lang=zh")`, 10*time.Second)
	if zh := download(t, ctx, "#report-csv"); !strings.Contains(strings.SplitN(zh, "\n", 2)[0], "日期") {
		t.Errorf("the Chinese CSV's header: %.200q", zh)
	}
	e2etest.Tap(t, ctx, "English", "#lang")
	if xlsx := download(t, ctx, "#report-xlsx"); !strings.HasPrefix(xlsx, "PK") {
		t.Errorf("the XLSX is not a zip: %.20q", xlsx)
	}

	signOut(t, ctx)
	signIn(t, ctx, "mgr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "the manager signed in", `document.getElementById("me")?.dataset.role === "manager"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the manager's export card", `!!document.querySelector("#report-dept option[value=retail]")`, 30*time.Second)
	var offered []string
	e2etest.Eval(t, ctx, `[...document.querySelectorAll("#report-dept option")].map(o => o.value)`, &offered)
	for _, d := range offered {
		if d == "works" || d == "hq" {
			t.Errorf("the manager is offered %s: %v", d, offered)
		}
	}
	if csv := download(t, ctx, "#report-csv"); !strings.Contains(csv, "Date") {
		t.Errorf("the manager's CSV: %.200q", csv)
	}
}

// download fetches a link's target with the page's session and returns
// its body as text (a binary file's bytes as Latin-1 characters), failing
// on any status but 200.
func download(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var got struct {
		Status int
		Body   string
	}
	e2etest.Run(t, ctx, "download "+sel, chromedp.Evaluate(`fetch(document.querySelector(`+"`"+sel+"`"+`).href).then(async r => ({status: r.status, body: r.headers.get("content-type").includes("csv") ? await r.text() : String.fromCharCode(...new Uint8Array(await r.arrayBuffer()).slice(0, 64))}))`, &got, awaitPromise))
	if got.Status != 200 {
		t.Fatalf("%s: %d %.300s", sel, got.Status, got.Body)
	}
	return got.Body
}
