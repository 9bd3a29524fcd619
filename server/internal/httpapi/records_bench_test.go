package httpapi_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/httpapi/recordsbench"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/store"
)

// BenchmarkRecordsCompany reads the day records of 10,000 employees x 31
// days through GET /attendance/record, following its pages of 1,000
// employees, and of one 1,000-employee department, on SQLite and
// PostgreSQL; each iteration also times the rules engine alone on the
// same employees and punches, streamed as BenchmarkEvaluate10kx31 does
// (app/rules), so x-engine, the ratio of the two, is measured side by side.
// The records come without the punches, as a report asks for them (the
// store reads what the engine needs from its digests); cold-ms is the
// first read, which builds the digests, api-ms the reads after it.
// company-with-punches asks for the punches too, read whole.
// api-ms is the time of all pages; peak-heap-MB the highest heap (live
// and garbage, sampled every ms) while the API answers, which includes
// the benchmark's own data (base-heap-MB, measured just before) and the
// client. The -cpu-ms figures and x-engine-cpu are the process's CPU
// time in each part (PostgreSQL's own is not counted): on a shared
// machine they vary less than the elapsed times.
func BenchmarkRecordsCompany(b *testing.B) {
	recordsbench.OnCompanies(b, 10000, func(b *testing.B, st *sqlstore.DB, c *recordsbench.Company) {
		now := func() time.Time { return c.In.Now }
		const tok = "bench-admin-token"
		if err := st.PutToken(context.Background(), store.Token{Hash: httpapi.HashToken(tok), Name: "bench", Role: httpapi.RoleAdmin, CreatedAt: now()}); err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(httpapi.New(st, now, slog.New(slog.DiscardHandler), "bench").Handler())
		defer srv.Close()
		for _, q := range []struct {
			name, dept, extra string
			engine            func() *rules.Input
		}{
			{"company", "root", "", func() *rules.Input { return c.In }},
			// Reasons as codes, for a payroll system: half the bytes.
			{"company-codes", "root", "&reasons=code", func() *rules.Input { return c.In }},
			// The punches too, read whole: no digest helps.
			{"company-with-punches", "root", "&punches=true", func() *rules.Input { return c.In }},
			{"department-1000", "d3", "", func() *rules.Input {
				in := *c.In
				in.Employees = c.In.Employees[3000:4000]
				in.Punches = nil
				for _, p := range c.In.Punches {
					if p.EmployeeID >= "E03000" && p.EmployeeID < "E04000" {
						in.Punches = append(in.Punches, p)
					}
				}
				return &in
			}},
		} {
			b.Run(q.name, func(b *testing.B) {
				in := q.engine()
				var tEngine, tAPI, cEngine, cAPI time.Duration
				var size int64
				var pages int
				var peak, base uint64
				// The first read builds the store's digests of the
				// punches (store.PunchFilter.Lean); its time is cold-ms.
				t0 := time.Now()
				recordsbench.FetchAll(b, srv.URL, tok, q.dept, q.extra, c)
				cold := time.Since(t0)
				b.ResetTimer()
				for b.Loop() {
					t0, c0 := time.Now(), cpuTime()
					recs := 0
					err := rules.EvaluateStream(in, c.From, c.To, 0, func(r []rules.DayRecord) error {
						recs += len(r)
						return nil
					})
					if err != nil || recs != len(in.Employees)*(c.To.Sub(c.From)+1) {
						b.Fatal(err, recs)
					}
					t1, c1 := time.Now(), cpuTime()
					runtime.GC()
					base = max(base, recordsbench.HeapObjects())
					stop := recordsbench.PeakHeap()
					t2, c2 := time.Now(), cpuTime()
					size, pages = recordsbench.FetchAll(b, srv.URL, tok, q.dept, q.extra, c)
					tAPI, cAPI = tAPI+time.Since(t2), cAPI+cpuTime()-c2
					peak = max(peak, stop())
					tEngine, cEngine = tEngine+t1.Sub(t0), cEngine+c1-c0
				}
				n := float64(b.N)
				b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
				b.ReportMetric(cold.Seconds()/(tEngine.Seconds()/n), "x-engine-cold")
				b.ReportMetric(float64(tAPI.Milliseconds())/n, "api-ms")
				b.ReportMetric(float64(tEngine.Milliseconds())/n, "engine-ms")
				b.ReportMetric(tAPI.Seconds()/tEngine.Seconds(), "x-engine")
				b.ReportMetric(float64(cAPI.Milliseconds())/n, "api-cpu-ms")
				b.ReportMetric(float64(cEngine.Milliseconds())/n, "engine-cpu-ms")
				b.ReportMetric(cAPI.Seconds()/cEngine.Seconds(), "x-engine-cpu")
				b.ReportMetric(float64(size)/(1<<20), "MB")
				b.ReportMetric(float64(pages), "pages")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
				b.ReportMetric(0, "ns/op")
			})
		}
	})
}

// cpuTime is the CPU time the process has used, all threads (the
// server, its client and the garbage collector; not PostgreSQL's).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
