package e2etest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// NewTab opens a tab in a new browser context of browser: its own
// cookies, storage, IndexedDB and service workers, as another device would
// have. The tab is made in a new window because this Chromium's headless
// mode refuses a new tab in a context with no window. It closes with the
// test.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	var tab target.ID
	var bctx cdp.BrowserContextID
	err := chromedp.Run(browser, chromedp.ActionFunc(func(ctx context.Context) error {
		bx := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
		var err error
		if bctx, err = target.CreateBrowserContext().Do(bx); err != nil {
			return err
		}
		tab, err = target.CreateTarget("about:blank").WithBrowserContextID(bctx).WithNewWindow(true).Do(bx)
		return err
	}))
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithTargetID(tab))
	t.Cleanup(func() {
		cancel()
		// Close the tab and its context: a kiosk left running keeps
		// reading the camera and syncing, and slows every later test.
		if browser.Err() == nil {
			chromedp.Run(browser, chromedp.ActionFunc(func(ctx context.Context) error {
				bx := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
				target.CloseTarget(tab).Do(bx)
				return target.DisposeBrowserContext(bctx).Do(bx)
			}))
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	return ctx
}

// OpenKiosk loads the kiosk page with the test hook (#debug) and waits for
// the wasm app to run.
func OpenKiosk(t testing.TB, ctx context.Context, base string) {
	t.Helper()
	OpenKioskAt(t, ctx, base+"/")
}

// OpenKioskAt loads the kiosk page at the URL page (its query kept, as
// the console's enrollment QR code gives it) with the test hook (#debug)
// and waits for the wasm app to run.
func OpenKioskAt(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	Run(t, ctx, "open the kiosk", chromedp.Navigate(page+"#debug"))
	Wait(t, ctx, "the app to start", `(() => { const c = document.getElementById("clock"); return !!c && /\d\d:\d\d:\d\d/.test(c.textContent); })()`, 90*time.Second)
}

// TryEnroll submits the kiosk's enrollment form with code.
func TryEnroll(t testing.TB, ctx context.Context, code string) {
	t.Helper()
	Wait(t, ctx, "the enrollment form", `!!document.getElementById("enroll-code")`, 30*time.Second)
	SetInput(t, ctx, "enroll-code", code)
	Tap(t, ctx, "submit the enrollment", "#enroll-submit")
}

// EnrollKiosk enrolls the open kiosk page at site with a fresh code, waits
// for the kiosk screen, checks it names the site, and returns the device
// id.
func EnrollKiosk(t testing.TB, ctx context.Context, s *Server, site string) string {
	t.Helper()
	TryEnroll(t, ctx, s.IssueCodeAt(site, 0))
	Wait(t, ctx, "the kiosk screen", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 30*time.Second)
	st, err := s.Main().Store.Site(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	var shown string
	Run(t, ctx, "read the site", chromedp.Text("#site", &shown, chromedp.ByQuery))
	if !strings.Contains(shown, st.Name) {
		t.Errorf("kiosk shows site %q, want %q", shown, st.Name)
	}
	return Status(t, ctx, "device")
}

// Status reads one data attribute of the kiosk's status strip.
func Status(t testing.TB, ctx context.Context, key string) string {
	t.Helper()
	var v string
	Eval(t, ctx, `(document.getElementById("status") || {dataset: {}}).dataset.`+key+` || ""`, &v)
	return v
}

// WaitStatus waits until the status strip's data attribute key is want.
func WaitStatus(t testing.TB, ctx context.Context, key, want string, limit time.Duration) {
	t.Helper()
	Wait(t, ctx, fmt.Sprintf("status %s=%s", key, want),
		fmt.Sprintf(`(() => { const s = document.getElementById("status"); return !!s && s.dataset.%s === %q; })()`, key, want), limit)
}

// ScanBadge hands a decoded badge code to the kiosk through the test hook,
// which takes the camera's path from the debouncer on.
func ScanBadge(t testing.TB, ctx context.Context, code string) {
	t.Helper()
	var ok bool
	Eval(t, ctx, fmt.Sprintf(`(() => { const i = document.getElementById("debug-scan"); if (!i) return false; i.value = %q; i.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, code), &ok)
	if !ok {
		t.Fatalf("no test hook on the kiosk page; page: %s", PageText(ctx))
	}
}

// KioskClock reads the kiosk's clock as it shows it: "HH:MM:SS".
func KioskClock(t testing.TB, ctx context.Context) string {
	t.Helper()
	var s string
	Eval(t, ctx, `(document.getElementById("clock") || {}).textContent || ""`, &s)
	return strings.TrimSpace(s)
}

// EnrollKiosk enrolls the open kiosk page at the cell's site and returns
// its device id. For the midnight cell it first moves the clock to
// 23:59:50: the page has been open since a minute earlier, and the kiosk
// learns its clock offset at enrollment and from then on counts true time
// on its monotonic clock, so the clock may move only before that.
func (c Cell) EnrollKiosk(t testing.TB, ctx context.Context, s *Server, clock *Clock) string {
	t.Helper()
	if c.Crosses {
		c.setClock(t, clock)
	}
	return EnrollKiosk(t, ctx, s, c.Site)
}

// setClock moves the clock to the cell's instant. On a loaded machine the
// page may take longer to start than the minute the clock ran ahead of
// it; the clock then steps back, which is as harmless here as the step
// forward: no device has learnt its offset yet.
func (c Cell) setClock(t testing.TB, clock *Clock) {
	t.Helper()
	if now := clock.Now(); now.After(c.At()) {
		t.Logf("%s: the page took until %s to start; the clock steps back to %s", c, now.In(c.Loc()).Format("15:04:05"), c.At().In(c.Loc()).Format("15:04:05"))
	}
	clock.Set(t, c.At())
}

// CrossMidnight waits until the open kiosk page's own clock and date show
// the Thursday after the matrix day, two seconds past midnight: the
// midnight cell's next punch is made then. Midnight itself is a boundary
// the rules count as the day before's last instant (a day shift's out
// window runs to 24:00 inclusive); a punch in its first second, which a
// loaded machine makes now and then, would test that boundary instead.
func (c Cell) CrossMidnight(t testing.TB, ctx context.Context) {
	t.Helper()
	if !c.Crosses {
		t.Fatalf("%s does not cross midnight", c)
	}
	Wait(t, ctx, "the kiosk's clock past midnight", `(() => {
		const m = ((document.getElementById("clock") || {}).textContent || "").match(/\d\d:\d\d:\d\d/);
		const d = (document.getElementById("date") || {}).textContent || "";
		return !!m && m[0].startsWith("00:") && m[0] >= "00:00:02" && d.includes("Thursday");
	})()`, 60*time.Second)
}

// Start is the instant a cell's clock starts at: the cell's own, but a
// minute earlier for the midnight cell, whose page must be open before
// EnrollKiosk moves the clock to 23:59:50.
func (c Cell) Start() time.Time {
	if c.Crosses {
		return c.At().Add(-time.Minute)
	}
	return c.At()
}
