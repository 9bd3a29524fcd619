package httpapi_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"punchclock/app/chart"
	"punchclock/app/rules"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/stats/statstest"
)

// statsRecords is what GET /attendance/record answers for q (one page:
// the demo is small), with the punches' locations.
func statsRecords(t *testing.T, base, tok, q string) ([]rules.DayRecord, map[string]bool) {
	t.Helper()
	var got struct {
		Records []rules.DayRecord `json:"records"`
		Punches []struct {
			ID       string `json:"id"`
			Location *struct{ Lat, Lng float64 }
		} `json:"punches"`
		Next string `json:"next_cursor"`
	}
	if st, body := do(t, "GET", base+"/api/v1/attendance/record?punches=true&"+q, tok, nil, &got); st != 200 || got.Next != "" {
		t.Fatalf("records %s: %d %s", q, st, body)
	}
	located := map[string]bool{}
	for _, p := range got.Punches {
		located[p.ID] = p.Location != nil
	}
	return got.Records, located
}

// TestReportStats: each chart of GET /report/stats/{chart} shows the
// figures the test computes itself from the records of the same
// selection (the demo's retail department and E006, the week of the demo
// punches), the anomalies' drill-down lists the employee-days behind
// each reason, and bad queries are refused in words.
func TestReportStats(t *testing.T) {
	base, admin := demoServer(t)
	deptOf := map[string]string{}
	for _, e := range demo.Employees() {
		deptOf[e.ID] = e.DepartmentID
	}
	for _, sel := range []string{"department_id=retail", "department_id=hq", "employee_id=E006"} {
		q := sel + "&from=2026-11-14&to=2026-11-20"
		recs, located := statsRecords(t, base, admin, q)
		f := statstest.Compute(recs, located, deptOf)
		get := func(chart string, out any) {
			t.Helper()
			sep := "?"
			if strings.Contains(chart, "?") {
				sep = "&"
			}
			if st, body := do(t, "GET", base+"/api/v1/report/stats/"+chart+sep+q, admin, nil, out); st != 200 {
				t.Fatalf("%s %s: %d %s", chart, q, st, body)
			}
		}

		var trend struct {
			Day []struct {
				Period            string
				Expected, Present int
				RatePct           float64 `json:"rate_pct"`
			}
			Week, Month []struct{ Expected, Present int }
		}
		get("trend", &trend)
		total := [2]int{}
		for _, d := range trend.Day {
			date, _ := rules.ParseDate(d.Period)
			if d.Expected != f.Expected[date] || d.Present != f.Present[date] {
				t.Errorf("%s: trend %s: %d of %d present, the records say %d of %d", sel, d.Period, d.Present, d.Expected, f.Present[date], f.Expected[date])
			}
			total[0], total[1] = total[0]+d.Expected, total[1]+d.Present
		}
		if len(trend.Day) != 7 || len(trend.Month) != 1 || trend.Month[0].Expected != total[0] || trend.Month[0].Present != total[1] || len(trend.Week) != 2 {
			t.Errorf("%s: trend %+v", sel, trend)
		}
		if total[0] == 0 {
			t.Errorf("%s: no expected days", sel)
		}

		var rank struct {
			Late, Early []struct {
				EmployeeID    string `json:"employee_id"`
				Days, Minutes int
			}
		}
		get("ranking", &rank)
		for name, list := range map[string][]struct {
			EmployeeID    string `json:"employee_id"`
			Days, Minutes int
		}{"late": rank.Late, "early": rank.Early} {
			want := f.Late
			if name == "early" {
				want = f.Early
			}
			if len(list) != min(len(want), 10) {
				t.Errorf("%s: %s top: %d people, the records %d", sel, name, len(list), len(want))
			}
			for i, x := range list {
				if w := want[x.EmployeeID]; w != [2]int{x.Days, x.Minutes} || i > 0 && list[i-1].Days < x.Days {
					t.Errorf("%s: %s top %d: %+v, the records %v", sel, name, i, x, w)
				}
			}
		}
		if sel == "department_id=retail" && (len(rank.Late) == 0 || len(rank.Early) == 0 || f.Reasons[rules.AnomalyOutOfFence] == 0 || f.Overtime[rules.DayRest] == 0) {
			t.Errorf("retail: the demo week shows late %v, early %v, reasons %v, overtime %v", rank.Late, rank.Early, f.Reasons, f.Overtime)
		}

		var anom struct {
			Reasons []struct {
				Code  rules.AnomalyCode
				Count int
			}
		}
		get("anomalies", &anom)
		if len(anom.Reasons) != len(f.Reasons) {
			t.Errorf("%s: reasons %+v, the records %v", sel, anom.Reasons, f.Reasons)
		}
		for _, r := range anom.Reasons {
			if r.Count != f.Reasons[r.Code] {
				t.Errorf("%s: %s: %d, the records %d", sel, r.Code, r.Count, f.Reasons[r.Code])
			}
			var days struct {
				Reason string
				Days   []struct {
					EmployeeID string     `json:"employee_id"`
					Date       rules.Date `json:"date"`
				}
			}
			get("anomalies?reason="+url.QueryEscape(string(r.Code)), &days)
			var got []string
			for _, d := range days.Days {
				got = append(got, d.EmployeeID+" "+d.Date.String())
			}
			if strings.Join(got, ",") != strings.Join(f.ReasonDays[r.Code], ",") || days.Reason != string(r.Code) {
				t.Errorf("%s: the days behind %s: %v, the records %v", sel, r.Code, got, f.ReasonDays[r.Code])
			}
		}

		var ot struct {
			Total struct{ Workday, RestDay, Holiday, Total int } `json:"total"`
			Days  []struct{ Total int }
		}
		get("overtime", &ot)
		if ot.Total.Workday != f.Overtime[rules.DayWorkday] || ot.Total.Total != f.Overtime[rules.DayWorkday]+f.Overtime[rules.DayRest]+f.Overtime[rules.DayHoliday] || len(ot.Days) != 7 {
			t.Errorf("%s: overtime %+v, the records %v", sel, ot.Total, f.Overtime)
		}

		var m struct {
			Methods, Devices []struct {
				Key   string
				Count int
			}
			Total int
		}
		get("methods", &m)
		sum := 0
		for _, x := range m.Methods {
			if x.Count != f.Methods[x.Key] {
				t.Errorf("%s: method %s: %d, the records %d", sel, x.Key, x.Count, f.Methods[x.Key])
			}
		}
		for _, x := range m.Devices {
			sum += x.Count
		}
		if m.Total != f.Punches || sum != f.Punches || f.Punches == 0 {
			t.Errorf("%s: %d punches (%d by device), the records use %d", sel, m.Total, sum, f.Punches)
		}

		var loc struct {
			Sites []struct {
				ID     string
				Counts struct{ Punches, Inside, Outside int }
			}
			Unplaced int
		}
		get("locations", &loc)
		n, in, out := loc.Unplaced, 0, 0
		for _, s := range loc.Sites {
			n, in, out = n+s.Counts.Punches, in+s.Counts.Inside, out+s.Counts.Outside
		}
		if n != f.Located || in != f.Verdicts[rules.Inside] || out != f.Verdicts[rules.Outside] {
			t.Errorf("%s: %d located punches (%d in, %d out), the records %d (%v)", sel, n, in, out, f.Located, f.Verdicts)
		}

		var dept struct {
			Departments []struct {
				ID                           string
				Employees, Expected, Present int
				LateDays                     int `json:"late_days"`
				AbsentDays                   int `json:"absent_days"`
			}
		}
		get("departments", &dept)
		for _, d := range dept.Departments {
			w := f.ByDept[d.ID]
			if w == nil || d.Employees != len(w.Employees) || d.Expected != w.Expected || d.Present != w.Present || d.LateDays != w.Late || d.AbsentDays != w.Absent {
				t.Errorf("%s: department %+v, the records %+v", sel, d, w)
			}
		}
		if len(dept.Departments) != len(f.ByDept) {
			t.Errorf("%s: %d departments, the records %d", sel, len(dept.Departments), len(f.ByDept))
		}
	}

	for _, tc := range []struct{ path, code string }{
		{"nothing?department_id=retail&from=2026-11-16", "not_found"},
		{"trend?from=2026-11-16", "invalid"},
		{"trend?department_id=retail&employee_id=E006&from=2026-11-16", "invalid"},
		{"trend?department_id=retail&from=2026-11-31", "invalid"},
		{"trend?department_id=retail&from=2026-11-16&to=2026-11-15", "invalid"},
		{"trend?department_id=retail&from=2026-10-01&to=2026-12-31", "invalid"},
		{"trend?department_id=retail&from=2026-11-16&reason=late", "invalid"},
		{"anomalies?department_id=retail&from=2026-11-16&reason=overtime", "invalid"},
		{"anomalies?department_id=re%00tail&from=2026-11-16", "invalid"},
		{"anomalies?department_id=%ff&from=2026-11-16", "invalid"},
		{"trend?department_id=nowhere&from=2026-11-16", "not_found"},
	} {
		st, body := do(t, "GET", base+"/api/v1/report/stats/"+tc.path, admin, nil, nil)
		if !strings.Contains(body, fmt.Sprintf(`"code":%q`, tc.code)) || st < 400 {
			t.Errorf("%s: %d %s, want %s", tc.path, st, body, tc.code)
		}
	}
}

// TestReportStatsAll: the dashboard's one request answers each chart
// exactly as its own GET /report/stats/{chart} does, every chart or
// those named; an unknown chart name is refused.
func TestReportStatsAll(t *testing.T) {
	base, admin := demoServer(t)
	for _, sel := range []string{"department_id=retail", "employee_id=E019"} {
		q := sel + "&from=2026-11-14&to=2026-11-20"
		var all map[string]any
		if st, body := do(t, "GET", base+"/api/v1/report/stats?"+q, admin, nil, &all); st != 200 {
			t.Fatalf("%s: %d %s", q, st, body)
		}
		if len(all) != len(chart.Charts) {
			t.Errorf("%s: %d charts, want %d", q, len(all), len(chart.Charts))
		}
		for _, name := range chart.Charts {
			var one any
			if st, body := do(t, "GET", base+"/api/v1/report/stats/"+name+"?"+q, admin, nil, &one); st != 200 {
				t.Fatalf("%s %s: %d %s", name, q, st, body)
			}
			if !reflect.DeepEqual(all[name], one) {
				t.Errorf("%s %s: together %v\nalone %v", name, q, all[name], one)
			}
		}
		var some map[string]any
		if st, body := do(t, "GET", base+"/api/v1/report/stats?charts=methods,trend&"+q, admin, nil, &some); st != 200 || len(some) != 2 || some["methods"] == nil || some["trend"] == nil {
			t.Errorf("%s: two charts: %d %s", q, st, body)
		}
	}
	if st, body := do(t, "GET", base+"/api/v1/report/stats?charts=trend,pie&department_id=retail&from=2026-11-14&to=2026-11-20", admin, nil, nil); st != 400 || !strings.Contains(body, "pie") {
		t.Errorf("an unknown chart: %d %s", st, body)
	}
}
