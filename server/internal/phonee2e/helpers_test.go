package phonee2e

import "punchclock/server/internal/e2etest"

// The browser helpers every e2e package shares.
var (
	run        = e2etest.Run
	wait       = e2etest.Wait
	eval       = e2etest.Eval
	pageText   = e2etest.PageText
	screenshot = e2etest.Screenshot
)
