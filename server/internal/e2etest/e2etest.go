// Package e2etest holds what the browser end-to-end tests share: building
// the kiosk's app.wasm as `make wasm` does, a punchd with the demo
// organisation that can be stopped and started again on the same address
// and database, and helpers that drive headless Chromium (chromedp) and
// fail a test with what the page shows.
//
// Waiting is always polling of page state, never a sleep standing in for
// synchronisation.
package e2etest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/browsertest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// Root returns the module's root folder.
func Root() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("e2etest: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("e2etest: not inside the module")
	}
	return filepath.Dir(mod), nil
}

// BuildWeb copies the module's web/ into dir/web and builds a fresh
// app.wasm there, as `make wasm` does; stale builds and their compressed
// copies are not carried over. It returns the new web folder.
func BuildWeb(dir string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	web := filepath.Join(dir, "web")
	if err := os.CopyFS(web, os.DirFS(filepath.Join(root, "web"))); err != nil {
		return "", fmt.Errorf("e2etest: copy web: %w", err)
	}
	for _, f := range []string{"app.wasm", "app.wasm.br", "app.wasm.gz", "app.wasm.tmp"} {
		os.Remove(filepath.Join(web, f))
	}
	os.RemoveAll(filepath.Join(web, "admin")) // the console, built by BuildConsole when a test needs it
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(web, "app.wasm"), "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("e2etest: build app.wasm: %v\n%s", err, out)
	}
	return web, nil
}

// BuildConsole builds the admin console (wasm/console) into web (a folder
// BuildWeb made) as admin/app.wasm, where punchd serves it, as `make wasm`
// does.
func BuildConsole(web string) error {
	root, err := Root()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(web, "admin", "app.wasm"), "./wasm/console")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("e2etest: build the console: %v\n%s", err, out)
	}
	return nil
}

// BuildPunchd builds the punchd command into dir, as `make punchd` does,
// for tests that run its subcommands (`punchd audit verify`) on a test
// server's database. It returns the binary's path.
func BuildPunchd(dir string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "punchd")
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", bin, "./server/cmd/punchd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("e2etest: build punchd: %v\n%s", err, out)
	}
	return bin, nil
}

// Hook sees every request before punchd; it returns true when it answered
// (or broke) the request itself.
type Hook func(w http.ResponseWriter, r *http.Request, next http.Handler) bool

// Server is punchd with the demo organisation, restartable on the same
// address and database: a kiosk's origin and service worker stay valid
// across a restart, as after a real crash.
type Server struct {
	t    testing.TB
	cfg  punchd.Config
	addr string
	mu   sync.Mutex
	m    *punchd.Main
	hs   *http.Server
	hook atomic.Pointer[Hook]
}

// StartServer starts punchd on a free port with a fresh SQLite database.
// cfg gives the web folder, version, the test's clock (Now, required) and
// anything else; its database, data folder, demo and log are set here.
// The server stops with the test.
func StartServer(t testing.TB, cfg punchd.Config) *Server {
	t.Helper()
	if cfg.Now == nil {
		// The wall clock would make what the kiosk says depend on the
		// hour the test runs.
		t.Fatal("e2etest: StartServer needs Config.Now, a test clock (NewClock)")
	}
	dir := t.TempDir()
	cfg.DB, cfg.DataDir, cfg.Demo = filepath.Join(dir, "punchclock.db"), dir, true
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := &Server{t: t, cfg: cfg, addr: "127.0.0.1:0"}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start opens the database and serves on the server's address.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m != nil {
		s.t.Fatal("e2etest: server already running")
	}
	m, err := punchd.Open(context.Background(), s.cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		m.Close()
		s.t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	next := m.Handler()
	s.hs = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := s.hook.Load(); h != nil && (*h)(w, r, next) {
			return
		}
		next.ServeHTTP(w, r)
	})}
	s.m = m
	go s.hs.Serve(ln)
}

// Stop stops serving and closes the database, like a killed punchd: the
// browser's open connections are closed too.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.hs.Shutdown(ctx)
	s.hs.Close()
	s.m.Close()
	s.m, s.hs = nil, nil
}

// SetHook puts h in front of punchd (nil removes it).
func (s *Server) SetHook(h Hook) {
	if h == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&h)
}

// Main returns the running punchd.
func (s *Server) Main() *punchd.Main {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.t.Fatal("e2etest: server not running")
	}
	return s.m
}

// DB is the server's SQLite database file.
func (s *Server) DB() string { return s.cfg.DB }

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.addr }

// IssueCode makes a one-time enrollment code for the demo's Shanghai store.
func (s *Server) IssueCode(ttl time.Duration) string {
	s.t.Helper()
	return s.IssueCodeAt("sh-jingan", ttl)
}

// IssueCodeAt makes a one-time enrollment code for a site.
func (s *Server) IssueCodeAt(site string, ttl time.Duration) string {
	s.t.Helper()
	code, _, err := s.Main().API.Devices.IssueCode(context.Background(), site, ttl, "e2etest")
	if err != nil {
		s.t.Fatal(err)
	}
	return code
}

// Punches returns what punchd stored from a device, ordered by time.
func (s *Server) Punches(deviceID string) []store.StoredPunch {
	s.t.Helper()
	ps, err := s.Main().Store.Punches(context.Background(), store.PunchFilter{DeviceID: deviceID})
	if err != nil {
		s.t.Fatal(err)
	}
	return ps
}

// NewBrowser starts headless Chromium with a fake camera that plays y4m
// (Chromium's own test pattern when y4m is ""), camera permission granted,
// and autoplay allowed. The browser ends with the test or after limit.
func NewBrowser(t testing.TB, limit time.Duration, y4m string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	flags := []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
	if y4m != "" {
		flags = append(flags, chromedp.Flag("use-file-for-fake-video-capture", y4m))
	}
	return browsertest.New(t, limit, append(flags, extra...)...)
}

// Run runs chromedp actions or fails the test with what the page shows.
func Run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v\npage: %s", what, err, PageText(ctx))
	}
}

// Tap clicks the element sel (a CSS selector) as a finger would, once it
// is on the page, visible, enabled and not covered by another element at
// its centre. The click is the element's own (HTMLElement.click, in the
// same script that checked it), not a mouse event at coordinates read
// beforehand: go-app draws the page again after an event on its own
// schedule, and a pointer click aimed at the layout before that (a
// message that appeared, a language switch) lands on whatever the new
// layout put there, or on nothing, now and then.
func Tap(t testing.TB, ctx context.Context, what, sel string) {
	t.Helper()
	Wait(t, ctx, what+" ("+sel+" ready)", fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e || e.disabled) return false;
		e.scrollIntoView({block: "nearest", inline: "nearest"});
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return false;
		const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (!top || !(top === e || e.contains(top))) return false;
		e.click();
		return true;
	})()`, sel), 30*time.Second)
}

// Wait polls a JavaScript condition until it holds. A page that navigates
// while it is polled (an enrollment's reload, an update of the app) ends
// the poll with "Inspected target navigated or closed": the condition is
// then polled again on the new page, within the same limit.
func Wait(t testing.TB, ctx context.Context, what, cond string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := chromedp.Run(ctx, chromedp.Poll(cond, nil, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if !navigated(err) || time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v\npage: %s", what, err, PageText(ctx))
		}
		// A polling step before asking the new page, not a busy loop
		// while it loads.
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// navigated reports whether err is a script's context going away with its
// page (a navigation or reload), not a failure of what was asked.
func navigated(err error) bool {
	s := err.Error()
	return strings.Contains(s, "Inspected target navigated or closed") ||
		strings.Contains(s, "Execution context was destroyed") ||
		strings.Contains(s, "Cannot find context with specified id")
}

// Confirmation is what the kiosk's confirmation screen said.
type Confirmation struct {
	Who  string `json:"who"`
	What string `json:"what"`
	// Direction and Late are the kiosk's data attributes: the provisional
	// direction ("" when the punch is in no shift's window) and lateness.
	Direction string `json:"direction"`
	Late      int    `json:"late"`
}

// WaitConfirm waits for the kiosk to confirm a recorded punch of employee
// and returns what the screen said, from the page's confirmation log
// (Clock.Install puts it in every page): the screen clears itself after
// 4 s, which a loaded machine can spend between two polls. Each
// confirmation is returned once.
func WaitConfirm(t testing.TB, ctx context.Context, employee string, limit time.Duration) Confirmation {
	t.Helper()
	var logged bool
	Eval(t, ctx, `Array.isArray(window.__pcConfirms)`, &logged)
	if !logged {
		t.Fatal("e2etest: the page has no confirmation log; install the test clock (Clock.Install) before it loads")
	}
	Wait(t, ctx, "the confirmation for "+employee, fmt.Sprintf(`(() => {
		const i = window.__pcConfirms.findIndex(e => e.outcome === "recorded" && e.employee === %q);
		if (i < 0) return false;
		window.lastConfirm = window.__pcConfirms.splice(i, 1)[0];
		return true;
	})()`, employee), limit)
	var c Confirmation
	Eval(t, ctx, `window.lastConfirm`, &c)
	return c
}

// Eval evaluates a JavaScript expression into out.
func Eval(t testing.TB, ctx context.Context, expr string, out any) {
	t.Helper()
	Run(t, ctx, "evaluating "+expr, chromedp.Evaluate(expr, out))
}

// PageText is the page's visible text with the state the kiosk exposes
// for tests (status strip, camera, face), for failure messages.
func PageText(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var s string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`(() => {
		let s = document.body ? document.body.innerText : "";
		const v = document.getElementById("camera");
		if (v) s += " [camera: readyState " + v.readyState + ", " + v.videoWidth + "x" + v.videoHeight + ", frames " + v.dataset.frames + ", reads " + v.dataset.reads + "]";
		for (const id of ["status", "face"]) {
			const e = document.getElementById(id);
			if (e) s += " [" + id + ": " + JSON.stringify(e.dataset) + "]";
		}
		return s;
	})()`, &s)); err != nil {
		return "(" + err.Error() + ")"
	}
	s = strings.Join(strings.Fields(s), " ")
	if lines := browsertest.Console(ctx); len(lines) > 0 {
		s += "\nconsole (last lines):\n  " + strings.Join(lines, "\n  ")
	}
	return s
}

// SetInput types value into the input with id, as a person would (go-app
// reads inputs on their input event).
func SetInput(t testing.TB, ctx context.Context, id, value string) {
	t.Helper()
	var ok bool
	Eval(t, ctx, fmt.Sprintf(`(() => { const i = document.getElementById(%q); if (!i) return false; i.value = %q; i.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, id, value), &ok)
	if !ok {
		t.Fatalf("no input #%s; page: %s", id, PageText(ctx))
	}
}

// Screenshot writes the whole page as a PNG to path (a test artefact).
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	var png []byte
	Run(t, ctx, "screenshot", chromedp.FullScreenshot(&png, 100))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// WaitCached waits until the service worker controls the page and its
// cache holds /web/app.wasm and every other path given: the moment the
// app can start without the server. A controlling worker alone is not
// enough: it may still be filling its cache.
func WaitCached(t testing.TB, ctx context.Context, paths ...string) {
	t.Helper()
	want := append([]string{"/web/app.wasm"}, paths...)
	list := `"` + strings.Join(want, `", "`) + `"`
	Wait(t, ctx, strings.Join(want, " and ")+" in the service worker's cache", `(async () => {
		if (!navigator.serviceWorker.controller) return false;
		for (const k of await caches.keys()) {
			const c = await caches.open(k);
			let all = true;
			for (const p of [`+list+`]) all = all && !!(await c.match(p));
			if (all) return true;
		}
		return false;
	})()`, 60*time.Second)
}

// Main is a TestMain body: it makes a temporary folder, runs setup in it
// (build the app, write videos), runs the tests unless setup failed, runs
// cleanup if given, removes the folder and exits with the tests' code.
func Main(m *testing.M, name string, setup func(dir string) error, cleanup func()) {
	code := 1
	dir, err := os.MkdirTemp("", name)
	if err == nil {
		err = setup(dir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	} else {
		code = m.Run()
	}
	if cleanup != nil {
		cleanup()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
