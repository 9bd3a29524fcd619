// Package recordsbench is the records benchmarks' company: 10,000
// employees and their month of punches written into a store, and a client
// that reads GET /attendance/record page by page (BenchmarkRecordsCompany
// in httpapi, BenchmarkRecordsRSS in punchd's command).
package recordsbench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime/metrics"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
)

// Company is the benchmarks' organisation: 10,000 employees in ten
// departments of 1,000 at one Shanghai site with the demo's day shift,
// and their punches of October 2026: in and out on every weekday.
type Company struct {
	In       *rules.Input
	From, To rules.Date
	Punches  int
}

// SeedCompany writes the company of n employees into st, rows inserted in bulk (the
// benchmark is about reading), and returns the engine's input for the
// same employees and punches.
func SeedCompany(b testing.TB, st *sqlstore.DB, n int) *Company {
	b.Helper()
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	c := &Company{From: rules.NewDate(2026, 10, 1), To: rules.NewDate(2026, 10, 31)}
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
	for d := c.From; d <= c.To; d++ {
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
	c.In = &rules.Input{Rules: demo.Config.Rules, Employees: emps, Departments: depts, Punches: ps, Zone: "Asia/Shanghai",
		Now: c.To.AddDays(1).At(0, loc)}
	c.Punches = len(ps)
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

// FetchAll reads every page of the department's records and returns the
// bytes and pages read.
func FetchAll(b testing.TB, base, tok, dept, extra string, c *Company) (int64, int) {
	b.Helper()
	var total int64
	cursor := ""
	for pages := 1; ; pages++ {
		url := fmt.Sprintf("%s/api/v1/attendance/record?department_id=%s&from=%s&to=%s&limit=1000%s&cursor=%s", base, dept, c.From, c.To, extra, cursor)
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

// PeakHeap samples the heap's objects (live and not yet collected) every
// millisecond until stop is called, which returns the highest sample.
func PeakHeap() (stop func() uint64) {
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

// HeapObjects is the heap's objects now, live and not yet collected.
func HeapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// OnCompanies runs f as a sub-benchmark on each store backend (SQLite and
// PostgreSQL, sqlstoretest.Backends) holding the company of n employees.
func OnCompanies(b *testing.B, n int, f func(b *testing.B, st *sqlstore.DB, c *Company)) {
	for _, be := range sqlstoretest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			st := be.Open(b)
			defer st.Close()
			f(b, st, SeedCompany(b, st, n))
		})
	}
}
