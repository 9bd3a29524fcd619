package e2etest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Clock is the "now" of a browser end-to-end test, shared by punchd
// (punchd.Config.Now) and every tab it is installed in: it starts at an
// instant the test fixes and runs at the speed of the real clock, so
// timers, back-off and the kiosk's monotonic offset logic behave as on a
// real day, at whatever hour the test runs.
//
// In a tab the clock replaces the page's Date before any script runs, so
// Go's time.Now in the kiosk's WebAssembly (which reads `new Date`) sees
// it; performance.now, Go's monotonic clock there, is left alone. A tab
// may be given a skew: its device clock is then wrong by that much, as a
// kiosk's can be after a power cut, and the kiosk has to correct it with
// the offset it learns from punchd.
type Clock struct {
	off atomic.Int64 // nanoseconds added to the real clock

	mu   sync.Mutex
	tabs []clockTab
}

type clockTab struct {
	ctx    context.Context
	skew   time.Duration
	script page.ScriptIdentifier // the clock script new documents get
}

// NewClock returns a clock that reads at now.
func NewClock(at time.Time) *Clock {
	c := &Clock{}
	c.off.Store(int64(time.Until(at)))
	return c
}

// Now is the test's current time (punchd.Config.Now).
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

// offset is how far the clock is ahead of the real one.
func (c *Clock) offset() time.Duration { return time.Duration(c.off.Load()) }

// clockScript replaces Date in a page with one offset from the real clock
// by a number of milliseconds kept in sessionStorage, so a reload of the
// tab keeps the clock where the test last set it. __pcSetClockOffset moves
// it.
const clockScript = `(() => {
	const Real = Date;
	let off = %d;
	try { const s = sessionStorage.getItem("__pcClockOffset"); if (s !== null) off = Number(s); } catch (e) {}
	class TestDate extends Real {
		constructor(...a) { if (a.length === 0) super(Real.now() + off); else super(...a); }
		static now() { return Real.now() + off; }
	}
	globalThis.Date = new Proxy(TestDate, { apply() { return new TestDate().toString(); } });
	globalThis.__pcSetClockOffset = ms => {
		off = ms;
		try { sessionStorage.setItem("__pcClockOffset", String(ms)); } catch (e) {}
		return true;
	};
})();`

// Install puts the clock, wrong by skew, into the tab ctx before the tab
// loads a page, and sets the tab's time zone to zone (an IANA name; ""
// keeps the process's): the browser's zone must not matter to the kiosk,
// which works in its site's zone. Later Set calls move the tab's clock too.
// It also gives the tab's pages the log of confirmations WaitConfirm reads.
func (c *Clock) Install(t testing.TB, ctx context.Context, skew time.Duration, zone string) {
	t.Helper()
	Run(t, ctx, "install the confirmation log", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(confirmLogScript).Do(ctx)
		return err
	}))
	tab := clockTab{ctx: ctx, skew: skew}
	tab.install(t, c.offset())
	if zone != "" {
		Run(t, ctx, "set the time zone", emulation.SetTimezoneOverride(zone))
	}
	c.mu.Lock()
	c.tabs = append(c.tabs, tab)
	c.mu.Unlock()
}

// install gives the tab's next documents the clock at offset, replacing
// the script an earlier install gave them.
func (tab *clockTab) install(t testing.TB, offset time.Duration) {
	t.Helper()
	ms := (offset + tab.skew).Milliseconds()
	Run(t, tab.ctx, "install the test clock", chromedp.ActionFunc(func(ctx context.Context) error {
		if tab.script != "" {
			if err := page.RemoveScriptToEvaluateOnNewDocument(tab.script).Do(ctx); err != nil {
				return err
			}
		}
		var err error
		tab.script, err = page.AddScriptToEvaluateOnNewDocument(fmt.Sprintf(clockScript, ms)).Do(ctx)
		return err
	}))
}

// Set moves the clock to at, in punchd and in every open tab it was
// installed in. Call it only before a device learns its clock offset (a
// kiosk's enrollment, a phone's activation): from then on the device
// counts true time on its monotonic clock, as it must, and a jump of
// punchd's clock would look to it like a server clock error.
func (c *Clock) Set(t testing.TB, at time.Time) {
	t.Helper()
	c.off.Store(int64(time.Until(at)))
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.tabs {
		tab := &c.tabs[i]
		if tab.ctx.Err() != nil {
			continue // the tab has closed
		}
		// The page open now, if it has the clock (not about:blank), and
		// the documents the tab loads next.
		var ok bool
		Eval(t, tab.ctx, fmt.Sprintf(`globalThis.__pcSetClockOffset ? globalThis.__pcSetClockOffset(%d) : false`, (c.offset()+tab.skew).Milliseconds()), &ok)
		tab.install(t, c.offset())
	}
}

// confirmLogScript records every outcome the kiosk's confirmation screen
// shows in window.__pcConfirms, from a MutationObserver in the page: the
// screen clears itself after 4 s of wall clock, which a loaded machine can
// spend before a poll from the test gets its turn, while the page's own
// observer runs with every change.
const confirmLogScript = `(() => {
	const log = [];
	window.__pcConfirms = log;
	let last = "";
	const text = id => (document.getElementById(id) || {}).textContent || "";
	new MutationObserver(() => {
		const c = document.getElementById("confirm");
		const o = c ? c.dataset.outcome || "" : "";
		if (!o) { last = ""; return; }
		const e = {outcome: o, employee: c.dataset.employee || "", who: text("confirm-who"), what: text("confirm-what"),
			direction: c.dataset.direction || "", late: Number(c.dataset.late || 0)};
		const sig = JSON.stringify(e);
		if (sig !== last) { last = sig; log.push(e); }
	}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();`
