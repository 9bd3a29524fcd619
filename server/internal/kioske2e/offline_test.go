package kioske2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
)

// offlineSites is who punches at each site's kiosk in the offline matrix.
var offlineSites = map[string]struct{ badge, employee string }{
	"sh-jingan": {"PC-0006", "E006"},
	"muc-works": {"PC-0023", "E023"},
}

// TestOfflineMatrix runs the offline reload at every cell of the clock
// matrix: the kiosk is enrolled and cached, punchd goes down, a badge is
// scanned (at the midnight cell once the open page has crossed into the
// next day), the page is reloaded from the service worker with the punch
// still queued, and when punchd is back the punch arrives once. The
// kiosk's confirmation, made offline from the rules of its last pull, and
// punchd's day record must both say what the rules give at that instant.
func TestOfflineMatrix(t *testing.T) {
	e2etest.RunMatrix(t, e2etest.Sites, e2etest.NoVideo, func(t *testing.T, browser context.Context, cell e2etest.Cell, i int) {
		who := offlineSites[cell.Site]
		clock := e2etest.NewClock(cell.Start())
		s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})
		ctx := e2etest.NewTab(t, browser)
		clock.Install(t, ctx, 0, e2etest.Zone(i+1))
		openKiosk(t, ctx, s.URL())
		device := cell.EnrollKiosk(t, ctx, s, clock)
		waitCached(t, ctx)
		waitStatus(t, ctx, "online", "yes", 30*time.Second)

		s.Stop()
		if cell.Crosses {
			cell.CrossMidnight(t, ctx)
		}
		scanBadge(t, ctx, who.badge)
		c := waitConfirm(t, ctx, who.employee)
		waitStatus(t, ctx, "pending", "1", 10*time.Second)
		run(t, ctx, "reload offline", chromedp.Reload())
		wait(t, ctx, "the kiosk after the reload", `(() => { const s = document.getElementById("status"); return !!s && !!s.dataset.device; })()`, 60*time.Second)
		waitStatus(t, ctx, "pending", "1", 10*time.Second)

		s.Start()
		waitStatus(t, ctx, "pending", "0", 90*time.Second)
		ps := s.Punches(device)
		if len(ps) != 1 || ps[0].EmployeeID != who.employee {
			t.Fatalf("punchd has %+v from the kiosk, want one punch of %s", ps, who.employee)
		}
		if cell.Crosses && cell.For(ps[0].TrueTime).Name != cell.Name {
			t.Fatalf("the punch after midnight was made at %s", ps[0].TrueTime.In(cell.Loc()))
		}
		cell.CheckConfirm(t, c, ps[0].TrueTime)
		cell.CheckDay(t, s, ps[0])
	})
}
