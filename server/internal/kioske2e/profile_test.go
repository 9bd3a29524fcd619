package kioske2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// startProfile starts Chromium's CPU profiler on the page when
// PUNCHCLOCK_BENCH_CPUPROFILE names a file; the returned stop writes the
// profile there (open it in DevTools' Performance panel) and logs the
// functions with the most self time. A wasm built without -s keeps its
// function names.
func startProfile(b *testing.B, ctx context.Context) (stop func()) {
	path := os.Getenv("PUNCHCLOCK_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	if err := chromedp.Run(ctx, profiler.Enable(), profiler.SetSamplingInterval(200), profiler.Start()); err != nil {
		b.Fatal(err)
	}
	return func() {
		var p *profiler.Profile
		err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			p, err = profiler.Stop().Do(ctx)
			return err
		}))
		if err != nil {
			b.Fatal(err)
		}
		j, _ := json.Marshal(p)
		if err := os.WriteFile(path, j, 0o644); err != nil {
			b.Fatal(err)
		}
		self := map[string]int64{}
		var total int64
		for _, n := range p.Nodes {
			name := n.CallFrame.FunctionName
			if name == "" {
				name = "(anonymous) " + n.CallFrame.URL
			}
			self[name] += n.HitCount
			total += n.HitCount
		}
		names := make([]string, 0, len(self))
		for k := range self {
			names = append(names, k)
		}
		slices.SortFunc(names, func(a, c string) int { return int(self[c] - self[a]) })
		var out strings.Builder
		for _, k := range names[:min(40, len(names))] {
			fmt.Fprintf(&out, "%6.2f%% %s\n", 100*float64(self[k])/float64(max(total, 1)), k)
		}
		b.Logf("CPU profile, %d samples, self time:\n%s", total, out.String())
	}
}
