package consolee2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/app/rules"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// TestConsoleCalendar: head office HR (whom punchd now lets set the
// rules, as WeCom and DingTalk let HR's attendance administrators) sets
// the Shanghai store's weekly schedule to Monday to Saturday and makes it
// the default, imports an iCal file with a company day off on a Tuesday
// of last week on which nobody punched, sees the preview say that day is
// no longer an absence (nothing saved yet), saves, and reads it all back
// from GET /api/v1/rule/config. It adds an approval route for the retail
// unit's make-up punches, edits it before saving, and reads it back from
// GET /api/v1/approval/matrix. HR of the retail unit is shown that the
// rules are not theirs, and punchd refuses their change sent straight to
// it, naming nothing. Screenshots in English and Chinese.
func TestConsoleCalendar(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := rules.NewDate(2026, 3, 11).At(rules.NewClock(10, 0), sh)
	clock := e2etest.NewClock(now)
	// The company's day off: the Tuesday of last week, before the demo's
	// week of punches, so an absence the day off turns into a holiday.
	today := rules.DateOf(now.In(sh))
	dayOff := today - 8
	for dayOff.Weekday() != time.Tuesday {
		dayOff--
	}
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	bg := context.Background()
	for _, u := range []struct{ id, login, unit string }{{"u-hq", "hq@example.com", auth.AllUnits}, {"u-hr", "hr@example.com", "retail"}} {
		if _, _, err := s.Main().API.Auth.PutUser(bg, u.id, auth.UserRequest{Login: u.login, Name: "HR " + u.unit, Role: auth.RoleHR, Unit: u.unit, Password: adminPassword}, "e2etest"); err != nil {
			t.Fatal(err)
		}
	}
	ics := filepath.Join(t.TempDir(), "company.ics")
	day := strings.ReplaceAll(dayOff.String(), "-", "")
	next := strings.ReplaceAll((dayOff + 1).String(), "-", "")
	// A folded SUMMARY, as calendar programs write long ones.
	if err := os.WriteFile(ics, []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1@test\r\n"+
		"DTSTART;VALUE=DATE:"+day+"\r\nDTEND;VALUE=DATE:"+next+"\r\nSUMMARY:Company anniversary \r\n day off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := signedIn(t, s, clock, 5*time.Minute, "hq@example.com")
	e2etest.Wait(t, ctx, "the console", `document.getElementById("me")?.dataset.role === "hr" && !!document.getElementById("nav-rules")`, 30*time.Second)
	e2etest.Tap(t, ctx, "open Rules", "#nav-rules")
	e2etest.Wait(t, ctx, "the rules form", `!!document.getElementById("rules-form") && !!document.querySelector("#rules-site option[value=sh-jingan]")`, 30*time.Second)
	choose(t, ctx, "rules-site", "sh-jingan")
	e2etest.Wait(t, ctx, "the store's rules", `document.getElementById("rules-form")?.dataset.site === "sh-jingan" && !!document.querySelector('#weekly tr[data-weekly="office"]')`, 30*time.Second)
	// China's calendar is shown with its make-up workdays.
	e2etest.Wait(t, ctx, "China's holidays", `!!document.querySelector('#holidays tr[data-kind="workday"]') && !!document.querySelector('#holidays tr[data-kind="holiday"]')`, 10*time.Second)

	// The weekly schedule: Monday to Saturday, the default.
	e2etest.Tap(t, ctx, "add a weekly schedule", "#weekly-add")
	e2etest.Wait(t, ctx, "the weekly form", `!!document.getElementById("weekly-form")`, 10*time.Second)
	e2etest.SetInput(t, ctx, "weekly-id", "office")
	e2etest.Wait(t, ctx, "the id's refusal", `!!document.getElementById("weekly-id-error") && document.getElementById("weekly-apply").disabled`, 10*time.Second)
	e2etest.SetInput(t, ctx, "weekly-id", "six-days")
	e2etest.SetInput(t, ctx, "weekly-name", "Monday to Saturday")
	choose(t, ctx, "weekly-sat", "day")
	e2etest.Wait(t, ctx, "the schedule accepted", `!document.querySelector("#weekly-form .error") && !document.getElementById("weekly-apply").disabled`, 10*time.Second)
	e2etest.Tap(t, ctx, "apply the schedule", "#weekly-apply")
	e2etest.Wait(t, ctx, "the schedule listed", `!document.getElementById("weekly-form") && document.querySelector('#weekly tr[data-weekly="six-days"] td[data-day="sat"]')?.textContent === "day"`, 10*time.Second)
	choose(t, ctx, "weekly-default", "six-days")

	// The iCal file: read in the browser, shown, then added.
	e2etest.Run(t, ctx, "choose the iCal file", chromedp.SetUploadFiles("#ical-file", []string{ics}, chromedp.ByQuery))
	e2etest.Wait(t, ctx, "the file's days", `document.getElementById("ical-preview")?.dataset.days === "1" || !!document.getElementById("ical-error")`, 10*time.Second)
	var icsErr string
	e2etest.Eval(t, ctx, `document.getElementById("ical-error")?.title || ""`, &icsErr)
	if icsErr != "" {
		t.Fatalf("the iCal file was refused: %s", icsErr)
	}
	var read string
	e2etest.Eval(t, ctx, `document.querySelector("#ical-preview li").dataset.date + " " + document.querySelector("#ical-preview li").textContent`, &read)
	if !strings.HasPrefix(read, dayOff.String()+" ") || !strings.Contains(read, "Company anniversary day off") {
		t.Errorf("the file's day: %q, want %s, Company anniversary day off", read, dayOff)
	}
	e2etest.Tap(t, ctx, "add the file's days", "#ical-apply")
	e2etest.Wait(t, ctx, "the company day", fmt.Sprintf(`!!document.querySelector('#company-days li[data-date="%s"]') && !!document.querySelector('#holidays tr[data-company="true"][data-date="%s"]')`, dayOff, dayOff), 10*time.Second)

	// Previewed: the day off is no longer an absence; nothing is saved.
	previewRules(t, ctx)
	var verdicts []string
	e2etest.Eval(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#rules-changes tr[data-date="%s"]')].map(r => r.cells[2].textContent)`, dayOff), &verdicts)
	if len(verdicts) == 0 || slices.ContainsFunc(verdicts, func(v string) bool { return v != "absent → holiday" }) {
		t.Errorf("the preview of %s: %v, want every employee absent → holiday", dayOff, verdicts)
	}
	var summary string
	e2etest.Eval(t, ctx, `document.getElementById("rules-summary").innerText`, &summary)
	if !strings.Contains(summary, "absent → holiday") {
		t.Errorf("the preview's summary: %q", summary)
	}
	if c := storedRules(t, ctx, "sh-jingan"); c.Calendar.Days != nil || len(c.Rules.Weekly) != 1 {
		t.Fatalf("the preview saved the rules: %+v", c)
	}
	shotsEnZh(t, ctx, "calendar", `document.getElementById("rules-summary").innerText.includes("旷工")`)

	saveRules(t, ctx)
	c := storedRules(t, ctx, "sh-jingan")
	want := rules.CalendarEntry{Date: dayOff, Kind: rules.Holiday, Name: "Company anniversary day off"}
	if len(c.Calendar.Days) != 1 || c.Calendar.Days[0] != want {
		t.Errorf("the calendar read back: %+v, want %+v", c.Calendar.Days, want)
	}
	if c.Rules.Basic.DefaultSchedule != "six-days" || len(c.Rules.Weekly) != 2 || c.Rules.Weekly[1].Days.Sat != "day" || c.Rules.Weekly[1].Days.Sun != "" {
		t.Errorf("the weekly schedules read back: default %q, %+v", c.Rules.Basic.DefaultSchedule, c.Rules.Weekly)
	}
	entries, err := s.Main().Store.AuditEntries(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e store.AuditEntry) bool {
		return e.Action == audit.ActionRules && e.Target == "sh-jingan" && e.Actor == "user:hq@example.com"
	}) {
		t.Error("no audit entry of head office HR's rule change")
	}

	// The approval matrix: a route for the retail unit's make-up punches,
	// edited before it is saved.
	e2etest.Wait(t, ctx, "the matrix", `!!document.getElementById("matrix-add")`, 30*time.Second)
	e2etest.Tap(t, ctx, "add a route", "#matrix-add")
	e2etest.Wait(t, ctx, "the route form", `!!document.getElementById("matrix-form")`, 10*time.Second)
	choose(t, ctx, "matrix-dept", "retail")
	choose(t, ctx, "matrix-kind", "makeup_punch")
	e2etest.SetInput(t, ctx, "matrix-approver-1", "E999")
	e2etest.Wait(t, ctx, "the unknown approver refused", `!!document.getElementById("matrix-approver-1-error") && document.getElementById("matrix-apply").disabled`, 10*time.Second)
	e2etest.SetInput(t, ctx, "matrix-approver-1", "E002")
	e2etest.Wait(t, ctx, "the route accepted", `!document.querySelector("#matrix-form .error") && !document.getElementById("matrix-apply").disabled`, 10*time.Second)
	e2etest.Tap(t, ctx, "apply the route", "#matrix-apply")
	e2etest.Wait(t, ctx, "the route listed", `!!document.querySelector('#matrix tr[data-dept="retail"][data-kind="makeup_punch"]')`, 10*time.Second)
	e2etest.Tap(t, ctx, "edit the route", "#matrix-edit-retail-makeup_punch")
	e2etest.Wait(t, ctx, "the route's form", `document.getElementById("matrix-approver-1")?.value === "E002"`, 10*time.Second)
	e2etest.SetInput(t, ctx, "matrix-approver-2", "E001")
	e2etest.Wait(t, ctx, "the edit accepted", `!document.querySelector("#matrix-form .error") && !document.getElementById("matrix-apply").disabled`, 10*time.Second)
	e2etest.Tap(t, ctx, "apply the edit", "#matrix-apply")
	e2etest.Tap(t, ctx, "preview the matrix", "#matrix-preview-button")
	e2etest.Wait(t, ctx, "the matrix's changes", `document.getElementById("matrix-preview")?.dataset.changes === "1"`, 10*time.Second)
	if m := storedMatrix(t, ctx); slices.ContainsFunc(m, func(e matrixRoute) bool { return e.DepartmentID == "retail" && e.Kind == "makeup_punch" }) {
		t.Fatalf("the matrix was saved before its preview: %+v", m)
	}
	shotsEnZh(t, ctx, "matrix", `document.getElementById("matrix-preview")?.dataset.changes === "1"`)
	e2etest.Tap(t, ctx, "save the matrix", "#matrix-save")
	e2etest.Wait(t, ctx, "the matrix saved", `!!document.getElementById("matrix-saved") || !!document.getElementById("matrix-error")`, 30*time.Second)
	route := matrixRoute{DepartmentID: "retail", Kind: "makeup_punch", Approvers: []string{"E002", "E001"}}
	if m := storedMatrix(t, ctx); !slices.ContainsFunc(m, func(e matrixRoute) bool {
		return e.DepartmentID == route.DepartmentID && e.Kind == route.Kind && slices.Equal(e.Approvers, route.Approvers)
	}) {
		t.Errorf("the matrix read back: %+v, want %+v in it", m, route)
	}

	// HR of the retail unit: the rules are not theirs (punchd refuses),
	// the unit's approval route is.
	signOut(t, ctx)
	signIn(t, ctx, "hr@example.com", adminPassword)
	e2etest.Wait(t, ctx, "the console", `document.getElementById("me")?.dataset.role === "hr"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open Rules", "#nav-rules")
	e2etest.Wait(t, ctx, "the rules refused", `!!document.getElementById("rules-forbidden") && !document.getElementById("rules-form") && !!document.querySelector('#matrix tr[data-dept="retail"]')`, 30*time.Second)
	var answer string
	e2etest.Run(t, ctx, "send a rule change straight to punchd", chromedp.Evaluate(`fetch("/api/v1/auth/me").then(r => r.json()).then(me =>
		fetch("/api/v1/rule/config?site_id=sh-jingan", {method: "PUT", headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token},
			body: JSON.stringify({rules: {shifts: []}})})).then(r => r.text().then(b => r.status + " " + b))`, &answer, awaitPromise))
	if !strings.HasPrefix(answer, "403 ") || strings.Contains(answer, "sh-jingan") || strings.Contains(answer, "hr@example.com") {
		t.Errorf("retail HR's rule change: %s, want 403 naming nothing", answer)
	}
}

// choose picks value in the select with id, as a person would.
func choose(t *testing.T, ctx context.Context, id, value string) {
	t.Helper()
	var ok bool
	e2etest.Eval(t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById(%q); if (!s || ![...s.options].some(o => o.value === %q)) return false; s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, id, value, value), &ok)
	if !ok {
		t.Fatalf("no select #%s with %q; page: %s", id, value, e2etest.PageText(ctx))
	}
}

type matrixRoute struct {
	DepartmentID string   `json:"department_id"`
	Kind         string   `json:"kind"`
	Approvers    []string `json:"approvers"`
}

// storedMatrix reads the approval matrix from punchd's API.
func storedMatrix(t *testing.T, ctx context.Context) []matrixRoute {
	t.Helper()
	var got struct {
		Matrix []matrixRoute `json:"matrix"`
	}
	e2etest.Run(t, ctx, "read the matrix through the API", chromedp.Evaluate(`fetch("/api/v1/approval/matrix").then(r => r.json())`, &got, awaitPromise))
	return got.Matrix
}
