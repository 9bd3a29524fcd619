// Package browsertest starts headless Chromium for end-to-end tests through
// chromedp. The browser is Debian's chromium (CHROMIUM overrides the path);
// a machine without it fails the test with the command that installs it,
// because a skipped browser test would hide a broken kiosk.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Path returns the Chromium binary to use.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Flags are the switches headless Chromium needs on this kind of machine:
// no sandbox as root, no GPU, and no background connections (the network
// is closed; Chromium's own traffic would only fail and slow it down).
func Flags(userDataDir string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path()),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(userDataDir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 800),
	}
	return append(opts, extra...)
}

// removeProfile removes a profile folder, trying again for up to ten
// seconds while exiting helper processes still write into it; what cannot
// be removed is left in the temporary folder.
func removeProfile(dir string) {
	deadline := time.Now().Add(10 * time.Second)
	for os.RemoveAll(dir) != nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
}

// New starts a browser and returns a tab context that ends with the test
// (or after limit, so a hung page fails instead of stalling the suite).
func New(t testing.TB, limit time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if Path() == "" {
		t.Fatal("browsertest: Chromium not found; install it with: apt-get install -y chromium chromium-driver (or run make test, which does)")
	}
	// Chromium on a loaded machine now and then dies while starting (its
	// zygote or GPU process); one more try keeps that from failing a test
	// that never reached the page.
	var err error
	for attempt := 1; attempt <= 2; attempt++ {
		var tctx context.Context
		if tctx, err = start(t, limit, extra...); err == nil {
			return tctx
		}
		t.Logf("browsertest: start Chromium (attempt %d): %v", attempt, err)
	}
	t.Fatalf("browsertest: start Chromium: %v", err)
	return nil
}

// start launches one browser with a profile folder of its own, cleaned up
// with the test.
func start(t testing.TB, limit time.Duration, extra ...chromedp.ExecAllocatorOption) (context.Context, error) {
	// A profile folder of our own rather than t.TempDir: Chromium's helper
	// processes (the service worker's storage among them) may still write
	// to it for a moment after the browser quits, and a failed TempDir
	// cleanup would fail the test for nothing.
	profile, err := os.MkdirTemp("", "punchclock-chromium-")
	if err != nil {
		return nil, err
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), limit)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, Flags(profile, extra...)...)
	con := &console{}
	tctx, cancelTab := chromedp.NewContext(context.WithValue(actx, consoleKey{}, con))
	chromedp.ListenTarget(tctx, con.listen)
	stop := func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		cancelTimeout()
		removeProfile(profile)
	}
	if err := chromedp.Run(tctx); err != nil {
		stop()
		return nil, err
	}
	t.Cleanup(stop)
	return tctx, nil
}

// console keeps the page's last console lines and uncaught exceptions,
// for a failing test to print (Console).
type console struct {
	mu    sync.Mutex
	lines []string
}

type consoleKey struct{}

// consoleKeep is how many of the last lines Console returns.
const consoleKeep = 40

func (c *console) listen(ev any) {
	var line string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			if a.Value != nil {
				args = append(args, string(a.Value))
			} else {
				args = append(args, a.Description)
			}
		}
		line = fmt.Sprintf("%s %s: %s", ev.Timestamp.Time().UTC().Format("15:04:05.000"), ev.Type, strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		line = fmt.Sprintf("%s exception: %s", ev.Timestamp.Time().UTC().Format("15:04:05.000"), d.Text)
		if d.Exception != nil {
			line += " " + d.Exception.Description
		}
	default:
		return
	}
	c.mu.Lock()
	c.lines = append(c.lines, line)
	if len(c.lines) > 2*consoleKeep {
		c.lines = append(c.lines[:0], c.lines[len(c.lines)-consoleKeep:]...)
	}
	c.mu.Unlock()
}

// Console returns the last lines the tab's pages wrote to the console
// (and their uncaught exceptions), oldest first, for a failing test's
// message; none for a context New did not make.
func Console(ctx context.Context) []string {
	c, ok := ctx.Value(consoleKey{}).(*console)
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines[max(0, len(c.lines)-consoleKeep):]...)
}
