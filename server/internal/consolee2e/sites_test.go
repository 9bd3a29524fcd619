package consolee2e

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
)

// TestConsoleSitesOrg: head office HR makes a site in the console: a
// misspelt zone is refused next to its field, the polygon geofence is
// drawn on the site plan (three clicks and one vertex placed with the
// arrow keys and Enter), and punchd's API answers the very polygon
// drawn. HR then makes a department under Retail, picking the parent
// from a list, and renames it; a move asks for a confirmation and,
// cancelled, changes nothing; deleting asks too, is refused in words
// for a department with employees and done for an empty one. Each page
// is kept as a screenshot in English and Chinese. The retail manager
// sees the Retail subtree only, without any write control, and punchd
// refuses a write sent straight to the API.
func TestConsoleSitesOrg(t *testing.T) {
	root, err := e2etest.Root()
	if err != nil {
		t.Fatal(err)
	}
	shot := func(ctx context.Context, name string) {
		e2etest.Screenshot(t, ctx, filepath.Join(root, "var", "artefacts", name))
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clock := e2etest.NewClock(rules.NewDate(2026, 3, 11).At(rules.NewClock(10, 0), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	bg := context.Background()
	for id, u := range map[string]auth.UserRequest{
		"u-hq":  {Login: "hq-hr@example.com", Name: "He Qing", Role: auth.RoleHR, Unit: auth.AllUnits, Password: adminPassword},
		"u-mgr": {Login: "mgr-retail@example.com", Name: "Wang Fang", Role: auth.RoleManager, DepartmentID: "retail", EmployeeID: "E002", Password: adminPassword},
	} {
		if _, _, err := s.Main().API.Auth.PutUser(bg, id, u, "e2etest"); err != nil {
			t.Fatal(err)
		}
	}

	ctx := signedIn(t, s, clock, 5*time.Minute, "hq-hr@example.com")
	e2etest.Wait(t, ctx, "signed in", `document.getElementById("me")?.dataset.role === "hr"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open Sites", "#nav-sites")
	e2etest.Wait(t, ctx, "the demo's sites", `!!document.getElementById("site-sh-jingan") && !!document.getElementById("site-muc-works")`, 30*time.Second)
	e2etest.Tap(t, ctx, "new site", "#site-new")
	e2etest.Wait(t, ctx, "the site form", `!!document.getElementById("site-id")`, 10*time.Second)
	for id, v := range map[string]string{"site-id": "sz-futian", "site-name": "Shenzhen Futian 福田店", "site-zone": "Asia/Shanghia",
		"site-address": "深圳市福田区深南大道 1 号", "site-lat": "22.54", "site-lng": "114.05", "site-networks": "203.0.113.0/24"} {
		e2etest.SetInput(t, ctx, id, v)
	}
	e2etest.Wait(t, ctx, "the zone refused next to it", `!!document.getElementById("site-zone-error") && document.querySelectorAll("#site-form .error").length === 1`, 10*time.Second)
	e2etest.SetInput(t, ctx, "site-zone", "Asia/Shanghai")
	e2etest.Wait(t, ctx, "the zone accepted", `!document.getElementById("site-zone-error")`, 10*time.Second)
	e2etest.Eval(t, ctx, `(() => { const s = document.getElementById("site-kind"); s.value = "polygon"; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
	e2etest.Wait(t, ctx, "the site plan", `document.getElementById("plane")?.dataset.extent === "250" && !!document.getElementById("plane-scale")`, 10*time.Second)
	// Typed in first: the plan's clicks still reach the field.
	e2etest.SetInput(t, ctx, "site-polygon", "")

	// Three clicks on the plan, each where a vertex should go: ±250 m
	// across 400 px, so (300, 100) is 125 m east and 125 m north.
	clicks := [][2]float64{{300, 100}, {100, 100}, {200, 320}}
	for i, c := range clicks {
		var r struct{ Left, Top, Width float64 }
		e2etest.Eval(t, ctx, `(() => { const p = document.getElementById("plane"); p.scrollIntoView({block: "center"}); const r = p.getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width}; })()`, &r)
		k := r.Width / 400
		e2etest.Run(t, ctx, fmt.Sprintf("click %d on the plan", i+1), chromedp.MouseClickXY(r.Left+c[0]*k, r.Top+c[1]*k))
		e2etest.Wait(t, ctx, fmt.Sprintf("vertex %d", i+1), fmt.Sprintf(`document.querySelectorAll("#plane .vertex").length === %d`, i+1), 10*time.Second)
	}
	// The fourth with the keyboard: the cross is at the last click (0 m,
	// -150 m); two steps of 25 m east, then Enter.
	e2etest.Run(t, ctx, "focus the plan", chromedp.Focus("#plane", chromedp.ByQuery))
	e2etest.Run(t, ctx, "arrows and Enter", chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.Enter))
	e2etest.Wait(t, ctx, "vertex 4", `document.querySelectorAll("#plane .vertex").length === 4 && document.getElementById("site-polygon").value.split("\n").length === 4`, 10*time.Second)
	shot(ctx, "console-sites-en.png")
	e2etest.Tap(t, ctx, "save the site", "#site-save")
	e2etest.Wait(t, ctx, "the site saved", `document.getElementById("site-saved")?.dataset.id === "sz-futian" && document.getElementById("site-sz-futian")?.dataset.fences === "1"`, 30*time.Second)

	// The polygon as punchd's API answers it.
	var got struct {
		Sites []attendance.Site `json:"sites"`
	}
	e2etest.Run(t, ctx, "read the sites through the API", chromedp.Evaluate(`fetch("/api/v1/sites").then(r => r.json())`, &got,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var site *attendance.Site
	for i := range got.Sites {
		if got.Sites[i].ID == "sz-futian" {
			site = &got.Sites[i]
		}
	}
	if site == nil || site.Zone != "Asia/Shanghai" || site.Address != "深圳市福田区深南大道 1 号" || len(site.Fences) != 1 || strings.Join(site.Networks, " ") != "203.0.113.0/24" {
		t.Fatalf("the site through the API: %+v", site)
	}
	o := attendance.LatLng{Lat: 22.54, Lng: 114.05}
	want := [][2]float64{{125, 125}, {-125, 125}, {0, -150}, {50, -150}} // metres east, north
	poly := site.Fences[0].Polygon
	if len(poly) != len(want) {
		t.Fatalf("the stored polygon has %d vertices: %v", len(poly), poly)
	}
	for i, p := range poly {
		e := (p.Lng - o.Lng) * 111195 * math.Cos(o.Lat*math.Pi/180)
		n := (p.Lat - o.Lat) * 111195
		if math.Hypot(e-want[i][0], n-want[i][1]) > 2 {
			t.Errorf("vertex %d is %.1f m east, %.1f m north; drawn at %v", i, e, n, want[i])
		}
	}

	// A department under Retail, the parent picked from the list.
	e2etest.Tap(t, ctx, "open Organisation", "#nav-org")
	e2etest.Wait(t, ctx, "the tree", `!!document.querySelector("#dept-hq #dept-retail") && !!document.getElementById("dept-new-parent")`, 30*time.Second)
	e2etest.SetInput(t, ctx, "dept-new-id", "retail-east")
	e2etest.SetInput(t, ctx, "dept-new-name", "East stores 东区门店")
	e2etest.Eval(t, ctx, `(() => { const s = document.getElementById("dept-new-parent"); s.value = "retail"; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
	e2etest.Tap(t, ctx, "create the department", "#dept-new-submit")
	e2etest.Wait(t, ctx, "the department under Retail", `document.getElementById("org-msg")?.dataset.id === "retail-east" && document.querySelector("#dept-retail #dept-retail-east")?.dataset.parent === "retail" && document.getElementById("dept-new-id").value === ""`, 30*time.Second)
	if d, err := s.Main().Store.Departments(bg); err != nil || !hasDept(d, "retail-east", "retail") {
		t.Errorf("punchd's departments: %+v %v", d, err)
	}
	// A move waits for its confirmation; cancelled, nothing moves.
	e2etest.Tap(t, ctx, "move", "#move-retail-east")
	e2etest.Wait(t, ctx, "the parents to move under", `!!document.getElementById("move-parent")`, 10*time.Second)
	e2etest.Eval(t, ctx, `(() => { const s = document.getElementById("move-parent"); s.value = "works"; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
	e2etest.Tap(t, ctx, "ask to move", "#move-ask")
	e2etest.Wait(t, ctx, "the confirmation", `!!document.getElementById("confirm-move")`, 10*time.Second)
	shot(ctx, "console-org-move-en.png")
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
	shot(ctx, "console-org-en.png")
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

	// The same pages in Chinese.
	e2etest.Tap(t, ctx, "中文", "#lang")
	e2etest.Wait(t, ctx, "the tree in Chinese", `document.querySelector(".console")?.lang === "zh" && document.getElementById("nav-org").textContent === "组织架构"`, 10*time.Second)
	shot(ctx, "console-org-zh.png")
	e2etest.Tap(t, ctx, "open Sites", "#nav-sites")
	e2etest.Tap(t, ctx, "edit the new site", "#site-edit-sz-futian")
	e2etest.Wait(t, ctx, "its polygon on the plan", `document.querySelectorAll("#plane .vertex").length === 4`, 10*time.Second)
	shot(ctx, "console-sites-zh.png")
	e2etest.Tap(t, ctx, "English", "#lang")

	// The retail manager: Retail and below, nothing to change, and
	// punchd refuses a change sent to the API without the console.
	e2etest.Tap(t, ctx, "sign out", "#signout")
	e2etest.Wait(t, ctx, "the sign-in form", `!!document.getElementById("signin-login")`, 30*time.Second)
	signIn(t, ctx, "mgr-retail@example.com", adminPassword)
	e2etest.Wait(t, ctx, "signed in as the manager", `document.getElementById("me")?.dataset.role === "manager"`, 30*time.Second)
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
	shot(ctx, "console-org-manager-en.png")
	e2etest.Tap(t, ctx, "open Sites", "#nav-sites")
	e2etest.Wait(t, ctx, "the sites, read only", `!!document.getElementById("site-sz-futian")`, 30*time.Second)
	var writable int
	e2etest.Eval(t, ctx, `document.querySelectorAll("#site-new, [id^=site-edit-], #site-form").length`, &writable)
	if writable != 0 {
		t.Errorf("the manager's sites page has %d write controls", writable)
	}
	var refused []string
	e2etest.Run(t, ctx, "write straight to the API", chromedp.Evaluate(`(async () => {
		const me = await (await fetch("/api/v1/auth/me")).json();
		const put = async (path, body) => {
			const r = await fetch(path, {method: "PUT", headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token}, body: JSON.stringify(body)});
			return r.status + " " + await r.text();
		};
		return [await put("/api/v1/departments/retail-west", {name: "West", parent_id: "retail"}),
			await put("/api/v1/departments/retail-east", {name: "Renamed", parent_id: "retail"}),
			await put("/api/v1/sites/sz-futian", {name: "Mine", zone: "Asia/Shanghai"})];
	})()`, &refused, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	for _, r := range refused {
		if !strings.HasPrefix(r, "403 ") || strings.Contains(r, "retail") || strings.Contains(r, "sz-futian") {
			t.Errorf("the manager's write: %s, want 403 naming nothing", r)
		}
	}
	if d, _ := s.Main().Store.Departments(bg); len(d) != 4 || !hasDept(d, "retail-east", "retail") {
		t.Errorf("after the manager's writes: %+v", d)
	}
	if st, _ := s.Main().Store.Site(bg, "sz-futian"); st.Name != "Shenzhen Futian 福田店" {
		t.Errorf("after the manager's write the site is %+v", st)
	}
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
