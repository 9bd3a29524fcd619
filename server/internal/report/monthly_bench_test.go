package report_test

import (
	"context"
	"net/url"
	"runtime"
	"testing"
	"time"

	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/httpapi/recordsbench"
	"punchclock/server/internal/report"
	"punchclock/server/internal/sqlstore"
)

// counter counts the bytes of a sheet and drops them.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// BenchmarkMonthlyExport writes the monthly sheet of the records
// benchmarks' company (10,000 employees x 31 days, recordsbench) as CSV
// and XLSX, on SQLite and PostgreSQL: ms an export and the peak heap
// (live and garbage, sampled every ms) while it is written, which
// includes what the benchmark itself holds (base-heap-MB). The first
// export of each store builds its punch digests, so it is made once
// before the timer starts.
func BenchmarkMonthlyExport(b *testing.B) {
	recordsbench.OnCompanies(b, 10000, func(b *testing.B, st *sqlstore.DB, c *recordsbench.Company) {
		at := c.In.Now
		now := func() time.Time { return at }
		x := &report.Exporter{Days: &dayrec.Service{Store: st, Now: now}, Store: st}
		c.In = nil // the engine's copy of the company is not the export's to hold
		for _, format := range []string{"csv", "xlsx"} {
			m, err := report.Parse(report.ReportMonthly, url.Values{"department_id": {"root"}, "from": {c.From.String()}, "to": {c.To.String()}, "format": {format}}, "zh")
			if err != nil {
				b.Fatal(err)
			}
			b.Run(format, func(b *testing.B) {
				var n counter
				if err := x.Write(context.Background(), &n, m); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.GC() // and the pools' victims
				base := recordsbench.HeapObjects()
				var peak uint64
				b.ResetTimer()
				for b.Loop() {
					n = 0
					stop := recordsbench.PeakHeap()
					if err := x.Write(context.Background(), &n, m); err != nil {
						b.Fatal(err)
					}
					peak = max(peak, stop())
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
				b.ReportMetric(float64(n)/(1<<20), "MB")
			})
		}
	})
}
