package stats_test

import (
	"context"
	"testing"
	"time"

	"punchclock/app/chart"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/httpapi/recordsbench"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/stats"
)

// BenchmarkDashboard computes the dashboard's seven charts of the records
// benchmarks' company (10,000 employees x 31 days) on SQLite and
// PostgreSQL, both ways in each iteration: "together" in one pass over
// the records (GET /report/stats, what the console asks for), "apart"
// one chart at a time (GET /report/stats/{chart} seven times); x-apart
// is apart's time over together's. The first read, which builds the
// punch digests, is made before the timer starts.
func BenchmarkDashboard(b *testing.B) {
	recordsbench.OnCompanies(b, 10000, func(b *testing.B, st *sqlstore.DB, c *recordsbench.Company) {
		at := c.In.Now
		svc := &stats.Service{Days: &dayrec.Service{Store: st, Now: func() time.Time { return at }}, Store: st}
		q := stats.Query{DepartmentID: "root", From: c.From, To: c.To}
		ctx := context.Background()
		if _, err := svc.ComputeAll(ctx, q, chart.Charts); err != nil {
			b.Fatal(err)
		}
		var together, apart time.Duration
		b.ResetTimer()
		for b.Loop() {
			t0 := time.Now()
			if _, err := svc.ComputeAll(ctx, q, chart.Charts); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			for _, name := range chart.Charts {
				q.Chart = name
				if _, err := svc.Compute(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			together, apart = together+t1.Sub(t0), apart+time.Since(t1)
		}
		b.ReportMetric(float64(together.Milliseconds())/float64(b.N), "together-ms")
		b.ReportMetric(float64(apart.Milliseconds())/float64(b.N), "apart-ms")
		b.ReportMetric(apart.Seconds()/together.Seconds(), "x-apart")
		b.ReportMetric(0, "ns/op")
	})
}
