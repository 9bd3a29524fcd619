//go:build dlib

package facee2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/scan/scantest"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/facematch/dlib"
	"punchclock/server/internal/facematch/variants"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// root is the module's root, from this package's folder.
const root = "../../.."

const (
	version    = "face-e2e-1"
	adminToken = "face-e2e-admin"
	site       = "sh-jingan"
)

// Made once by TestMain.
var (
	webDir string
	ex     *dlib.Extractor
	// photo is sample2.jpg (one face), enrolled for E004.
	photo []byte
	// stillY4M is the camera seeing that photo held still, turnY4M the
	// same face turning its head (variants.HeadTurn, a depth warp of the
	// photo: the proxy of a real head turn the liveness tests use too).
	stillY4M, turnY4M string
)

func TestMain(m *testing.M) { e2etest.Main(m, "facee2e", setup, closeExtractor) }

// closeExtractor frees the dlib models setup loaded.
func closeExtractor() {
	if ex != nil {
		ex.Close()
	}
}

// setup checks the face data, loads the models, builds app.wasm into a
// copy of web/ (as make wasm does) and writes the camera videos.
func setup(dir string) error {
	models, photos := os.Getenv("PUNCHCLOCK_FACE_MODELS"), os.Getenv("PUNCHCLOCK_FACE_PHOTOS")
	if models == "" || photos == "" {
		return errors.New("PUNCHCLOCK_FACE_MODELS and PUNCHCLOCK_FACE_PHOTOS are not set: run make face-deps, then make face-test (which exports both), " +
			"or set them to .cache/face/models and .cache/face/photos")
	}
	webDir = filepath.Join(dir, "web")
	if err := os.CopyFS(webDir, os.DirFS(filepath.Join(root, "web"))); err != nil {
		return err
	}
	os.Remove(filepath.Join(webDir, "app.wasm"))
	built := make(chan error, 1)
	go func() {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(webDir, "app.wasm"), "./wasm")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			built <- fmt.Errorf("build app.wasm: %v\n%s", err, out)
			return
		}
		// The console too, for TestConsoleFace.
		built <- e2etest.BuildConsole(webDir)
	}()
	err := videos(dir, models, photos)
	if berr := <-built; berr != nil {
		return berr
	}
	return err
}

// videos loads the models and writes the two camera videos of sample2.jpg.
func videos(dir, models, photos string) error {
	var err error
	if ex, err = dlib.New(models); err != nil {
		return err
	}
	if photo, err = os.ReadFile(filepath.Join(photos, "sample2.jpg")); err != nil {
		return fmt.Errorf("%w (run make face-deps)", err)
	}
	faces, err := ex.Extract(context.Background(), photo)
	if err != nil {
		return err
	}
	if len(faces) != 1 {
		return fmt.Errorf("sample2.jpg: %d faces, want 1", len(faces))
	}
	img, err := variants.Decode(photo)
	if err != nil {
		return err
	}
	frame := frame640(img, faces[0].Rect)
	stillY4M = filepath.Join(dir, "still.y4m")
	if err := writeY4M(stillY4M, []image.Image{frame, frame}); err != nil {
		return err
	}
	// A head turning from 12° one way to 12° the other and back, looped
	// by Chromium every three seconds: 1.25 s facing each side, a quick
	// turn of 0.25 s between. Any five frames half a second apart then see
	// both sides, a turn wide enough for facematch.DefaultLiveness (past
	// 16° dlib no longer finds the warped face).
	poses := map[int]image.Image{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for deg := -12; deg <= 12; deg += 2 {
		wg.Go(func() {
			// The nose sits a little below the centre of the face box.
			im := variants.HeadTurn(frame, 320, 240, 110, 320, 255, 0.35, float64(deg))
			mu.Lock()
			poses[deg] = im
			mu.Unlock()
		})
	}
	wg.Wait()
	var turn []image.Image
	for i := range 90 {
		var deg int
		switch {
		case i < 38: // 1.25 s
			deg = -12
		case i < 45: // 0.25 s
			deg = -12 + 24*(i-37)/8
		case i < 83:
			deg = 12
		default:
			deg = 12 - 24*(i-82)/8
		}
		turn = append(turn, poses[deg/2*2])
	}
	turnY4M = filepath.Join(dir, "turn.y4m")
	return writeY4M(turnY4M, turn)
}

// frame640 renders a 640x480 camera frame with the face centred and its
// box about 200 px wide, as a person stands in front of the kiosk.
func frame640(img *image.RGBA, r image.Rectangle) *image.RGBA {
	k := float64(r.Dx()) / 200 // source pixels per output pixel
	cx, cy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y+r.Max.Y)/2
	m := variants.Affine{A: k, E: k}
	m.C = cx - k*320
	m.F = cy - k*240
	return variants.Warp(img, 640, 480, m)
}

func writeY4M(path string, frames []image.Image) error {
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

// faceService is facematchd in process: the real handler and service with
// the dlib extractor, on its own port, with a log of the requests it got.
type faceService struct {
	t       *testing.T
	site    string // the site whose face service it is
	url     string
	addr    string
	handler http.Handler
	hs      *http.Server
	// events reports the enrollments and deletions to punchd's audit log.
	events *facematch.EventSync
	mu     sync.Mutex
	reqs   []faceRequest
}

// faceRequest is one request as facematchd saw it.
type faceRequest struct {
	at            time.Time
	method, path  string
	origin        string
	auth          string // the Authorization scheme ("PC-Device" for a signed request)
	width, height int    // of an identify's JPEG
	size          int
}

// auditKey is shared by the face service and punchd: verdicts travel
// sealed for punchd inside the kiosk's signed punch, and punchd checks them.
var auditKey = bytes.Repeat([]byte{9}, 32)

// startFace starts facematchd linked to punchd s as make run does: with a
// face-role token, it learns punchd's kiosks and takes only their signed
// requests. It points the Shanghai site's face_url at itself, before any
// kiosk enrolls there. requireLiveness makes it refuse single frames (the
// site's choice).
func startFace(t *testing.T, s *e2etest.Server, requireLiveness bool) *faceService {
	t.Helper()
	return startFaceAt(t, s, site, requireLiveness)
}

// startFaceAt is startFace for the face service of another site.
func startFaceAt(t *testing.T, s *e2etest.Server, site string, requireLiveness bool) *faceService {
	t.Helper()
	ctx := context.Background()
	st, err := facematch.OpenStore(ctx, filepath.Join(t.TempDir(), "facematch.db"), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := facematch.New(ctx, ex, st, facematch.Config{AuditKey: auditKey})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	const faceToken = "face-e2e-punchd-token"
	if err := s.Main().Store.PutToken(ctx, store.Token{Hash: httpapi.HashToken(faceToken), Name: "facematchd", Role: httpapi.RoleFace, CreatedAt: s.Main().Config.Now()}); err != nil {
		t.Fatal(err)
	}
	h := facematch.NewHandler(svc, adminToken, "")
	h.Devices = &facematch.DeviceSync{Store: st, PunchdURL: s.URL(), Token: faceToken, Log: log}
	h.RequireLiveness = requireLiveness
	h.Log = log
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &faceService{t: t, site: site, addr: ln.Addr().String(), url: "http://" + ln.Addr().String(),
		events: &facematch.EventSync{Store: st, PunchdURL: s.URL(), Token: faceToken, Log: log}}
	f.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		rq := faceRequest{at: time.Now(), method: r.Method, path: r.URL.Path, origin: r.Header.Get("Origin"), auth: scheme}
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/identify" {
			body, _ := io.ReadAll(r.Body)
			rq.size = len(body)
			if c, _, err := image.DecodeConfig(bytes.NewReader(body)); err == nil {
				rq.width, rq.height = c.Width, c.Height
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rq)
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	})
	f.serve(ln)
	t.Cleanup(f.stop)
	shop, err := s.Main().Store.Site(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	shop.FaceURL = f.url
	if _, err := s.Main().Store.PutSite(ctx, shop); err != nil {
		t.Fatal(err)
	}
	return f
}

// serve serves facematchd on ln.
func (f *faceService) serve(ln net.Listener) {
	f.hs = &http.Server{Handler: f.handler}
	go f.hs.Serve(ln)
}

// stop stops facematchd as a crash would: listener and connections closed.
func (f *faceService) stop() { f.hs.Close() }

// restart starts facematchd again on the address it had, as a service that
// comes up late does (make run starts it minutes after punchd).
func (f *faceService) restart() {
	f.t.Helper()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatalf("listen again on %s: %v", f.addr, err)
	}
	f.serve(ln)
}

// requests returns the requests facematchd got for path (all with "").
func (f *faceService) requests(method, path string) []faceRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []faceRequest
	for _, r := range f.reqs {
		if (method == "" || r.method == method) && (path == "" || r.path == path) {
			out = append(out, r)
		}
	}
	return out
}

// enroll enrolls a photo for an employee through the admin API.
func (f *faceService) enroll(employee string, jpeg []byte) {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{
		"employee_id": employee, "site_id": f.site,
		"photos":  []string{base64.StdEncoding.EncodeToString(jpeg)},
		"consent": map[string]string{"by": employee, "purpose": "face punches at the store entrance"},
	})
	var out map[string]any
	if st := f.admin(http.MethodPost, "/api/v1/enroll", body, &out); st != http.StatusCreated {
		f.t.Fatalf("enroll %s in facematchd: %d %v", employee, st, out)
	}
}

// admin sends an admin request and decodes the answer into out.
func (f *faceService) admin(method, path string, body []byte, out any) int {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode
}

// startPunchd starts punchd with a fresh SQLite database on the test's
// clock.
func startPunchd(t *testing.T, clock *e2etest.Clock) *e2etest.Server {
	t.Helper()
	return e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, FaceAuditKey: auditKey, FaceAdminToken: adminToken, Now: clock.Now})
}

// morning is the clock of the tests outside the matrix: 08:55 at the
// Shanghai store, before the day shift, so a first punch is its in.
func morning() *e2etest.Clock { return e2etest.NewClock(e2etest.Matrix[1].At()) }

// newBrowser starts headless Chromium whose fake camera plays y4m.
func newBrowser(t *testing.T, y4m string) context.Context {
	t.Helper()
	ctx := e2etest.NewBrowser(t, 2*time.Minute, y4m)
	// The page's errors (a Go panic in the wasm lands there) go to the
	// test log.
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*cdpruntime.EventConsoleAPICalled); ok && e.Type == cdpruntime.APITypeError {
			for _, a := range e.Args {
				t.Logf("console error: %s", a.Value)
			}
		}
	})
	return ctx
}

// openAndEnroll gives the tab the test's clock, loads the kiosk page with
// the test hook (#debug), enrolls it at the Shanghai store and returns its
// device id.
func openAndEnroll(t *testing.T, ctx context.Context, s *e2etest.Server, clock *e2etest.Clock) string {
	t.Helper()
	clock.Install(t, ctx, 0, "")
	e2etest.OpenKiosk(t, ctx, s.URL())
	return e2etest.EnrollKiosk(t, ctx, s, site)
}

// tapFace waits for the camera to run and the "Face" button, and taps it.
func tapFace(t *testing.T, ctx context.Context) {
	t.Helper()
	wait(t, ctx, "camera frames", `Number((document.getElementById("camera") || {dataset: {}}).dataset.frames || 0) > 3`, 30*time.Second)
	wait(t, ctx, "the Face button", `!!document.getElementById("face-start")`, 30*time.Second)
	e2etest.Tap(t, ctx, "tap Face", "#face-start")
}

// watchGuide records, from a MutationObserver, whether the face guide
// appeared and the steps it showed.
func watchGuide(t *testing.T, ctx context.Context) {
	t.Helper()
	eval(t, ctx, `(() => {
		window.guide = [];
		new MutationObserver(() => {
			const g = document.getElementById("face-guide");
			if (g) { const s = g.querySelector(".face-step").textContent; if (window.guide[window.guide.length-1] !== s) window.guide.push(s); }
		}).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
		return true;
	})()`, nil)
}

// waitConfirm waits for a recorded punch of employee on the screen.
func waitConfirm(t *testing.T, ctx context.Context, employee string, limit time.Duration) e2etest.Confirmation {
	t.Helper()
	return e2etest.WaitConfirm(t, ctx, employee, limit)
}

// checkFacePunch checks that punchd holds exactly one punch from device,
// E004's, by face, with a verdict id that facematchd's audit trail knows
// (kind identify or liveness), and that every frame came signed by the
// kiosk; it returns the punch.
func checkFacePunch(t *testing.T, ctx context.Context, s *e2etest.Server, f *faceService, device, kind, employee string) store.StoredPunch {
	t.Helper()
	waitStatus(t, ctx, "pending", "0", 30*time.Second)
	ps := s.Punches(device)
	if len(ps) != 1 {
		t.Fatalf("punchd has %d punches from the kiosk, want 1: %+v", len(ps), ps)
	}
	p := ps[0]
	if p.EmployeeID != employee || p.Method != attendance.MethodFace || p.Evidence.FaceID == "" || p.Evidence.BadgeCode != "" || p.Status != store.PunchAccepted ||
		p.Evidence.FaceAudit == "" || slices.Contains(p.Flags, wire.FlagFaceUnverified) {
		t.Fatalf("stored punch %+v (%s %s)", p.Punch, p.Status, p.Message)
	}
	// The kiosk signed every frame it sent: facematchd took nothing else.
	for _, r := range append(f.requests(http.MethodPost, "/api/v1/identify"), f.requests(http.MethodPost, "/api/v1/liveness")...) {
		if r.auth != wire.AuthScheme {
			t.Errorf("%s %s with authorization %q, want the kiosk's %s signature", r.method, r.path, r.auth, wire.AuthScheme)
		}
	}
	var audit map[string]any
	if st := f.admin(http.MethodGet, "/api/v1/audit/"+p.Evidence.FaceID, nil, &audit); st != http.StatusOK ||
		audit["employee_id"] != employee || audit["verdict"] != "match" || audit["kind"] != kind || audit["kiosk_id"] != device || audit["site_id"] != f.site {
		t.Errorf("facematchd's audit record of verdict %s: %d %v", p.Evidence.FaceID, st, audit)
	} else {
		t.Logf("audit: distance %.3f, threshold %v, reason %v", audit["distance"], audit["threshold"], audit["reason"])
	}
	return p
}

// screenshot saves the page as a PNG under var/artefacts.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	e2etest.Screenshot(t, ctx, filepath.Join(root, "var", "artefacts", name))
}

// TestFacePunch: E004 is enrolled in facematchd from sample2.jpg; the
// kiosk's camera sees that photo. The strip says face is ready, a tap on
// Face shows the guide and sends frames, and exactly one punch reaches
// punchd: E004's, method face, with the verdict id facematchd audited.
// The frames are 640x480 JPEGs at most two a second, sent cross-origin
// after a CORS preflight.
func TestFacePunch(t *testing.T) {
	clock := morning()
	s := startPunchd(t, clock)
	f := startFace(t, s, false)
	f.enroll("E004", photo)
	// The enrollment reaches punchd's audit log (facematchd's EventSync,
	// a round of it), in E004's unit, and the chain holds.
	if n, err := f.events.Once(context.Background()); err != nil || n != 1 {
		t.Fatalf("report the enrollment: %d events, %v", n, err)
	}
	entries, err := s.Main().Store.AuditEntries(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e store.AuditEntry) bool {
		return e.Action == facematch.ActionFaceEnroll && e.Target == "E004" && e.Unit == "retail" && e.Actor == "token:facematchd"
	}) {
		t.Errorf("punchd's audit log lacks E004's face enrollment")
	}
	if _, err := audit.Verify(context.Background(), s.Main().Store); err != nil {
		t.Errorf("audit verify: %v", err)
	}
	ctx := newBrowser(t, stillY4M)
	device := openAndEnroll(t, ctx, s, clock)

	waitStatus(t, ctx, "face", "ready", 30*time.Second)
	var strip string
	run(t, ctx, "read the strip", chromedp.TextContent("#st-face", &strip, chromedp.ByQuery))
	if !strings.Contains(strip, "ready") {
		t.Errorf("status strip shows %q for face", strip)
	}
	watchGuide(t, ctx)
	tapped := time.Now()
	tapFace(t, ctx)
	what := waitConfirm(t, ctx, "E004", 30*time.Second).What
	onScreen := time.Since(tapped)
	if !strings.Contains(what, "face") || !strings.Contains(what, "IN") {
		t.Errorf("confirmation %q, want IN and face", what)
	}
	var guide []string
	eval(t, ctx, `window.guide`, &guide)
	if len(guide) == 0 || guide[0] != "Look at the camera" {
		t.Errorf("face guide showed %q, want it to start with \"Look at the camera\"", guide)
	}
	screenshot(t, ctx, "kiosk-face.png")

	checkFacePunch(t, ctx, s, f, device, "identify", "E004")

	ids := f.requests(http.MethodPost, "/api/v1/identify")
	var panel map[string]string
	eval(t, ctx, `Object.assign({}, document.getElementById("face").dataset)`, &panel)
	if len(ids) == 0 || fmt.Sprint(len(ids)) != panel["frames"] {
		t.Errorf("facematchd got %d identify requests; the kiosk says it sent %s", len(ids), panel["frames"])
	}
	for i, r := range ids {
		if r.width != 640 || r.height != 480 || r.origin != s.URL() {
			t.Errorf("identify %d: %dx%d JPEG of %d bytes from origin %q", i, r.width, r.height, r.size, r.origin)
		}
		if i > 0 && r.at.Sub(ids[i-1].at) < 450*time.Millisecond {
			t.Errorf("identify %d came %v after the previous: more than two a second", i, r.at.Sub(ids[i-1].at))
		}
	}
	if pre := f.requests(http.MethodOptions, "/api/v1/identify"); len(pre) == 0 {
		t.Error("no CORS preflight of identify: was the request really cross-origin?")
	}
	if hs := f.requests(http.MethodGet, "/api/v1/health"); len(hs) == 0 || hs[0].origin != s.URL() {
		t.Errorf("health checks from the kiosk: %+v", hs)
	}
	t.Logf("face punch: %d frame(s) of %d bytes; first frame to confirmation %s ms (kiosk), tap to confirmation on screen %v (test)",
		len(ids), ids[0].size, panel["ms"], onScreen.Round(time.Millisecond))
}

// TestFaceUnavailable: facematchd goes down while the kiosk runs. The
// strip turns to "unavailable" at the next health check, the Face button
// goes, the kiosk says to use the badge or the phone QR (still on screen),
// and a badge punch still works. When facematchd answers again (as it does
// when make run starts it minutes after the kiosk), the kiosk picks it up
// at its next health check, without a reload, and offers the Face button.
func TestFaceUnavailable(t *testing.T) {
	clock := morning()
	s := startPunchd(t, clock)
	f := startFace(t, s, false)
	ctx := newBrowser(t, stillY4M)
	device := openAndEnroll(t, ctx, s, clock)
	waitStatus(t, ctx, "face", "ready", 30*time.Second)

	f.stop()
	stopped := time.Now()
	waitStatus(t, ctx, "face", "unavailable", 30*time.Second)
	t.Logf("unavailable on the strip %v after facematchd stopped", time.Since(stopped).Round(time.Millisecond))
	var notice string
	run(t, ctx, "read the face notice", chromedp.Text(`#face-notice[data-notice="down"]`, &notice, chromedp.ByQuery))
	if !strings.Contains(notice, "badge") || !strings.Contains(notice, "QR") {
		t.Errorf("face notice %q, want it to offer the badge and the phone QR", notice)
	}
	var button, qr bool
	eval(t, ctx, `!!document.getElementById("face-start")`, &button)
	eval(t, ctx, `!!document.getElementById("qr") && document.getElementById("qr").getAttribute("data-url").includes("/p?")`, &qr)
	if button {
		t.Error("the Face button is offered with the service down")
	}
	if !qr {
		var src string
		eval(t, ctx, `(document.getElementById("qr") || {getAttribute: () => "none"}).getAttribute("data-url")`, &src)
		t.Errorf("no phone QR on screen (data-url %q)", src)
	}
	screenshot(t, ctx, "kiosk-face-down.png")

	// The badge still punches.
	eval(t, ctx, `(() => { const i = document.getElementById("debug-scan"); i.value = "PC-0005"; i.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
	waitConfirm(t, ctx, "E005", 30*time.Second)
	waitStatus(t, ctx, "pending", "0", 30*time.Second)
	ps := s.Punches(device)
	if len(ps) != 1 || ps[0].EmployeeID != "E005" || ps[0].Method != attendance.MethodBadge {
		t.Errorf("punchd has %+v, want one badge punch of E005", ps)
	}

	// The service comes (back) up: ready again within one check, no reload.
	f.restart()
	up := time.Now()
	waitStatus(t, ctx, "face", "ready", 30*time.Second)
	t.Logf("ready on the strip %v after facematchd answered again", time.Since(up).Round(time.Millisecond))
	wait(t, ctx, "the Face button", `!!document.getElementById("face-start")`, 10*time.Second)
}

// TestFaceLiveness: the site's facematchd requires the head turn. The
// kiosk learns it from the health check, asks for a turn, and sends the
// frames to the liveness check: a held-up photo is refused with a clear
// message and no punch, a turning head (the depth-warp proxy) punches.
func TestFaceLiveness(t *testing.T) {
	t.Run("photo", func(t *testing.T) {
		clock := morning()
		s := startPunchd(t, clock)
		f := startFace(t, s, true)
		f.enroll("E004", photo)
		ctx := newBrowser(t, stillY4M)
		device := openAndEnroll(t, ctx, s, clock)
		waitStatus(t, ctx, "face", "ready", 30*time.Second)
		watchGuide(t, ctx)
		tapFace(t, ctx)
		wait(t, ctx, "the face guide", `!!document.getElementById("face-guide")`, 10*time.Second)
		screenshot(t, ctx, "kiosk-face-guide.png")
		// Two rounds of five frames, both refused.
		wait(t, ctx, "the not-live message", `(() => { const n = document.getElementById("face-notice"); return !!n && n.dataset.notice === "notLive"; })()`, 60*time.Second)
		var guide []string
		eval(t, ctx, `window.guide`, &guide)
		if len(guide) == 0 || guide[0] != "Slowly turn your head to one side" {
			t.Errorf("face guide showed %q, want the head-turn prompt", guide)
		}
		screenshot(t, ctx, "kiosk-face-notlive.png")
		if n := len(f.requests(http.MethodPost, "/api/v1/identify")); n != 0 {
			t.Errorf("%d single-frame identify requests to a service that requires liveness", n)
		}
		if n := len(f.requests(http.MethodPost, "/api/v1/liveness")); n != 2 {
			t.Errorf("%d liveness requests, want 2 (a tapped attempt gets a second go)", n)
		}
		var outcomes []string
		eval(t, ctx, `window.__pcConfirms.map(e => e.outcome)`, &outcomes)
		if len(outcomes) != 0 {
			t.Errorf("the screen showed %q for a refused photo", outcomes)
		}
		if ps := s.Punches(device); len(ps) != 0 {
			t.Errorf("a photo punched: %+v", ps)
		}
	})
	t.Run("head turn", func(t *testing.T) {
		clock := morning()
		s := startPunchd(t, clock)
		f := startFace(t, s, true)
		f.enroll("E004", photo)
		ctx := newBrowser(t, turnY4M)
		device := openAndEnroll(t, ctx, s, clock)
		waitStatus(t, ctx, "face", "ready", 30*time.Second)
		tapFace(t, ctx)
		waitConfirm(t, ctx, "E004", 60*time.Second)
		checkFacePunch(t, ctx, s, f, device, "liveness", "E004")
		var ms string
		eval(t, ctx, `document.getElementById("face").dataset.ms`, &ms)
		t.Logf("liveness punch: %d liveness request(s); first frame to confirmation %s ms", len(f.requests(http.MethodPost, "/api/v1/liveness")), ms)
	})
}
