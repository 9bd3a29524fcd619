package consolee2e

// The console's steps (steps_test.go) of a manager, who reads their
// subtree and changes nothing.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/e2etest"
)

// signOut signs out of the console and waits for the sign-in form.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	e2etest.Tap(t, ctx, "sign out", "#signout")
	e2etest.Wait(t, ctx, "the sign-in form", `!!document.getElementById("signin-login")`, 30*time.Second)
}

// apiCall is a request a page sends to punchd's API with its session;
// a string body is sent as CSV, any other as JSON.
type apiCall struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Body   any    `json:"body,omitempty"`
}

// refused sends calls from the page, as a person would without the
// console, and checks punchd refuses each with 403 in words that name
// none of names.
func refused(t *testing.T, ctx context.Context, calls []apiCall, names ...string) {
	t.Helper()
	js, err := json.Marshal(calls)
	if err != nil {
		t.Fatal(err)
	}
	var answers []string
	e2etest.Run(t, ctx, "write straight to the API", chromedp.Evaluate(`(async () => {
		const me = await (await fetch("/api/v1/auth/me")).json();
		const out = [];
		for (const c of `+string(js)+`) {
			const init = {method: c.method, headers: {"X-CSRF-Token": me.csrf_token}};
			if (typeof c.body === "string") { init.headers["Content-Type"] = "text/csv"; init.body = c.body; }
			else if (c.body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(c.body); }
			const r = await fetch(c.path, init);
			out.push(c.method + " " + c.path + ": " + r.status + " " + await r.text());
		}
		return out;
	})()`, &answers, awaitPromise))
	for _, a := range answers {
		_, answer, _ := strings.Cut(a, ": ")
		bad := !strings.HasPrefix(answer, "403 ")
		for _, n := range names {
			bad = bad || strings.Contains(answer, n)
		}
		if bad {
			t.Errorf("%s, want 403 naming nothing", a)
		}
	}
}

// managerOrg checks, signed in as the retail manager, Organisation and
// Sites: Retail's subtree only (retail-east in it), no write control on
// either, and punchd refuses the writes sent without the console.
func managerOrg(t *testing.T, ctx context.Context, s *e2etest.Server) {
	t.Helper()
	bg := context.Background()
	before, err := s.Main().Store.Departments(bg)
	if err != nil {
		t.Fatal(err)
	}
	e2etest.Tap(t, ctx, "open Organisation", "#nav-org")
	e2etest.Wait(t, ctx, "the manager's tree", `!!document.querySelector("#dept-retail #dept-retail-east")`, 30*time.Second)
	var view struct {
		HQ, Works, Form bool
		Buttons         int
	}
	e2etest.Eval(t, ctx, `({hq: !!document.getElementById("dept-hq"), works: !!document.getElementById("dept-works"),
		form: !!document.getElementById("dept-new"), buttons: document.querySelectorAll("#org button, #org select, #org input").length})`, &view)
	if view.HQ || view.Works || view.Form || view.Buttons != 0 {
		t.Errorf("the manager's organisation page shows %+v: want Retail's subtree only, and no write control", view)
	}
	keepShot(t, ctx, "console-org-manager-en.png")
	e2etest.Tap(t, ctx, "open Sites", "#nav-sites")
	e2etest.Wait(t, ctx, "the sites, read only", `!!document.getElementById("site-sz-futian")`, 30*time.Second)
	var writable int
	e2etest.Eval(t, ctx, `document.querySelectorAll("#site-new, [id^=site-edit-], #site-form").length`, &writable)
	if writable != 0 {
		t.Errorf("the manager's sites page has %d write controls", writable)
	}
	keepShot(t, ctx, "console-sites-manager-en.png")
	refused(t, ctx, []apiCall{
		{"PUT", "/api/v1/departments/retail-west", map[string]string{"name": "West", "parent_id": "retail"}},
		{"PUT", "/api/v1/departments/retail-east", map[string]string{"name": "Renamed", "parent_id": "retail"}},
		{"PUT", "/api/v1/sites/sz-futian", map[string]string{"name": "Mine", "zone": "Asia/Shanghai"}},
	}, "retail", "sz-futian")
	if d, _ := s.Main().Store.Departments(bg); len(d) != len(before) || !hasDept(d, "retail-east", "retail") {
		t.Errorf("after the manager's writes: %+v", d)
	}
	if st, _ := s.Main().Store.Site(bg, "sz-futian"); st.Name != "Shenzhen Futian 福田店" {
		t.Errorf("after the manager's write the site is %+v", st)
	}
}

// managerPeople checks, signed in as the retail manager (E002), People:
// Retail's total employees listed, read only (no editor, no badge sheet,
// no import, no phone link), nobody of the workshop found, and punchd
// refuses a change to E004 sent without the console.
func managerPeople(t *testing.T, ctx context.Context, s *e2etest.Server, total int) {
	t.Helper()
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the manager's employees", fmt.Sprintf(`document.getElementById("emp-list")?.dataset.total === "%d" && !!document.getElementById("emp-readonly")`, total), 30*time.Second)
	var writable int
	e2etest.Eval(t, ctx, `document.querySelectorAll("#emp-form, [id^=emp-edit-], #emp-list button, #badges, #import-file, #phones").length`, &writable)
	if writable != 0 {
		t.Errorf("the manager's people page has %d write controls", writable)
	}
	keepShot(t, ctx, "console-people-manager-en.png")
	e2etest.SetInput(t, ctx, "emp-q", "E021")
	e2etest.Tap(t, ctx, "search", "#emp-search-go")
	e2etest.Wait(t, ctx, "nobody of the workshop", `document.getElementById("employees-none")?.dataset.q === "E021"`, 30*time.Second)
	refused(t, ctx, []apiCall{{"PUT", "/api/v1/employees/E004", map[string]any{"id": "E004", "name": "Mine", "department_id": "retail", "active": true, "leaving_date": "2026-03-01"}}}, "E004")
	if e, _ := s.Main().Store.Employee(context.Background(), "E004"); e.LeavingDate != "" || e.Name == "Mine" {
		t.Errorf("E004 after the manager's write: %+v", e)
	}
}
