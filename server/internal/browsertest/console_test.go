package browsertest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/server/internal/browsertest"
)

// TestConsole: what a page writes to its console, and an exception it
// does not catch, are kept for a failing test's message.
func TestConsole(t *testing.T) {
	ctx := browsertest.New(t, time.Minute)
	err := chromedp.Run(ctx,
		chromedp.Navigate("about:blank"),
		chromedp.Evaluate(`console.log("kept", 42); setTimeout(() => { throw new Error("not caught"); }, 0); true`, nil))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		lines = browsertest.Console(ctx)
		if len(lines) == 2 {
			break
		}
	}
	has := func(s string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, s) })
	}
	if len(lines) != 2 || !has(`log: "kept" 42`) || !has("exception:") || !has("not caught") {
		t.Errorf("console lines %q, want the log and the exception", lines)
	}
}
