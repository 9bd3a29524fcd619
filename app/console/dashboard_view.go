package console

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/chart"
)

// render is the dashboard: the pickers, then each chart with a table of
// its numbers.
func (v *dashboardView) render(c *Console, l lang) app.UI {
	employee := c.me.User.Role == "employee"
	title := l.t("dash.title")
	if employee {
		title = l.t("dash.mine")
	}
	var pick app.UI = app.Text("")
	if !employee && len(v.depts) > 0 {
		pick = app.Div().Class("field").Body(
			app.Label().For("dash-dept").Text(l.t("dash.dept")),
			app.Select().ID("dash-dept").OnChange(v.onPick(c, &v.dept, true)).Body(app.Range(v.depts).Slice(func(i int) app.UI {
				d := v.depts[i]
				return app.Option().Value(d.ID).Selected(d.ID == v.dept).Text(d.Name)
			})),
		)
	}
	var status app.UI = app.Text("")
	switch {
	case v.err != "":
		status = app.P().ID("dash-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err))
	case v.noCharts:
		status = app.P().ID("dash-nocharts").Class("error").Attr("role", "alert").Text(l.t("dash.noCharts"))
	case v.busy || v.fig == nil:
		status = app.P().ID("dash-busy").Class("empty").Attr("aria-live", "polite").Text(l.t("loading"))
	}
	head := app.Div().Class("card").Body(
		app.H2().Text(title),
		app.Div().Class("field-row").Body(
			pick,
			app.Div().Class("field").Body(
				app.Label().For("dash-from").Text(l.t("report.from")),
				app.Input().ID("dash-from").Type("date").Value(v.from).OnChange(v.onPick(c, &v.from, true)),
			),
			app.Div().Class("field").Body(
				app.Label().For("dash-to").Text(l.t("report.to")),
				app.Input().ID("dash-to").Type("date").Value(v.to).OnChange(v.onPick(c, &v.to, true)),
			),
		),
		status,
	)
	if v.fig == nil || v.err != "" {
		return app.Section().ID("dashboard").DataSet("ready", "false").Body(head)
	}
	f := v.fig
	ready := "true"
	if v.busy {
		ready = "false"
	}
	return app.Section().ID("dashboard").DataSet("ready", ready).Body(
		head,
		app.Div().Class("charts").Body(
			v.trendCard(c, l),
			v.rankCard(l, "late", f.Ranking.Late),
			v.rankCard(l, "early", f.Ranking.Early),
			v.deptCard(l),
			v.anomalyCard(c, l),
			v.locationCard(c, l),
			v.overtimeCard(l),
			v.methodCard(l),
		),
	)
}

// card is a chart's figure: its title, the chart, a summary a screen
// reader says, and the table of its numbers.
func card(l lang, id, summary string, extra app.UI, head []string, rows [][]string) app.UI {
	return app.Figure().Class("card chart-card").ID("card-"+id).Body(
		app.H3().ID("title-"+id).Text(l.t("dash.chart."+id)),
		extra,
		app.Div().ID("chart-"+id).Class("chart").Attr("role", "img").Aria("labelledby", "title-"+id).Aria("describedby", "summary-"+id),
		app.P().ID("summary-"+id).Class("hint").Text(summary),
		app.Details().Body(
			app.Summary().Text(l.t("dash.table")),
			table(id, head, rows),
		),
	)
}

// table is a plain table of rows under head.
func table(id string, head []string, rows [][]string) app.UI {
	return app.Table().ID("table-"+id).Body(
		app.THead().Body(app.Tr().Body(app.Range(head).Slice(func(i int) app.UI { return app.Th().Scope("col").Text(head[i]) }))),
		app.TBody().Body(app.Range(rows).Slice(func(i int) app.UI {
			r := rows[i]
			return app.Tr().Body(app.Range(r).Slice(func(j int) app.UI { return app.Td().Text(r[j]) }))
		})),
	)
}

func itoa(n int) string { return strconv.Itoa(n) }

func pct(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) + "%" }

func (v *dashboardView) trendCard(c *Console, l lang) app.UI {
	rates := v.fig.Trend.Day
	switch v.grain {
	case "week":
		rates = v.fig.Trend.Week
	case "month":
		rates = v.fig.Trend.Month
	}
	var rows [][]string
	expected, present := 0, 0
	for _, r := range rates {
		rows = append(rows, []string{r.Period, itoa(r.Expected), itoa(r.Present), pct(r.RatePct)})
		expected, present = expected+r.Expected, present+r.Present
	}
	summary := l.t("dash.sum.trend", present, expected)
	grain := app.Div().Class("field").Body(
		app.Label().For("dash-grain").Text(l.t("dash.grain")),
		app.Select().ID("dash-grain").OnChange(v.onPick(c, &v.grain, false)).Body(app.Range([]string{"day", "week", "month"}).Slice(func(i int) app.UI {
			g := []string{"day", "week", "month"}[i]
			return app.Option().Value(g).Selected(g == v.grain).Text(l.t("dash.grain." + g))
		})),
	)
	return card(l, "trend", summary, grain, []string{l.t("dash.period"), l.t("dash.expected"), l.t("dash.present"), l.t("dash.rate")}, rows)
}

func (v *dashboardView) rankCard(l lang, id string, list []chart.Ranked) app.UI {
	var rows [][]string
	for i, r := range list {
		rows = append(rows, []string{itoa(i + 1), r.EmployeeID, r.Name, r.Department, itoa(r.Days), itoa(r.Minutes)})
	}
	summary := l.t("dash.sum.none")
	if len(list) > 0 {
		summary = l.t("dash.sum.rank", list[0].Name, list[0].Days, list[0].Minutes)
	}
	return card(l, id, summary, app.Text(""), []string{"#", l.t("dash.employee"), l.t("dash.name"), l.t("dash.dept"), l.t("dash.days"), l.t("dash.minutes")}, rows)
}

func (v *dashboardView) deptCard(l lang) app.UI {
	var rows [][]string
	for _, d := range v.fig.Departments.Departments {
		rows = append(rows, []string{d.Name, itoa(d.Employees), pct(d.RatePct), itoa(d.LateDays), itoa(d.EarlyDays), itoa(d.AbsentDays), itoa(d.AnomalyDays), itoa(d.OvertimeMin)})
	}
	head := []string{l.t("dash.dept"), l.t("dash.employees"), l.t("dash.m.rate"), l.t("dash.m.late"), l.t("dash.m.early"), l.t("dash.m.absent"), l.t("dash.m.anomaly"), l.t("dash.otMin")}
	return card(l, "departments", l.t("dash.sum.depts", len(rows)), app.Text(""), head, rows)
}

func (v *dashboardView) anomalyCard(c *Console, l lang) app.UI {
	var rows [][]string
	for _, r := range v.fig.Anomalies.Reasons {
		rows = append(rows, []string{l.t("dash.reason." + string(r.Code)), itoa(r.Count)})
	}
	pick := app.Div().Class("field").Body(
		app.Label().For("dash-reason").Text(l.t("dash.drill")),
		app.Select().ID("dash-reason").OnChange(v.onReason(c)).Body(
			app.Option().Value("").Selected(v.reason == "").Text("—"),
			app.Range(v.fig.Anomalies.Reasons).Slice(func(i int) app.UI {
				r := v.fig.Anomalies.Reasons[i]
				return app.Option().Value(string(r.Code)).Selected(string(r.Code) == v.reason).Text(l.t("dash.reason."+string(r.Code)) + " (" + itoa(r.Count) + ")")
			}),
		),
	)
	var drill app.UI = app.Text("")
	if v.reason != "" {
		var days [][]string
		for _, d := range v.behind {
			days = append(days, []string{d.Date.String(), d.EmployeeID, d.Name, d.Department, l.t("dash.status." + string(d.Status)), itoa(d.Minutes)})
		}
		var msg app.UI = app.Text("")
		switch {
		case v.behindErr != "":
			msg = app.P().Class("error").Attr("role", "alert").Text(l.refusal(v.behindErr))
		case v.behind == nil:
			msg = app.P().Class("empty").Text(l.t("loading"))
		}
		ready := "false"
		if v.behind != nil {
			ready = "true"
		}
		drill = app.Section().ID("drill").TabIndex(-1).DataSet("reason", v.reason).DataSet("ready", ready).Body(
			app.H4().Text(l.t("dash.behind", l.t("dash.reason."+v.reason), len(v.behind))),
			msg,
			table("drill", []string{l.t("dash.date"), l.t("dash.employee"), l.t("dash.name"), l.t("dash.dept"), l.t("dash.status"), l.t("dash.minutes")}, days),
		)
	}
	return app.Div().Body(
		card(l, "anomalies", l.t("dash.sum.anomalies", v.fig.Anomalies.Days, len(rows)), pick, []string{l.t("dash.reason"), l.t("dash.days")}, rows),
		drill,
	)
}

func (v *dashboardView) locationCard(c *Console, l lang) app.UI {
	sites := v.fig.Locations.Sites
	pick := app.Div().Class("field").Body(
		app.Label().For("dash-site").Text(l.t("dash.site")),
		app.Select().ID("dash-site").OnChange(v.onPick(c, &v.site, false)).Body(app.Range(sites).Slice(func(i int) app.UI {
			s := sites[i]
			return app.Option().Value(s.ID).Selected(s.ID == v.site).Text(s.Name)
		})),
	)
	var rows [][]string
	summary := l.t("dash.sum.none")
	for _, s := range sites {
		if s.ID != v.site {
			continue
		}
		for _, x := range s.Cells {
			rows = append(rows, []string{fmt.Sprintf("%.0f", x.E), fmt.Sprintf("%.0f", x.N), itoa(x.Count), itoa(x.Inside), itoa(x.Outside), itoa(x.Uncertain)})
		}
		summary = l.t("dash.sum.locations", s.Counts.Punches, s.Counts.Inside, s.Counts.Outside, len(s.Fences))
		if s.Point == nil {
			summary = l.t("dash.noPoint")
		}
	}
	head := []string{l.t("dash.east"), l.t("dash.north"), l.t("dash.punches"), l.t("dash.inside"), l.t("dash.outside"), l.t("dash.uncertain")}
	return card(l, "locations", summary, pick, head, rows)
}

func (v *dashboardView) overtimeCard(l lang) app.UI {
	o := v.fig.Overtime
	head := []string{l.t("dash.who"), l.t("dash.ot.workday"), l.t("dash.ot.rest_day"), l.t("dash.ot.holiday"), l.t("dash.ot.total")}
	row := func(who string, b chart.ByDayType) []string {
		return []string{who, itoa(b.Workday), itoa(b.RestDay), itoa(b.Holiday), itoa(b.Total)}
	}
	var people, depts [][]string
	for _, p := range o.People {
		people = append(people, row(p.EmployeeID+" "+p.Name, p.ByDayType))
	}
	for _, d := range o.Departments {
		depts = append(depts, row(d.Name, d.ByDayType))
	}
	summary := l.t("dash.sum.overtime", hours(o.Total.Total), o.WithAny)
	return app.Div().Body(
		card(l, "overtime", summary, app.Text(""), head, append(depts, row(l.t("dash.total"), o.Total))),
		app.Div().Class("card").ID("overtime-people").Body(
			app.H4().Text(l.t("dash.otPeople")),
			table("overtime-people", head, people),
		),
	)
}

func (v *dashboardView) methodCard(l lang) app.UI {
	var methods, devices [][]string
	for _, x := range v.fig.Methods.Methods {
		methods = append(methods, []string{l.t("dash.k." + x.Key), itoa(x.Count)})
	}
	for _, x := range v.fig.Methods.Devices {
		devices = append(devices, []string{l.t("dash.k." + x.Key), itoa(x.Count)})
	}
	summary := l.t("dash.sum.methods", v.fig.Methods.Total)
	return app.Div().Body(
		card(l, "methods", summary, app.Text(""), []string{l.t("dash.method"), l.t("dash.punches")}, methods),
		card(l, "devices", summary, app.Text(""), []string{l.t("dash.device"), l.t("dash.punches")}, devices),
	)
}
