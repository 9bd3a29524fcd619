package consolee2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"punchclock/app/rules"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/demo"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/stats/statstest"
)

// dashboardCharts are the dashboard's charts by the id of their element
// ("chart-" + id).
var dashboardCharts = []string{"trend", "late", "early", "departments", "anomalies", "locations", "overtime", "methods", "devices"}

// TestConsoleDashboard: head office HR, the retail manager and the
// field sales employee E019 each sign in (each browser in another of the
// zone matrix's time zones, on the demo's clock) and open the dashboard
// of this month so far: every chart's numbers, read from ECharts'
// options on the page, are those the test computes from GET
// /api/v1/attendance/record for the same viewer and selection; a click
// on the anomaly pie's largest slice lists the employee-days behind it,
// the very ones of the records. The manager is offered Retail's subtree
// and the employee only themselves, and punchd refuses them the rest.
// Screenshots of the dashboard and of each chart are kept.
func TestConsoleDashboard(t *testing.T) {
	if _, err := os.Stat(filepath.Join(webDir, "vendor", "echarts.min.js")); err != nil {
		t.Fatalf("the console's charts need ECharts in web/vendor/: run make echarts (make test does): %v", err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clock := e2etest.NewClock(rules.NewDate(2026, 3, 11).At(rules.NewClock(10, 0), sh))
	s := e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "console-e2e", Now: clock.Now})
	users := map[string]auth.UserRequest{
		"u-hq":  hqAndManager["u-hq"],
		"u-mgr": hqAndManager["u-mgr"],
		"u-e19": {Login: "e19@example.com", Name: "Lin Tao", Role: auth.RoleEmployee, EmployeeID: "E019", Password: adminPassword},
	}
	for id, u := range users {
		if _, _, err := s.Main().API.Auth.PutUser(context.Background(), id, u, "e2etest"); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range []struct {
		name, login, role string
		dept              string // the department the dashboard opens on ("" for the employee)
		refuse            []string
	}{
		{"hr", "hq-hr@example.com", "hr", "hq", nil},
		{"manager", "mgr-retail@example.com", "manager", "retail", []string{"department_id=hq", "department_id=works", "employee_id=E021"}},
		{"employee", "e19@example.com", "employee", "", []string{"department_id=retail", "employee_id=E020"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			zone := e2etest.Zones[i%len(e2etest.Zones)]
			ctx := e2etest.NewBrowser(t, 4*time.Minute, "")
			clock.Install(t, ctx, 0, zone)
			openConsole(t, ctx, s.URL())
			signIn(t, ctx, v.login, adminPassword)
			e2etest.Wait(t, ctx, "signed in", fmt.Sprintf(`document.getElementById("me")?.dataset.role === %q`, v.role), 30*time.Second)
			if v.role == "employee" {
				var nav []string
				e2etest.Eval(t, ctx, `[...document.querySelectorAll("nav .tab")].map(b => b.id)`, &nav)
				if !slices.Equal(nav, []string{"nav-dashboard"}) {
					t.Errorf("the employee's sections: %v, want the dashboard only", nav)
				}
			} else {
				e2etest.Tap(t, ctx, "open the dashboard", "#nav-dashboard")
			}
			checkDashboard(t, ctx, v.name, v.dept, zone)
			if v.role == "manager" {
				var offered []string
				e2etest.Eval(t, ctx, `[...document.querySelectorAll("#dash-dept option")].map(o => o.value)`, &offered)
				if slices.Contains(offered, "hq") || slices.Contains(offered, "works") || !slices.Contains(offered, "retail") {
					t.Errorf("the manager is offered %v", offered)
				}
			}
			var calls []apiCall
			for _, q := range v.refuse {
				calls = append(calls, apiCall{Method: "GET", Path: "/api/v1/report/stats/trend?from=2026-03-01&to=2026-03-10&" + q})
			}
			if len(calls) > 0 {
				refused(t, ctx, calls, "E021", "E020", "works", "Workshop")
			}
			if v.role == "hr" {
				// Retail picked: the charts follow, numbers checked again; and
				// the dashboard in Chinese.
				choose(t, ctx, "dash-dept", "retail")
				checkDashboard(t, ctx, "hr-retail", "retail", zone)
				shotsEnZh(t, ctx, "dashboard", `document.getElementById("title-trend")?.textContent === "出勤率"`)
			}
		})
	}
}

// chartOptions are what the test reads of the charts' ECharts options.
type chartOptions map[string]struct {
	XAxis  []struct{ Data []string } `json:"xAxis"`
	YAxis  []struct{ Data []string } `json:"yAxis"`
	Series []struct {
		Name string            `json:"name"`
		Data []json.RawMessage `json:"data"`
	} `json:"series"`
}

// checkDashboard waits for the dashboard of dept (the employee's own
// for "") to be drawn, reads each chart's figures from ECharts and checks
// them against the records of the same selection, clicks the anomaly
// pie's largest slice and checks the days it lists, and keeps
// screenshots (dashboard-NAME.png, dashboard-NAME-CHART.png).
func checkDashboard(t *testing.T, ctx context.Context, name, dept, zone string) {
	t.Helper()
	drawn := `document.getElementById("dashboard")?.dataset.ready === "true" && !!window.echarts && ` +
		fmt.Sprintf(`%q.split(" ").every(id => { const el = document.getElementById("chart-" + id); const c = el && echarts.getInstanceByDom(el); return !!c && !!c.getOption().series; })`, strings.Join(dashboardCharts, " "))
	if dept != "" {
		drawn += fmt.Sprintf(` && document.getElementById("dash-dept")?.value === %q && (document.getElementById("dashboard").dataset.drawn || "").includes("department_id=%s&")`, dept, dept)
	} else {
		drawn += ` && (document.getElementById("dashboard").dataset.drawn || "").includes("employee_id=E019&")`
	}
	e2etest.Wait(t, ctx, "the dashboard drawn", drawn, 60*time.Second)

	// The period is this month so far by the page's clock in its zone.
	var period []string
	e2etest.Eval(t, ctx, `[document.getElementById("dash-from").value, document.getElementById("dash-to").value,
		(() => { const d = new Date(), p = n => String(n).padStart(2, "0"); return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()); })()]`, &period)
	if len(period) != 3 || period[0] != period[2][:8]+"01" || period[1] != period[2] || !strings.HasPrefix(period[0], "2026-03") {
		t.Fatalf("%s (%s): the period %v, want this month so far on the test clock", name, zone, period)
	}
	sel := "department_id=" + dept
	if dept == "" {
		sel = "employee_id=E019"
	}
	q := sel + "&from=" + period[0] + "&to=" + period[1]

	// The records, as the page's viewer reads them.
	var recs struct {
		Records []rules.DayRecord `json:"records"`
		Punches []struct {
			ID       string          `json:"id"`
			Location json.RawMessage `json:"location"`
		} `json:"punches"`
		Next string `json:"next_cursor"`
	}
	var raw string
	e2etest.Run(t, ctx, "read the records", chromedp.Evaluate(`fetch("/api/v1/attendance/record?punches=true&`+q+`").then(r => r.text())`, &raw, awaitPromise))
	if err := json.Unmarshal([]byte(raw), &recs); err != nil || recs.Next != "" || len(recs.Records) == 0 {
		t.Fatalf("%s: the records of %s: %v %.300s", name, q, err, raw)
	}
	located := map[string]bool{}
	for _, p := range recs.Punches {
		located[p.ID] = len(p.Location) > 0 && string(p.Location) != "null"
	}
	deptOf := map[string]string{}
	for _, e := range demo.Employees() {
		deptOf[e.ID] = e.DepartmentID
	}
	f := statstest.Compute(recs.Records, located, deptOf)

	// The charts' options, as ECharts holds them.
	var js string
	e2etest.Eval(t, ctx, fmt.Sprintf(`JSON.stringify(Object.fromEntries(%q.split(" ").map(id => [id, echarts.getInstanceByDom(document.getElementById("chart-" + id)).getOption()])))`, strings.Join(dashboardCharts, " ")), &js)
	var opt chartOptions
	if err := json.Unmarshal([]byte(js), &opt); err != nil {
		t.Fatalf("%s: the charts' options: %v", name, err)
	}
	num := func(r json.RawMessage) float64 {
		var x float64
		if json.Unmarshal(r, &x) == nil {
			return x
		}
		var o struct{ Value float64 }
		json.Unmarshal(r, &o)
		return o.Value
	}
	item := func(r json.RawMessage) map[string]any {
		var o map[string]any
		json.Unmarshal(r, &o)
		return o
	}

	// Attendance rate by day.
	tr := opt["trend"]
	from, _ := rules.ParseDate(period[0])
	to, _ := rules.ParseDate(period[1])
	if len(tr.Series) != 1 || len(tr.XAxis) != 1 || len(tr.XAxis[0].Data) != to.Sub(from)+1 || len(tr.Series[0].Data) != len(tr.XAxis[0].Data) {
		t.Fatalf("%s: the trend's option %+v", name, tr)
	}
	expected := 0
	for i, day := range tr.XAxis[0].Data {
		d, _ := rules.ParseDate(day)
		want := 0.0
		if f.Expected[d] > 0 {
			want = math.Round(1000*float64(f.Present[d])/float64(f.Expected[d])) / 10
		}
		if d != from.AddDays(i) || num(tr.Series[0].Data[i]) != want {
			t.Errorf("%s: the trend's %s: %v, the records %d of %d (%v)", name, day, num(tr.Series[0].Data[i]), f.Present[d], f.Expected[d], want)
		}
		expected += f.Expected[d]
	}
	if expected == 0 {
		t.Errorf("%s: no expected day in %s", name, q)
	}

	// The top 10s: days, employee and minutes of each bar.
	for id, want := range map[string]map[string][2]int{"late": f.Late, "early": f.Early} {
		bars := opt[id].Series[0].Data
		if len(bars) != min(len(want), 10) {
			t.Errorf("%s: %s: %d bars, the records %d people", name, id, len(bars), len(want))
		}
		for _, b := range bars {
			o := item(b)
			emp, _ := o["employee"].(string)
			if w := want[emp]; float64(w[0]) != num(b) || float64(w[1]) != o["minutes"] {
				t.Errorf("%s: %s bar %v, the records %v", name, id, o, w)
			}
		}
	}
	if dept != "" && (len(opt["late"].Series[0].Data) == 0 || len(opt["early"].Series[0].Data) == 0) {
		t.Errorf("%s: nobody late or nobody early in %s", name, q)
	}

	// Departments on the radar: rate, late, early, absent.
	radar := opt["departments"].Series[0].Data
	if len(radar) != len(f.ByDept) {
		t.Errorf("%s: %d departments on the radar, the records %d", name, len(radar), len(f.ByDept))
	}
	for _, r := range radar {
		var d struct {
			ID    string
			Value []float64
		}
		json.Unmarshal(r, &d)
		w := f.ByDept[d.ID]
		if w == nil || len(d.Value) != 6 {
			t.Errorf("%s: radar %+v", name, d)
			continue
		}
		rate := 0.0
		if w.Expected > 0 {
			rate = math.Round(1000*float64(w.Present)/float64(w.Expected)) / 10
		}
		if got := d.Value[:4]; !slices.Equal(got, []float64{rate, float64(w.Late), float64(w.Early), float64(w.Absent)}) || d.Value[5] != float64(w.OT)/60 {
			t.Errorf("%s: radar %s %v, the records %+v", name, d.ID, d.Value, *w)
		}
	}

	// Anomaly reasons (the demo's field sales staff punch outside the
	// store's fence).
	if f.Reasons[rules.AnomalyOutOfFence] == 0 {
		t.Errorf("%s: no day out of the fence in %s: %v", name, q, f.Reasons)
	}
	pie := opt["anomalies"].Series[0].Data
	largest, most := "", 0.0
	if len(pie) != len(f.Reasons) {
		t.Errorf("%s: %d slices, the records %d reasons %v", name, len(pie), len(f.Reasons), f.Reasons)
	}
	for _, p := range pie {
		code, _ := item(p)["code"].(string)
		if num(p) != float64(f.Reasons[rules.AnomalyCode(code)]) {
			t.Errorf("%s: slice %s %v, the records %d", name, code, num(p), f.Reasons[rules.AnomalyCode(code)])
		}
		if num(p) > most {
			largest, most = code, num(p)
		}
	}

	// Punch locations: cells' counts and those outside the fence.
	var cells, outside float64
	for _, c := range opt["locations"].Series[0].Data {
		var v []float64
		json.Unmarshal(c, &v)
		if len(v) == 4 {
			cells, outside = cells+v[2], outside+v[3]
		}
	}
	if int(cells) != f.Located || int(outside) != f.Verdicts[rules.Outside] || f.Located == 0 {
		t.Errorf("%s: %v punches on the plan, %v outside; the records %d, %v", name, cells, outside, f.Located, f.Verdicts)
	}
	fences := 0
	for _, se := range opt["locations"].Series {
		if se.Name == "Geofence" {
			fences++
		}
	}
	if fences != 1 {
		t.Errorf("%s: %d fences drawn on the plan, want the store's", name, fences)
	}

	// Overtime hours by day and day type.
	ot := opt["overtime"]
	for k, typ := range []rules.DayType{rules.DayWorkday, rules.DayRest, rules.DayHoliday} {
		for i, h := range ot.Series[k].Data {
			d := from.AddDays(i)
			if want := math.Round(float64(f.OvertimeByDay[d][typ])/60*100) / 100; num(h) != want {
				t.Errorf("%s: overtime %s on %s: %v h, the records %v", name, typ, d, num(h), want)
			}
		}
	}
	if dept != "" && (f.Overtime[rules.DayWorkday] == 0 || f.Overtime[rules.DayRest] == 0) {
		t.Errorf("%s: the demo shows no workday or rest-day overtime: %v", name, f.Overtime)
	}

	// Methods and devices.
	total := 0.0
	for _, m := range opt["methods"].Series[0].Data {
		key, _ := item(m)["key"].(string)
		if num(m) != float64(f.Methods[key]) {
			t.Errorf("%s: method %s %v, the records %d", name, key, num(m), f.Methods[key])
		}
	}
	for _, m := range opt["devices"].Series[0].Data {
		total += num(m)
	}
	if int(total) != f.Punches || f.Methods["gps"] == 0 {
		t.Errorf("%s: %v punches by device, the records %d (%v)", name, total, f.Punches, f.Methods)
	}

	// A click on the largest slice lists its days.
	if largest != "" {
		clickSlice(t, ctx, largest)
		e2etest.Wait(t, ctx, "the days behind "+largest, fmt.Sprintf(`document.getElementById("drill")?.dataset.reason === %q && document.getElementById("drill").dataset.ready === "true"`, largest), 30*time.Second)
		var rows []string
		e2etest.Eval(t, ctx, `[...document.querySelectorAll("#table-drill tbody tr")].map(r => r.cells[1].textContent + " " + r.cells[0].textContent)`, &rows)
		if want := f.ReasonDays[rules.AnomalyCode(largest)]; !slices.Equal(rows, want) {
			t.Errorf("%s: the days behind %s: %v, the records %v", name, largest, rows, want)
		}
	}

	// By week and by month: the rate of the days of each.
	for _, grain := range []string{"week", "month"} {
		choose(t, ctx, "dash-grain", grain)
		e2etest.Wait(t, ctx, "the trend by "+grain, `(document.getElementById("dashboard").dataset.drawn || "").includes("grain=`+grain+`")`, 10*time.Second)
		var got struct {
			Periods []string  `json:"periods"`
			Rates   []float64 `json:"rates"`
		}
		e2etest.Eval(t, ctx, `(() => { const o = echarts.getInstanceByDom(document.getElementById("chart-trend")).getOption(); return {periods: o.xAxis[0].data, rates: o.series[0].data}; })()`, &got)
		var periods []string
		var rates []float64
		sums := map[string][2]int{}
		for d := from; d <= to; d = d.AddDays(1) {
			p := period[0][:7]
			if grain == "week" {
				y, w := d.At(rules.NewClock(12, 0), time.UTC).ISOWeek()
				p = fmt.Sprintf("%d-W%02d", y, w)
			}
			if !slices.Contains(periods, p) {
				periods = append(periods, p)
			}
			sums[p] = [2]int{sums[p][0] + f.Expected[d], sums[p][1] + f.Present[d]}
		}
		for _, p := range periods {
			r := 0.0
			if sums[p][0] > 0 {
				r = math.Round(1000*float64(sums[p][1])/float64(sums[p][0])) / 10
			}
			rates = append(rates, r)
		}
		if !slices.Equal(got.Periods, periods) || !slices.Equal(got.Rates, rates) {
			t.Errorf("%s: the trend by %s: %v %v, the records %v %v", name, grain, got.Periods, got.Rates, periods, rates)
		}
	}
	choose(t, ctx, "dash-grain", "day")

	// The keyboard's way to a reason's days: picked from the list, the
	// days listed and the focus on them.
	if smallest := f.Reasons; len(smallest) > 1 {
		var code rules.AnomalyCode
		for c, n := range smallest {
			if code == "" || n < smallest[code] || n == smallest[code] && c < code {
				code = c
			}
		}
		choose(t, ctx, "dash-reason", string(code))
		e2etest.Wait(t, ctx, "the days behind "+string(code)+", focused", fmt.Sprintf(`document.getElementById("drill")?.dataset.reason === %q && document.getElementById("drill").dataset.ready === "true" && document.activeElement?.id === "drill"`, code), 30*time.Second)
		var rows []string
		e2etest.Eval(t, ctx, `[...document.querySelectorAll("#table-drill tbody tr")].map(r => r.cells[1].textContent + " " + r.cells[0].textContent)`, &rows)
		if want := f.ReasonDays[code]; !slices.Equal(rows, want) {
			t.Errorf("%s: the days behind %s: %v, the records %v", name, code, rows, want)
		}
	}

	t.Logf("%s (%s): %s: %d employee-days checked, %d expected, %d late, %d early, reasons %v, %d punches (%d located), overtime %v",
		name, zone, q, len(recs.Records), expected, len(f.Late), len(f.Early), f.Reasons, f.Punches, f.Located, f.Overtime)
	keepShot(t, ctx, "dashboard-"+name+".png")
	for _, id := range dashboardCharts {
		keepElementShot(t, ctx, "#card-"+id, "dashboard-"+name+"-"+id+".png")
	}
}

// clickSlice clicks, with the mouse, the middle of the anomaly pie's
// slice of code, where ECharts laid it out.
func clickSlice(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	e2etest.Run(t, ctx, "scroll to the pie", chromedp.ScrollIntoView("#chart-anomalies", chromedp.ByQuery))
	var at []float64
	e2etest.Eval(t, ctx, fmt.Sprintf(`(() => {
		const el = document.getElementById("chart-anomalies"), r = el.getBoundingClientRect(), chart = echarts.getInstanceByDom(el);
		const data = chart.getModel().getSeriesByIndex(0).getData();
		for (let i = 0; i < data.count(); i++) {
			if (data.getRawDataItem(i).code !== %q) continue;
			const l = data.getItemLayout(i), mid = (l.startAngle + l.endAngle) / 2, radius = (l.r0 + l.r) / 2;
			return [r.left + l.cx + radius * Math.cos(mid), r.top + l.cy + radius * Math.sin(mid)];
		}
		return [];
	})()`, code), &at)
	if len(at) != 2 {
		t.Fatalf("no slice %s", code)
	}
	e2etest.Run(t, ctx, "click the slice "+code, chromedp.MouseEvent(input.MouseMoved, at[0], at[1]), chromedp.MouseClickXY(at[0], at[1]))
}

// keepElementShot keeps a screenshot of the element sel as the artefact
// var/artefacts/name.
func keepElementShot(t *testing.T, ctx context.Context, sel, name string) {
	t.Helper()
	root, err := e2etest.Root()
	if err != nil {
		t.Fatal(err)
	}
	var png []byte
	e2etest.Run(t, ctx, "screenshot "+sel, chromedp.ScrollIntoView(sel, chromedp.ByQuery), chromedp.Screenshot(sel, &png, chromedp.ByQuery))
	dir := filepath.Join(root, "var", "artefacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
