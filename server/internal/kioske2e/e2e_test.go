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
// a fake-camera video of employee E004's badge.
var (
	webDir   string
	badgeY4M string
)

func TestMain(m *testing.M) { e2etest.Main(m, "kioske2e", setup, nil) }

// setup builds app.wasm as `make wasm` does into a copy of web/, and
// writes the badge video.
func setup(dir string) error {
	var err error
	if webDir, err = e2etest.BuildWeb(dir); err != nil {
		return err
	}
	badgeY4M = filepath.Join(dir, "badge-PC-0004.y4m")
	return writeBadgeVideo(badgeY4M, "PC-0004")
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

// status reads one data attribute of the status strip.
func status(t *testing.T, ctx context.Context, key string) string {
	t.Helper()
	var v string
	eval(t, ctx, `(document.getElementById("status") || {dataset: {}}).dataset.`+key+` || ""`, &v)
	return v
}

// waitStatus waits until the status strip's data attribute key is want.
func waitStatus(t *testing.T, ctx context.Context, key, want string, limit time.Duration) {
	t.Helper()
	wait(t, ctx, fmt.Sprintf("status %s=%s", key, want),
		fmt.Sprintf(`(() => { const s = document.getElementById("status"); return !!s && s.dataset.%s === %q; })()`, key, want), limit)
}

// openKiosk loads the kiosk page with the test hook (#debug) and waits for
// the wasm app to run.
func openKiosk(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	run(t, ctx, "open the kiosk", chromedp.Navigate(base+"/#debug"))
	wait(t, ctx, "the app to start", `(() => { const c = document.getElementById("clock"); return !!c && /\d\d:\d\d:\d\d/.test(c.textContent); })()`, 90*time.Second)
}

// tryEnroll submits the enrollment form with code.
func tryEnroll(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	wait(t, ctx, "the enrollment form", `!!document.getElementById("enroll-code")`, 30*time.Second)
	setInput(t, ctx, "enroll-code", code)
	run(t, ctx, "submit the enrollment", chromedp.Click("#enroll-submit", chromedp.ByQuery))
}

// enroll enrolls the kiosk in the browser with a fresh code and returns
// its device id.
func enroll(t *testing.T, ctx context.Context, s *e2etest.Server) string {
	t.Helper()
	tryEnroll(t, ctx, s.IssueCode(0))
	wait(t, ctx, "the kiosk screen", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 30*time.Second)
	var site string
	run(t, ctx, "read the site", chromedp.Text("#site", &site, chromedp.ByQuery))
	if !strings.Contains(site, "Jing'an") {
		t.Errorf("kiosk shows site %q, want the Jing'an store", site)
	}
	return status(t, ctx, "device")
}

// scanBadge hands a decoded badge code to the kiosk through the test hook,
// which takes the camera's path from the debouncer on.
func scanBadge(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	var ok bool
	eval(t, ctx, fmt.Sprintf(`(() => { const i = document.getElementById("debug-scan"); if (!i) return false; i.value = %q; i.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, code), &ok)
	if !ok {
		t.Fatalf("no test hook on the kiosk page; page: %s", pageText(ctx))
	}
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

// TestCameraPunch feeds Chromium's fake camera a looping video of badge
// PC-0004: the kiosk must decode it from real camera frames and record
// exactly one punch for E004 however long the badge stays in view, and
// that punch must reach punchd once. It also keeps screenshots of the
// kiosk screen with the confirmation, in English and in Chinese, as test
// artefacts (var/artefacts/kiosk.png, kiosk-zh.png).
func TestCameraPunch(t *testing.T) {
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version})
	ctx := e2etest.NewBrowser(t, 3*time.Minute, badgeY4M)
	openKiosk(t, ctx, s.URL())
	device := enroll(t, ctx, s)

	// The camera starts with the kiosk screen, and the badge is in view.
	c := waitConfirm(t, ctx, "E004")
	who, what := c.Who, c.What
	if !strings.Contains(who, "Li Na") || !strings.Contains(what, "IN") || !strings.Contains(what, "badge") {
		t.Errorf("confirmation %q / %q, want Li Na, IN, badge", who, what)
	}
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk.png"))
	// The same screen in Chinese, from the toggle. The confirmation stays
	// 4 s of wall clock, which a loaded machine can spend before the click
	// lands, so the check reads elements that stay: the toggle and the
	// status strip (the screenshot shows whatever is on screen then).
	run(t, ctx, "switch to Chinese", chromedp.Click("#lang", chromedp.ByQuery))
	wait(t, ctx, "the Chinese screen", `document.getElementById("lang").textContent === "English" && /[\u4e00-\u9fff]/.test(document.getElementById("st-online").textContent)`, 10*time.Second)
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-zh.png"))

	// From now on the badge stays in front of the camera. Watch every
	// outcome the screen shows while the camera reads it thirty more times
	// (over three seconds, longer than the debouncer's gap): a second
	// punch, or even a "duplicate" from the outbox's guard, means the
	// debouncer let a held badge through.
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

	waitStatus(t, ctx, "pending", "0", 30*time.Second)
	ps := s.Punches(device)
	if len(ps) != 1 {
		t.Fatalf("punchd has %d punches from the kiosk, want 1: %+v", len(ps), ps)
	}
	p := ps[0]
	if p.EmployeeID != "E004" || p.Method != attendance.MethodBadge || p.Evidence.BadgeCode != "PC-0004" || p.Status != store.PunchAccepted {
		t.Errorf("stored punch %+v", p.Punch)
	}
	if got := status(t, ctx, "online"); got != "yes" {
		t.Errorf("status strip online=%q after a sync", got)
	}
	var shown string
	run(t, ctx, "read the version", chromedp.Text("#st-version", &shown, chromedp.ByQuery))
	if !strings.Contains(shown, version) {
		t.Errorf("status strip shows version %q, want %s", shown, version)
	}
}

// TestOfflineEndToEnd enrolls a kiosk (after the three refusals an
// enrollment can meet), stops punchd, scans three badges, reloads the page
// from the service worker, checks the punches are still queued (status
// strip and manager view), starts punchd again and checks the three
// punches arrive exactly once and the strip drops to zero waiting. Last,
// a badge no one has is parked in the manager's rejected list.
func TestOfflineEndToEnd(t *testing.T) {
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version})
	ctx := e2etest.NewBrowser(t, 3*time.Minute, "")
	openKiosk(t, ctx, s.URL())

	// Refused enrollments say why.
	used := s.IssueCode(0)
	enrollDirect(t, s.URL(), used)
	for _, c := range []struct{ code, want string }{
		{"AAAA-BBBB-CCCC", "unknown"},
		{s.IssueCode(time.Nanosecond), "expired"},
		{used, "used"},
	} {
		tryEnroll(t, ctx, c.code)
		wait(t, ctx, "the "+c.want+" code message", fmt.Sprintf(`(() => { const e = document.getElementById("enroll-error"); return !!e && e.dataset.code === %q; })()`, c.want), 30*time.Second)
	}

	device := enroll(t, ctx, s)
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

	// The manager's view lists them, offline.
	run(t, ctx, "open the manager view", chromedp.Click("#open-manager", chromedp.ByQuery))
	wait(t, ctx, "today's punches", `(() => { const t = document.getElementById("today"); return !!t && t.dataset.count === "3"; })()`, 30*time.Second)
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
	wait(t, ctx, "the unknown badge message", `(document.getElementById("confirm") || {dataset: {}}).dataset.outcome === "unknown"`, 30*time.Second)
	waitStatus(t, ctx, "rejected", "1", 60*time.Second)
	run(t, ctx, "open the manager view", chromedp.Click("#open-manager", chromedp.ByQuery))
	wait(t, ctx, "the rejected list", `(() => { const t = document.getElementById("rejected"); return !!t && t.dataset.count === "1"; })()`, 30*time.Second)
	var row string
	run(t, ctx, "read the rejected list", chromedp.Text("#rejected tbody", &row, chromedp.ByQuery))
	if !strings.Contains(row, "PC-9999") || !strings.Contains(row, "invalid") || !strings.Contains(row, "no active employee") {
		t.Errorf("rejected list shows %q", row)
	}
}

// enrollDirect uses up an enrollment code with a bare HTTP client.
func enrollDirect(t *testing.T, base, code string) {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: "other", DeviceTime: time.Now()})
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
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version})
	ctx := e2etest.NewBrowser(t, 3*time.Minute, "")
	openKiosk(t, ctx, s.URL())
	device := enroll(t, ctx, s)
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
