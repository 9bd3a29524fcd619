package kioske2e

import (
	"context"
	"testing"
	"time"

	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
)

// The browser helpers every e2e package shares.
var (
	run        = e2etest.Run
	wait       = e2etest.Wait
	eval       = e2etest.Eval
	pageText   = e2etest.PageText
	setInput   = e2etest.SetInput
	screenshot = e2etest.Screenshot
	waitCached = e2etest.WaitCached
	openKiosk  = e2etest.OpenKiosk
	tryEnroll  = e2etest.TryEnroll
	status     = e2etest.Status
	waitStatus = e2etest.WaitStatus
	scanBadge  = e2etest.ScanBadge
)

// onlineKiosk starts punchd on a test clock at a weekday morning in
// Shanghai, opens the kiosk page with the test hook in a new browser that
// lives for limit, enrolls it at the Shanghai store and waits until it is
// online. It returns the server, the tab and the kiosk's device id.
func onlineKiosk(t *testing.T, limit time.Duration) (*e2etest.Server, context.Context, string) {
	t.Helper()
	clock := e2etest.NewClock(e2etest.Matrix[1].At())
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: version, Now: clock.Now})
	ctx := e2etest.NewBrowser(t, limit, "")
	clock.Install(t, ctx, 0, "")
	openKiosk(t, ctx, s.URL())
	device := e2etest.EnrollKiosk(t, ctx, s, "sh-jingan")
	waitStatus(t, ctx, "online", "yes", 30*time.Second)
	return s, ctx, device
}
