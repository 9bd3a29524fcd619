package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
)

// company is the benchmark's organisation: 10,000 employees in ten
// departments of 1,000 at one Shanghai site with the demo's day shift,
// and their punches of October 2026: in and out on every weekday.
type company struct {
	in       *rules.Input
	from, to rules.Date
	punches  int
}

// seedCompany writes the company into st, rows inserted in bulk (the
// benchmark is about reading), and returns the engine's input for the
// same employees and punches.
func seedCompany(b *testing.B, st *sqlstore.DB, n int) *company {
	b.Helper()
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	c := &company{from: rules.NewDate(2026, 10, 1), to: rules.NewDate(2026, 10, 31)}
	doc, _ := json.Marshal(demo.Config)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	_, err := st.PutSite(ctx, attendance.Site{ID: "s1", Name: "Store", Zone: "Asia/Shanghai"})
	must(err)
	_, err = st.PutRules(ctx, "", doc)
	must(err)
	depts := []attendance.Department{{ID: "root", Name: "Company"}}
	_, err = st.PutDepartment(ctx, depts[0])
	must(err)
	for d := range n / 1000 {
		depts = append(depts, attendance.Department{ID: fmt.Sprintf("d%d", d), Name: "Dept", ParentID: "root"})
		_, err = st.PutDepartment(ctx, depts[len(depts)-1])
		must(err)
	}
	tx, err := st.SQL().BeginTx(ctx, nil)
	must(err)
	emps := make([]attendance.Employee, n)
	for i := range emps {
		e := attendance.Employee{ID: fmt.Sprintf("E%05d", i), Name: "Employee", DepartmentID: fmt.Sprintf("d%d", i/1000), SiteID: "s1", Active: true}
		emps[i] = e
		_, err := tx.ExecContext(ctx, st.Rebind(`INSERT INTO employees (id, name, department_id, site_id, active, version) VALUES (?, ?, ?, ?, 1, 1)`), e.ID, e.Name, e.DepartmentID, e.SiteID)
		must(err)
	}
	_, err = tx.ExecContext(ctx, st.Rebind(`INSERT INTO devices (id, site_id, public_key, qr_secret, name, enrolled_at_ms, revoked) VALUES ('dev1', 's1', ?, ?, 'bench', 0, 0)`), make([]byte, 32), make([]byte, 16))
	must(err)
	var rows []store.StoredPunch
	var seq uint64
	flush := func() {
		must(st.InsertPunches(ctx, tx, rows))
		rows = rows[:0]
	}
	var ps []rules.Punch
	for d := c.from; d <= c.to; d++ {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for i, e := range emps {
			for _, at := range []time.Time{
				d.At(rules.NewClock(8, 40+i%30), loc),
				d.At(rules.NewClock(18, i%40), loc),
			} {
				seq++
				p := attendance.Punch{ID: fmt.Sprintf("p%08d", seq), EmployeeID: e.ID, DeviceID: "dev1", SiteID: "s1", Seq: seq,
					Method: attendance.MethodBadge, DeviceTime: at.UTC(), EstTime: at.UTC()}
				body, _ := json.Marshal(p)
				rows = append(rows, store.StoredPunch{Punch: p, Body: body, Sig: make([]byte, 64), Hash: p.ID, TrueTime: at, ReceivedAt: at, Status: store.PunchAccepted})
				ps = append(ps, rules.FromAttendance(&p, at, false, ""))
				if len(rows) == 5000 {
					flush()
				}
			}
		}
	}
	flush()
	must(tx.Commit())
	c.in = &rules.Input{Rules: demo.Config.Rules, Employees: emps, Departments: depts, Punches: ps, Zone: "Asia/Shanghai",
		Now: c.to.AddDays(1).At(0, loc)}
	c.punches = len(ps)
	return c
}

var nextCursor = regexp.MustCompile(`"next_cursor":"([^"]*)"\}\s*$`)

// tail counts what is written to it and keeps the end, where a page's
// next_cursor is: the benchmark's client holds no page whole.
type tail struct {
	n    int64
	last []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.n += int64(len(p))
	t.last = append(t.last, p...)
	if len(t.last) > 512 {
		t.last = append(t.last[:0], t.last[len(t.last)-256:]...)
	}
	return len(p), nil
}

// fetchAll reads every page of the department's records and returns the
// bytes and pages read.
func fetchAll(b *testing.B, base, tok, dept, extra string, c *company) (int64, int) {
	b.Helper()
	var total int64
	cursor := ""
	for pages := 1; ; pages++ {
		url := fmt.Sprintf("%s/api/v1/attendance/record?department_id=%s&from=%s&to=%s&limit=1000%s&cursor=%s", base, dept, c.from, c.to, extra, cursor)
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var t tail
		_, err = io.Copy(&t, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %s %v", url, resp.Status, err)
		}
		total += t.n
		m := nextCursor.FindSubmatch(t.last)
		if m == nil {
			return total, pages
		}
		cursor = string(m[1])
	}
}

// peakHeap samples the heap's objects (live and not yet collected) every
// millisecond until stop is called, which returns the highest sample.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(quit)
		<-done
		return peak
	}
}

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
	for _, be := range sqlstoretest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			st := be.Open(b)
			defer st.Close()
			c := seedCompany(b, st, 10000)
			now := func() time.Time { return c.in.Now }
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
				{"company", "root", "", func() *rules.Input { return c.in }},
				// Reasons as codes, for a payroll system: half the bytes.
				{"company-codes", "root", "&reasons=code", func() *rules.Input { return c.in }},
				// The punches too, read whole: no digest helps.
				{"company-with-punches", "root", "&punches=true", func() *rules.Input { return c.in }},
				{"department-1000", "d3", "", func() *rules.Input {
					in := *c.in
					in.Employees = c.in.Employees[3000:4000]
					in.Punches = nil
					for _, p := range c.in.Punches {
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
					fetchAll(b, srv.URL, tok, q.dept, q.extra, c)
					cold := time.Since(t0)
					b.ResetTimer()
					for b.Loop() {
						t0, c0 := time.Now(), cpuTime()
						recs := 0
						err := rules.EvaluateStream(in, c.from, c.to, 0, func(r []rules.DayRecord) error {
							recs += len(r)
							return nil
						})
						if err != nil || recs != len(in.Employees)*(c.to.Sub(c.from)+1) {
							b.Fatal(err, recs)
						}
						t1, c1 := time.Now(), cpuTime()
						runtime.GC()
						base = max(base, heapObjects())
						stop := peakHeap()
						t2, c2 := time.Now(), cpuTime()
						size, pages = fetchAll(b, srv.URL, tok, q.dept, q.extra, c)
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
}

// cpuTime is the CPU time the process has used, all threads (the
// server, its client and the garbage collector; not PostgreSQL's).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
