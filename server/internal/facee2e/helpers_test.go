//go:build dlib

package facee2e

import "punchclock/server/internal/e2etest"

// The browser helpers every e2e package shares.
var (
	run      = e2etest.Run
	wait     = e2etest.Wait
	eval     = e2etest.Eval
	pageText = e2etest.PageText
	// waitStatus waits until the status strip's data attribute key is want.
	waitStatus = e2etest.WaitStatus
)
