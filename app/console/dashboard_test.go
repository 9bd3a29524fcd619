package console

import (
	"math"
	"testing"

	"punchclock/app/attendance"
	"punchclock/app/chart"
	"punchclock/app/rules"
)

// TestDashboardOptions: the charts' options carry punchd's figures as
// they are (the trend by the chosen grain, the pie's slices with their
// codes, overtime in hours by day type), the fences are closed rings on
// the plan at their size, and the plan is drawn to scale.
func TestDashboardOptions(t *testing.T) {
	o := attendance.LatLng{Lat: 31.2243, Lng: 121.4468}
	f := &figures{}
	f.Trend.Day = []chart.Rate{{Period: "2026-03-02", Expected: 4, Present: 3, RatePct: 75}, {Period: "2026-03-03", Expected: 4, Present: 4, RatePct: 100}}
	f.Trend.Week = []chart.Rate{{Period: "2026-W10", Expected: 8, Present: 7, RatePct: 87.5}}
	f.Anomalies.Reasons = []chart.ReasonCount{{Code: rules.AnomalyLate, Count: 2}, {Code: rules.AnomalyOutOfFence, Count: 1}}
	f.Overtime.Days = []chart.OvertimeDay{{Date: rules.NewDate(2026, 3, 2), ByDayType: chart.ByDayType{Workday: 90, Total: 90}}, {Date: rules.NewDate(2026, 3, 7), ByDayType: chart.ByDayType{RestDay: 270, Total: 270}}}
	f.Locations.CellM = 10
	f.Locations.Sites = []chart.PlanSite{{ID: "sh", Name: "Store", Point: &o, Fences: []attendance.Fence{{Center: &o, RadiusM: 150}},
		Cells: []chart.Cell{{E: 25, N: 5, Count: 2, Inside: 2}, {E: 445, N: -5, Count: 1, Outside: 1}}}}
	v := &dashboardView{fig: f, grain: "day", site: "sh"}

	opts := v.options("en")
	if got := opts["trend"]["series"].([]obj)[0]["data"].([]float64); len(got) != 2 || got[0] != 75 || got[1] != 100 {
		t.Errorf("trend by day %v", got)
	}
	v.grain = "week"
	if got := v.options("zh")["trend"]["series"].([]obj)[0]["data"].([]float64); len(got) != 1 || got[0] != 87.5 {
		t.Errorf("trend by week %v", got)
	}
	pie := opts["anomalies"]["series"].([]obj)[0]["data"].([]obj)
	if len(pie) != 2 || pie[0]["code"] != rules.AnomalyLate || pie[0]["value"] != 2 || pie[1]["name"] != "Outside the geofence" {
		t.Errorf("pie %v", pie)
	}
	ot := opts["overtime"]["series"].([]obj)
	if w, r := ot[0]["data"].([]float64), ot[1]["data"].([]float64); w[0] != 1.5 || r[1] != 4.5 || w[1] != 0 {
		t.Errorf("overtime hours %v %v", w, r)
	}

	plan := opts["locations"]
	series := plan["series"].([]obj)
	ring := series[1]["data"].([][]float64)
	if first, last := ring[0], ring[len(ring)-1]; math.Abs(first[0]-last[0]) > 1e-6 || math.Abs(first[1]-last[1]) > 1e-6 {
		t.Errorf("the fence is not closed: %v ... %v", first, last)
	}
	for _, p := range ring {
		if r := math.Hypot(p[0], p[1]); math.Abs(r-150) > 0.01 {
			t.Fatalf("a point of the fence %v m from the point, want 150", r)
		}
	}
	ext := plan["xAxis"].(obj)["max"].(float64)
	if ext < 445 {
		t.Errorf("the plan's extent %v leaves out the cell 445 m east", ext)
	}
	planScale(plan, 1200+planLeft+planRight, 600+planTop+planBottom, 10)
	if x, y := plan["xAxis"].(obj)["max"].(float64), plan["yAxis"].(obj)["max"].(float64); x != 2*y || y != ext {
		t.Errorf("the plan 1200 by 600 px shows ±%v m by ±%v m, want twice as wide as high", x, y)
	}
	if size := series[0]["symbolSize"].([]float64); math.Abs(size[0]-10*600/(2*ext)) > 1e-9 {
		t.Errorf("a cell is %v px, want %v", size, 10*600/(2*ext))
	}
}
