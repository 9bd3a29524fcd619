package kioske2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/scan/scantest"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// root is the module's root, from this package's folder.
const root = "../../.."

// version is the build version the test server announces; the kiosk must
// show it.
const version = "e2e-1"

// Made once by TestMain: a copy of web/ with a freshly built app.wasm, and
// for each demo site a fake-camera video of one of its employees' badges.
var (
	webDir     string
	badgeVideo = map[string]string{}
)

// cameraPerson is who stands in front of a site's kiosk camera in the
// clock matrix, and who punches by the test hook once the midnight cell
// has crossed into the next day (the camera's badge has punched already
// and is held in view).
type cameraPerson struct {
	site, badge, employee, name string
	after, afterEmployee        string
}

// cameraSites lists them, one a demo site.
var cameraSites = []cameraPerson{
	{"sh-jingan", "PC-0004", "E004", "Li Na", "PC-0005", "E005"},
	{"muc-works", "PC-0021", "E021", "Jonas Weber", "PC-0022", "E022"},
}

// cameraSite is who stands in front of the camera at site.
func cameraSite(t *testing.T, site string) cameraPerson {
	t.Helper()
	for _, cs := range cameraSites {
		if cs.site == site {
			return cs
		}
	}
	t.Fatalf("no camera badge for site %s", site)
	return cameraPerson{}
}

func TestMain(m *testing.M) { e2etest.Main(m, "kioske2e", setup, nil) }

// setup builds app.wasm as `make wasm` does into a copy of web/, and
// writes the badge videos.
func setup(dir string) error {
	var err error
	if webDir, err = e2etest.BuildWeb(dir); err != nil {
		return err
	}
	for _, cs := range cameraSites {
		badgeVideo[cs.site] = filepath.Join(dir, "badge-"+cs.badge+".y4m")
		if err := writeBadgeVideo(badgeVideo[cs.site], cs.badge); err != nil {
			return err
		}
	}
	return nil
}

// writeBadgeVideo writes a third of a second of a badge held in front of
// the camera, as kiosk/scan/internal/y4mgen does. Chromium loops the file,
// so the badge never leaves the view: the kiosk sees it for as long as the
// test runs, like a badge held up and forgotten.
func writeBadgeVideo(path, text string) error {
	sym, err := scantest.QR(text)
	if err != nil {
		return err
	}
	var frames []image.Image
	for i := range 10 {
		s := scantest.Camera(uint64(1 + i))
		s.X += float64(i%3) * 0.002
		s.Angle += float64(i%4) * 0.3
		frames = append(frames, scantest.Render(&sym, s))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := scantest.WriteY4M(f, frames); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// waitConfirm waits for the confirmation of a recorded punch of employee.
func waitConfirm(t *testing.T, ctx context.Context, employee string) e2etest.Confirmation {
	t.Helper()
	return e2etest.WaitConfirm(t, ctx, employee, 30*time.Second)
}

// employees lists the employee ids of stored punches and fails on a
// repeated punch id.
func employees(t *testing.T, ps []store.StoredPunch) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if seen[p.ID] {
			t.Errorf("punch %s stored twice", p.ID)
		}
		seen[p.ID] = true
		out = append(out, p.EmployeeID)
	}
	slices.Sort(out)
	return out
}

// TestCameraPunch runs the camera punch at every cell of the clock matrix
// (e2etest.Matrix), on a clock fixed at the cell's site-local instant:
// Chromium's fake camera plays a looping video of a badge of the site's,
// the kiosk must decode it from real camera frames, record exactly one
// punch however long the badge stays in view, and say the direction and
// lateness the rules give at that instant; punchd must store the punch
// once, on the business day the rules give (a night shift's end belongs to
// the day before). Each cell has a fresh punchd and a fresh browser
// context, in one of three browser time zones. At Shanghai 09:20 the
// tablet's own clock is also 3 h 7 min slow, which the kiosk must correct
// with the offset it learns from punchd; that cell keeps screenshots of
// the kiosk screen with the confirmation, in English and in Chinese, as
// test artefacts (var/artefacts/kiosk.png, kiosk-zh.png).
func TestCameraPunch(t *testing.T) {
	video := func(site string) string { return badgeVideo[site] }
	e2etest.RunMatrix(t, e2etest.Sites, video, func(t *testing.T, browser context.Context, cell e2etest.Cell, i int) {
		cs := cameraSite(t, cell.Site)
		var skew time.Duration
		if cell.Site == "sh-jingan" && cell.Name == "09:20" {
			skew = -(3*time.Hour + 7*time.Minute)
		}
		clock := e2etest.NewClock(cell.Start())
		s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})
		ctx := e2etest.NewTab(t, browser)
		clock.Install(t, ctx, skew, e2etest.Zone(i))
		e2etest.OpenKiosk(t, ctx, s.URL())
		device := cell.EnrollKiosk(t, ctx, s, clock)

		// The camera starts with the kiosk screen, and the badge is in view.
		c := waitConfirm(t, ctx, cs.employee)
		if !strings.Contains(c.Who, cs.name) || !strings.Contains(c.What, "badge") {
			t.Errorf("confirmation %q / %q, want %s and badge", c.Who, c.What, cs.name)
		}
		if skew != 0 {
			checkScreens(t, ctx)
			checkHeldBadge(t, ctx)
		}
		e2etest.WaitStatus(t, ctx, "pending", "0", 30*time.Second)
		if got := e2etest.Status(t, ctx, "online"); got != "yes" {
			t.Errorf("status strip online=%q after a sync", got)
		}
		ps := s.Punches(device)
		if len(ps) != 1 {
			t.Fatalf("punchd has %d punches from the kiosk, want 1: %+v", len(ps), ps)
		}
		p := ps[0]
		if p.EmployeeID != cs.employee || p.Method != attendance.MethodBadge || p.Evidence.BadgeCode != cs.badge || p.Status != store.PunchAccepted {
			t.Errorf("stored punch %+v", p.Punch)
		}
		if skew != 0 && !slices.Contains(p.Flags, wire.FlagClockSkew) {
			t.Errorf("a punch from a tablet %v off has flags %v, want %s", skew, p.Flags, wire.FlagClockSkew)
		}
		want := cell.For(p.TrueTime)
		want.CheckConfirm(t, c, p.TrueTime)
		want.CheckDay(t, s, p)
		if !cell.Crosses {
			return
		}
		// The page stays open into the next day; the next punch
		// belongs to the business day the rules give it.
		cell.CrossMidnight(t, ctx)
		e2etest.ScanBadge(t, ctx, cs.after)
		c = waitConfirm(t, ctx, cs.afterEmployee)
		e2etest.WaitStatus(t, ctx, "pending", "0", 30*time.Second)
		ps = s.Punches(device)
		if len(ps) != 2 || ps[1].EmployeeID != cs.afterEmployee {
			t.Fatalf("punchd has %+v from the kiosk, want a second punch of %s", ps, cs.afterEmployee)
		}
		if after := cell.For(ps[1].TrueTime); after.Name != cell.Name {
			t.Fatalf("the punch after midnight was made at %s", ps[1].TrueTime.In(cell.Loc()))
		}
		cell.CheckConfirm(t, c, ps[1].TrueTime)
		cell.CheckDay(t, s, ps[1])
	})
}

// checkHeldBadge watches every outcome the kiosk screen shows while the
// camera reads the badge still in view thirty more times (over three
// seconds, longer than the debouncer's gap): a second punch, or even a
// "duplicate" from the outbox's guard, means the debouncer let a held
// badge through.
func checkHeldBadge(t *testing.T, ctx context.Context) {
	t.Helper()
	var reads int
	eval(t, ctx, `Number(document.getElementById("camera").dataset.reads || 0)`, &reads)
	eval(t, ctx, `(() => {
		window.outcomes = [];
		new MutationObserver(ms => { for (const m of ms) { const o = m.target.dataset.outcome; if (o) window.outcomes.push(o); } })
			.observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-outcome"]});
		return true;
	})()`, nil)
	wait(t, ctx, "thirty more reads of the badge", fmt.Sprintf(`Number(document.getElementById("camera").dataset.reads || 0) >= %d`, reads+30), 60*time.Second)
	var outcomes []string
	eval(t, ctx, `window.outcomes`, &outcomes)
	if len(outcomes) > 0 {
		t.Errorf("the held badge produced more scans: %v", outcomes)
	}
}

// checkScreens keeps screenshots of the kiosk screen with the
// confirmation in English and in Chinese, and checks the strip's version.
func checkScreens(t *testing.T, ctx context.Context) {
	t.Helper()
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk.png"))
	// The same screen in Chinese, from the toggle. The confirmation stays
	// 4 s of wall clock, which a loaded machine can spend before the click
	// lands, so the check reads elements that stay: the toggle and the
	// status strip (the screenshot shows whatever is on screen then).
	run(t, ctx, "switch to Chinese", chromedp.Click("#lang", chromedp.ByQuery))
	wait(t, ctx, "the Chinese screen", `document.getElementById("lang").textContent === "English" && /[\u4e00-\u9fff]/.test(document.getElementById("st-online").textContent)`, 10*time.Second)
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-zh.png"))
	run(t, ctx, "back to English", chromedp.Click("#lang", chromedp.ByQuery))
	var shown string
	run(t, ctx, "read the version", chromedp.Text("#st-version", &shown, chromedp.ByQuery))
	if !strings.Contains(shown, version) {
		t.Errorf("status strip shows version %q, want %s", shown, version)
	}
}

// TestOfflineEndToEnd enrolls a kiosk (after the three refusals an
// enrollment can meet), stops punchd, scans three badges, reloads the page
// from the service worker, checks the punches are still queued (status
// strip and the manager view, which the store manager opens offline with
// their badge and PIN), starts punchd again and checks the three
// punches arrive exactly once and the strip drops to zero waiting. Last,
// a badge no one has is parked in the manager's rejected list.
func TestOfflineEndToEnd(t *testing.T) {
	clock := e2etest.NewClock(e2etest.Matrix[2].At())
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})
	ctx := e2etest.NewBrowser(t, 3*time.Minute, "")
	clock.Install(t, ctx, 0, "")
	openKiosk(t, ctx, s.URL())

	// Refused enrollments say why.
	used := s.IssueCode(0)
	enrollDirect(t, s.URL(), used, clock.Now())
	for _, c := range []struct{ code, want string }{
		{"AAAA-BBBB-CCCC", "unknown"},
		{s.IssueCode(time.Nanosecond), "expired"},
		{used, "used"},
	} {
		tryEnroll(t, ctx, c.code)
		wait(t, ctx, "the "+c.want+" code message", fmt.Sprintf(`(() => { const e = document.getElementById("enroll-error"); return !!e && e.dataset.code === %q; })()`, c.want), 30*time.Second)
	}

	// The store manager (E002, badge PC-0002) has a kiosk PIN: the
	// enrollment's pull carries its verifier, for signing in offline.
	s.PutManager("E002", "retail", "480213")
	device := e2etest.EnrollKiosk(t, ctx, s, "sh-jingan")
	waitCached(t, ctx)
	waitStatus(t, ctx, "online", "yes", 30*time.Second)

	s.Stop()
	for _, b := range []struct{ badge, employee string }{{"PC-0005", "E005"}, {"PC-0006", "E006"}, {"PC-0007", "E007"}} {
		scanBadge(t, ctx, b.badge)
		waitConfirm(t, ctx, b.employee)
	}
	waitStatus(t, ctx, "pending", "3", 10*time.Second)

	// A reload with the server down: the service worker serves the app and
	// the queue comes back from IndexedDB.
	run(t, ctx, "reload offline", chromedp.Reload())
	wait(t, ctx, "the kiosk after the reload", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 60*time.Second)
	if got := status(t, ctx, "device"); got != device {
		t.Fatalf("after the reload the kiosk is device %q, want %q", got, device)
	}
	waitStatus(t, ctx, "pending", "3", 10*time.Second)
	var waiting string
	run(t, ctx, "read the strip", chromedp.Text("#st-pending", &waiting, chromedp.ByQuery))
	if !strings.Contains(waiting, "3") {
		t.Errorf("status strip shows %q waiting, want 3", waiting)
	}

	// The manager's view lists them, offline, once the manager signed in
	// with their badge and PIN: an employee's badge opens nothing, nor
	// does a wrong PIN.
	run(t, ctx, "open the manager sign-in", chromedp.Click("#open-manager", chromedp.ByQuery))
	wait(t, ctx, "the badge prompt", `(() => { const p = document.getElementById("manager-signin"); return !!p && p.dataset.step === "badge"; })()`, 30*time.Second)
	scanBadge(t, ctx, "PC-0008")
	wait(t, ctx, "not a manager", `(() => { const m = document.getElementById("pin-msg"); return !!m && m.dataset.code === "mgr.notManager"; })()`, 30*time.Second)
	scanBadge(t, ctx, "PC-0002")
	wait(t, ctx, "the PIN field", `!!document.getElementById("pin")`, 30*time.Second)
	e2etest.EnterPIN(t, ctx, "000001")
	wait(t, ctx, "wrong PIN", `(() => { const m = document.getElementById("pin-msg"); return !!m && m.dataset.code === "mgr.wrongPin"; })()`, 30*time.Second)
	e2etest.EnterPIN(t, ctx, "480213")
	wait(t, ctx, "today's punches", `(() => { const t = document.getElementById("today"); return !!t && t.dataset.count === "3"; })()`, 30*time.Second)
	// The board of the day: the three who punched are in (late or not),
	// a colleague who did not is not in yet.
	var states map[string]string
	eval(t, ctx, `Object.fromEntries([...document.querySelectorAll("#board tr[data-employee]")].map(r => [r.dataset.employee, r.dataset.state]))`, &states)
	for _, e := range []string{"E005", "E006", "E007"} {
		if s := states[e]; s != "in" && s != "late" {
			t.Errorf("the board shows %s as %q, want in or late (board %v)", e, s, states)
		}
	}
	if s := states["E008"]; s != "not_in" {
		t.Errorf("the board shows E008 as %q, want not_in (board %v)", s, states)
	}
	if _, ok := states["E021"]; ok {
		t.Errorf("the Shanghai store manager's board shows the Munich workshop's E021: %v", states)
	}
	// Kept as artefacts: the manager view in English and in Chinese.
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-manager.png"))
	run(t, ctx, "switch to Chinese", chromedp.Click("main.manager .actions button:last-child", chromedp.ByQuery))
	wait(t, ctx, "the Chinese manager view", `document.body.innerText.includes("本终端今日打卡")`, 10*time.Second)
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-manager-zh.png"))
	run(t, ctx, "back to English", chromedp.Click("main.manager .actions button:last-child", chromedp.ByQuery))
	run(t, ctx, "back to the kiosk", chromedp.Click("#back", chromedp.ByQuery))
	wait(t, ctx, "the kiosk screen", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 30*time.Second)

	s.Start()
	waitStatus(t, ctx, "pending", "0", 90*time.Second)
	waitStatus(t, ctx, "online", "yes", 30*time.Second)
	if got, want := employees(t, s.Punches(device)), []string{"E005", "E006", "E007"}; !slices.Equal(got, want) {
		t.Errorf("punchd has punches of %v, want %v", got, want)
	}
	if got := status(t, ctx, "rejected"); got != "0" {
		t.Errorf("%s punches rejected", got)
	}

	// A badge nobody has: the kiosk keeps it (its roster may be stale),
	// the server, knowing no one either, rejects it, and the manager sees
	// it with the server's code and message.
	scanBadge(t, ctx, "PC-9999")
	wait(t, ctx, "the unknown badge message", `window.__pcConfirms.some(e => e.outcome === "unknown")`, 30*time.Second)
	waitStatus(t, ctx, "rejected", "1", 60*time.Second)
	e2etest.OpenManager(t, ctx, "PC-0002", "480213")
	wait(t, ctx, "the rejected list", `(() => { const t = document.getElementById("rejected"); return !!t && t.dataset.count === "1"; })()`, 30*time.Second)
	var row string
	run(t, ctx, "read the rejected list", chromedp.Text("#rejected tbody", &row, chromedp.ByQuery))
	if !strings.Contains(row, "PC-9999") || !strings.Contains(row, "invalid") || !strings.Contains(row, "nobody active has this badge") {
		t.Errorf("rejected list shows %q", row)
	}
}

// enrollDirect uses up an enrollment code with a bare HTTP client.
func enrollDirect(t *testing.T, base, code string, now time.Time) {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: "other", DeviceTime: now})
	resp, err := http.Post(base+"/api/v1/devices/enroll", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("enroll with a bare client: %s", resp.Status)
	}
}

// TestKillDuringSync kills punchd in the middle of a batch: the batch is
// stored, but the answer never leaves, and the server goes down. A punch
// is made while it is down; then punchd restarts on the same database.
// The kiosk must resend (the stored punches come back as duplicates), and
// punchd must end with every punch exactly once.
func TestKillDuringSync(t *testing.T) {
	clock := e2etest.NewClock(e2etest.Matrix[1].At())
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})
	ctx := e2etest.NewBrowser(t, 3*time.Minute, "")
	clock.Install(t, ctx, 0, "")
	openKiosk(t, ctx, s.URL())
	device := e2etest.EnrollKiosk(t, ctx, s, "sh-jingan")
	waitStatus(t, ctx, "online", "yes", 30*time.Second)

	// Queue three punches while punchd is down, so they go as one batch.
	s.Stop()
	for _, b := range []struct{ badge, employee string }{{"PC-0008", "E008"}, {"PC-0009", "E009"}, {"PC-0010", "E010"}} {
		scanBadge(t, ctx, b.badge)
		waitConfirm(t, ctx, b.employee)
	}
	waitStatus(t, ctx, "pending", "3", 10*time.Second)

	// Arm the kill: the first batch is ingested, then the connection is
	// dropped unanswered and the server stopped.
	type kill struct {
		punches int
		status  int
	}
	killed := make(chan kill, 1)
	var once sync.Once
	hook := func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/device/punches" {
			return false
		}
		fired := false
		once.Do(func() {
			fired = true
			body, _ := io.ReadAll(r.Body)
			var req wire.BatchRequest
			json.Unmarshal(body, &req)
			r.Body = io.NopCloser(bytes.NewReader(body))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			killed <- kill{len(req.Punches), rec.Code}
		})
		return fired
	}
	s.SetHook(hook)
	s.Start()
	var k kill
	select {
	case k = <-killed:
	case <-time.After(90 * time.Second):
		t.Fatalf("the kiosk sent no batch; page: %s", pageText(ctx))
	}
	s.Stop()
	s.SetHook(nil)
	if k.punches != 3 || k.status != http.StatusOK {
		t.Fatalf("killed batch: %d punches, ingest answered %d; want 3 and 200", k.punches, k.status)
	}

	// While punchd is down again, one more punch; the kiosk still holds all
	// four as waiting (it never learnt the first three arrived).
	scanBadge(t, ctx, "PC-0011")
	waitConfirm(t, ctx, "E011")
	waitStatus(t, ctx, "pending", "4", 10*time.Second)

	s.Start()
	waitStatus(t, ctx, "pending", "0", 90*time.Second)
	if got, want := employees(t, s.Punches(device)), []string{"E008", "E009", "E010", "E011"}; !slices.Equal(got, want) {
		t.Errorf("punchd has punches of %v, want %v", got, want)
	}
	for _, p := range s.Punches(device) {
		if p.Status != store.PunchAccepted {
			t.Errorf("punch %s of %s: %s %s", p.ID, p.EmployeeID, p.Status, p.Message)
		}
	}
	if got := status(t, ctx, "rejected"); got != "0" {
		t.Errorf("%s punches rejected", got)
	}
}
