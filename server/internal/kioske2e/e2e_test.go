package kioske2e

import (
	"bytes"
	"context"
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

// punchdCmd is the punchd command (for `punchd audit verify`), built by
// TestMain beside the tests: wait on done.
var punchdCmd struct {
	done chan struct{}
	bin  string
	err  error
}

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

func TestMain(m *testing.M) {
	e2etest.Main(m, "kioske2e", setup, func() {
		if punchdCmd.done != nil {
			<-punchdCmd.done
		}
	})
}

// setup builds app.wasm as `make wasm` does into a copy of web/, writes the
// badge videos, and starts building the punchd command, which only one
// test needs, near its end: the build runs beside the tests.
func setup(dir string) error {
	punchdCmd.done = make(chan struct{})
	go func() {
		defer close(punchdCmd.done)
		punchdCmd.bin, punchdCmd.err = e2etest.BuildPunchd(dir)
	}()
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
// confirmation in English and in Chinese, and checks the version the
// status panel holds (in the page, behind the header's glyph).
func checkScreens(t *testing.T, ctx context.Context) {
	t.Helper()
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk.png"))
	// The same screen in Chinese, from the toggle. The confirmation stays
	// 4 s of wall clock, which a loaded machine can spend before the click
	// lands, so the check reads elements that stay: the toggle and the
	// status strip (the screenshot shows whatever is on screen then).
	e2etest.Tap(t, ctx, "switch to Chinese", "#lang")
	wait(t, ctx, "the Chinese screen", `document.getElementById("lang").textContent === "English" && /[\u4e00-\u9fff]/.test(document.getElementById("st-online").textContent)`, 10*time.Second)
	screenshot(t, ctx, filepath.Join(root, "var", "artefacts", "kiosk-zh.png"))
	e2etest.Tap(t, ctx, "back to English", "#lang")
	var shown string
	run(t, ctx, "read the version", chromedp.TextContent("#st-version", &shown, chromedp.ByQuery))
	if !strings.Contains(shown, version) {
		t.Errorf("status strip shows version %q, want %s", shown, version)
	}
}

// TestKillDuringSync kills punchd in the middle of a batch: the batch is
// stored, but the answer never leaves, and the server goes down. A punch
// is made while it is down; then punchd restarts on the same database.
// The kiosk must resend (the stored punches come back as duplicates), and
// punchd must end with every punch exactly once.
func TestKillDuringSync(t *testing.T) {
	s, ctx, device := onlineKiosk(t, 3*time.Minute)

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
	// The camera has played Chromium's own test pattern all along, a
	// clock's digits over a green field: the kiosk read nothing from it.
	var frames, reads string
	e2etest.Eval(t, ctx, `document.getElementById("camera").dataset.frames || ""`, &frames)
	e2etest.Eval(t, ctx, `document.getElementById("camera").dataset.reads || "0"`, &reads)
	if frames == "" || frames == "0" || reads != "0" {
		t.Errorf("camera: %s frames looked at, %s codes read; want some frames and no code", frames, reads)
	}
}
