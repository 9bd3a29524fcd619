package console

import (
	"math"

	"punchclock/app/attendance"
	"punchclock/app/chart"
)

// The ECharts options of the dashboard's charts, by the id of their
// element ("chart-" + id), made from the figures punchd answered.

type obj = map[string]any

// options are the charts' options in l.
func (v *dashboardView) options(l lang) map[string]obj {
	f := v.fig
	out := map[string]obj{}
	tooltip := obj{"trigger": "axis"}

	// Attendance rate by the chosen grain.
	rates := f.Trend.Day
	switch v.grain {
	case "week":
		rates = f.Trend.Week
	case "month":
		rates = f.Trend.Month
	}
	periods, values := []string{}, []float64{}
	for _, r := range rates {
		periods = append(periods, r.Period)
		values = append(values, r.RatePct)
	}
	out["trend"] = obj{"tooltip": tooltip, "xAxis": obj{"type": "category", "data": periods}, "yAxis": obj{"type": "value", "min": 0, "max": 100, "name": "%"},
		"series": []obj{{"type": "line", "name": l.t("dash.rate"), "data": values}}}

	// The top 10s, the first at the top.
	for id, list := range map[string][]chart.Ranked{"late": f.Ranking.Late, "early": f.Ranking.Early} {
		names, data := []string{}, []obj{}
		for i := len(list) - 1; i >= 0; i-- {
			names = append(names, list[i].Name)
			data = append(data, obj{"value": list[i].Days, "employee": list[i].EmployeeID, "minutes": list[i].Minutes})
		}
		out[id] = obj{"tooltip": tooltip, "grid": obj{"left": 130}, "xAxis": obj{"type": "value", "minInterval": 1, "name": l.t("dash.days")},
			"yAxis": obj{"type": "category", "data": names}, "series": []obj{{"type": "bar", "name": l.t("dash." + id), "data": data}}}
	}

	// Departments on a radar: rate, days late, early, absent, with
	// anomalies, overtime hours.
	keys := []string{"rate", "late", "early", "absent", "anomaly", "overtime"}
	maxes := make([]float64, len(keys))
	maxes[0] = 100
	var radar []obj
	for _, d := range f.Departments.Departments {
		vals := []float64{d.RatePct, float64(d.LateDays), float64(d.EarlyDays), float64(d.AbsentDays), float64(d.AnomalyDays), float64(d.OvertimeMin) / 60}
		for i := 1; i < len(vals); i++ {
			maxes[i] = math.Max(maxes[i], vals[i])
		}
		radar = append(radar, obj{"name": d.Name, "value": vals, "id": d.ID})
	}
	var indicators []obj
	for i, k := range keys {
		indicators = append(indicators, obj{"name": l.t("dash.m." + k), "max": math.Max(1, math.Ceil(maxes[i]))})
	}
	out["departments"] = obj{"tooltip": obj{}, "legend": obj{"bottom": 0}, "radar": obj{"indicator": indicators},
		"series": []obj{{"type": "radar", "data": radar}}}

	// Anomaly reasons: a slice opens the days behind it.
	var slices []obj
	for _, r := range f.Anomalies.Reasons {
		slices = append(slices, obj{"name": l.t("dash.reason." + string(r.Code)), "value": r.Count, "code": r.Code})
	}
	out["anomalies"] = obj{"tooltip": obj{"trigger": "item"}, "legend": obj{"type": "scroll", "bottom": 0},
		"series": []obj{{"type": "pie", "radius": []string{"35%", "65%"}, "data": slices}}}

	// Punch locations on the chosen site's plan: metres east and north of
	// its point, cells coloured by their punches, the fences drawn.
	for _, s := range f.Locations.Sites {
		if s.ID != v.site {
			continue
		}
		extent := 100.0
		var cells [][]float64
		for _, c := range s.Cells {
			cells = append(cells, []float64{c.E, c.N, float64(c.Count), float64(c.Outside)})
			extent = math.Max(extent, math.Max(math.Abs(c.E), math.Abs(c.N))+float64(f.Locations.CellM))
		}
		maxCount := 1.0
		for _, c := range cells {
			maxCount = math.Max(maxCount, c[2])
		}
		series := []obj{{"type": "scatter", "name": l.t("dash.punches"), "symbol": "rect", "symbolSize": 14, "data": cells}}
		if s.Point != nil {
			for _, fe := range s.Fences {
				ring := fenceRing(*s.Point, fe.Center, fe.RadiusM, fe.Polygon)
				for _, p := range ring {
					extent = math.Max(extent, math.Max(math.Abs(p[0]), math.Abs(p[1]))*1.1)
				}
				series = append(series, obj{"type": "line", "name": l.t("dash.fence"), "data": ring, "symbol": "none", "silent": true,
					"lineStyle": obj{"color": "#1a7f37", "width": 2}})
			}
			series = append(series, obj{"type": "scatter", "name": s.Name, "symbol": "pin", "symbolSize": 22, "data": [][]float64{{0, 0}}, "itemStyle": obj{"color": "#101418"}})
		}
		extent = math.Ceil(extent/50) * 50
		axis := func(name string, gap int) obj {
			return obj{"type": "value", "min": -extent, "max": extent, "name": name, "nameLocation": "middle", "nameGap": gap,
				"axisLabel": obj{"showMinLabel": false, "showMaxLabel": false}, "splitLine": obj{"lineStyle": obj{"type": "dashed"}}}
		}
		out["locations"] = obj{"tooltip": obj{"trigger": "item"}, "grid": obj{"left": planLeft, "right": planRight, "top": planTop, "bottom": planBottom},
			"xAxis": axis(l.t("dash.east"), 26), "yAxis": axis(l.t("dash.north"), 44),
			"visualMap": obj{"min": 0, "max": maxCount, "dimension": 2, "seriesIndex": 0, "calculable": true, "right": 0, "top": "middle",
				"inRange": obj{"color": []string{"#fff3b0", "#f4a259", "#d1495b"}}},
			"series": series}
	}

	// Overtime hours by day and day type.
	var dates []string
	byType := map[string][]float64{}
	for _, d := range f.Overtime.Days {
		dates = append(dates, d.Date.String())
		byType["workday"] = append(byType["workday"], hours(d.Workday))
		byType["rest_day"] = append(byType["rest_day"], hours(d.RestDay))
		byType["holiday"] = append(byType["holiday"], hours(d.Holiday))
	}
	var ot []obj
	for _, t := range []string{"workday", "rest_day", "holiday"} {
		ot = append(ot, obj{"type": "line", "name": l.t("dash.ot." + t), "data": byType[t]})
	}
	out["overtime"] = obj{"tooltip": tooltip, "legend": obj{"bottom": 0}, "xAxis": obj{"type": "category", "data": dates},
		"yAxis": obj{"type": "value", "name": l.t("dash.hours")}, "series": ot}

	// Punches by method and by kind of device.
	for id, list := range map[string][]chart.Count{"methods": f.Methods.Methods, "devices": f.Methods.Devices} {
		names, data := []string{}, []obj{}
		for _, x := range list {
			names = append(names, l.t("dash.k."+x.Key))
			data = append(data, obj{"value": x.Count, "key": x.Key})
		}
		out[id] = obj{"tooltip": tooltip, "xAxis": obj{"type": "category", "data": names}, "yAxis": obj{"type": "value", "minInterval": 1},
			"series": []obj{{"type": "bar", "name": l.t("dash." + id), "data": data}}}
	}
	return out
}

// hours is minutes as hours to two decimals.
func hours(min int) float64 { return math.Round(float64(min)/60*100) / 100 }

// fenceRing is a fence as a closed line on the plan around o: a
// polygon's vertices, or a circle as 48 of them.
func fenceRing(o attendance.LatLng, center *attendance.LatLng, radius float64, polygon []attendance.LatLng) [][]float64 {
	var ring [][]float64
	plan := func(p attendance.LatLng) []float64 {
		e, n := toPlane(o, p)
		return []float64{e, n}
	}
	switch {
	case center != nil && radius > 0:
		c := plan(*center)
		for i := 0; i <= 48; i++ {
			a := 2 * math.Pi * float64(i) / 48
			ring = append(ring, []float64{c[0] + radius*math.Cos(a), c[1] + radius*math.Sin(a)})
		}
	case len(polygon) > 2:
		for _, p := range polygon {
			ring = append(ring, plan(p))
		}
		ring = append(ring, ring[0])
	}
	return ring
}

// The site plan's margins around its plot, in pixels.
const planLeft, planRight, planTop, planBottom = 64, 80, 20, 50

// planScale makes the plan's metres as wide as they are high in an
// element w by h pixels (the shorter axis keeps its extent, the longer
// one shows more), and a cell of cell metres that size.
func planScale(opt obj, w, h, cell float64) {
	x, okX := opt["xAxis"].(obj)
	y, okY := opt["yAxis"].(obj)
	series, okS := opt["series"].([]obj)
	ext, okE := x["max"].(float64)
	pw, ph := w-planLeft-planRight, h-planTop-planBottom
	if !okX || !okY || !okS || !okE || pw <= 0 || ph <= 0 || len(series) == 0 {
		return
	}
	if pw > ph {
		x["min"], x["max"] = -math.Round(ext*pw/ph), math.Round(ext*pw/ph)
	} else {
		y["min"], y["max"] = -math.Round(ext*ph/pw), math.Round(ext*ph/pw)
	}
	side := math.Max(3, cell*math.Min(pw, ph)/(2*ext))
	series[0]["symbolSize"] = []float64{side, side}
}
