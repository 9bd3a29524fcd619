package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/httpapi/recordsbench"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
)

// BenchmarkRecordsRSS is the records' memory target as an operator sees
// it (#10: punchd's peak RSS under 256 MB whatever the query): punchd in
// a process of its own (this test binary as punchd), on a database that
// holds the 10,000-employee company's month (440,000 punches), answers
// one kind of GET /attendance/record, every page of it, read by a client
// in the benchmark's process. Each query gets a fresh punchd, so its
// peak-rss-MB (VmHWM) is that query's alone; start-rss-MB is the peak
// before the first request. The first query also builds the punch
// digests (store.PunchFilter.Lean). BenchmarkRecordsCompany
// (httpapi) has the times next to the engine's.
func BenchmarkRecordsRSS(b *testing.B) {
	const tok = "bench-rss-token"
	for _, be := range sqlstoretest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			dsn := be.NewDB(b)
			st, err := punchd.OpenStore(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			c := recordsbench.SeedCompany(b, st.(*sqlstore.DB), 10000)
			if err := st.PutToken(ctx, store.Token{Hash: httpapi.HashToken(tok), Name: "bench", Role: httpapi.RoleAdmin, CreatedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
			st.Close()
			for _, q := range []struct{ name, dept, extra string }{
				{"company-first-read", "root", ""},
				{"company", "root", ""},
				{"company-codes", "root", "&reasons=code"},
				{"company-with-punches", "root", "&punches=true"},
				{"company-with-evidence", "root", "&evidence=true"},
				{"department-1000", "d3", ""},
			} {
				b.Run(q.name, func(b *testing.B) {
					var peak, start int64
					var size int64
					var took time.Duration
					for b.Loop() {
						p := startPunchd(b, []string{"-db", dsn, "serve", "-addr", "127.0.0.1:0", "-data", b.TempDir(), "-web", b.TempDir()})
						base := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(p.welcome(b))
						if base == nil {
							b.Fatalf("punchd printed no address:\n%s", p.output())
						}
						start = max(start, peakRSS(b, p.cmd.Process.Pid))
						t0 := time.Now()
						size, _ = recordsbench.FetchAll(b, base[1], tok, q.dept, q.extra, c)
						took += time.Since(t0)
						peak = max(peak, peakRSS(b, p.cmd.Process.Pid))
						p.kill()
					}
					b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MB")
					b.ReportMetric(float64(start)/(1<<20), "start-rss-MB")
					b.ReportMetric(float64(size)/(1<<20), "MB")
					b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "api-ms")
					b.ReportMetric(0, "ns/op")
				})
			}
		})
	}
}
