package kioske2e

import "punchclock/server/internal/e2etest"

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
