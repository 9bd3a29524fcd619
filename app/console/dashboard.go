package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/chart"
)

// The dashboard: the charts of GET /api/v1/report/stats (all seven in one
// request) for a period and a department (an employee: themselves), drawn by Apache
// ECharts, which punchd serves from web/vendor/ (fetched at build time)
// and the console loads only when the dashboard opens. punchd scopes the
// figures as it scopes the records; the console offers the departments
// GET /api/v1/departments lists for the viewer. Every chart has a table
// of its numbers beside it, for keyboard and screen reader users.

// echartsURL is where punchd serves ECharts (make echarts).
const echartsURL = "/web/vendor/echarts.min.js"

// figures are the answers of the seven charts.
type figures struct {
	Trend       chart.TrendAnswer       `json:"trend"`
	Ranking     chart.RankingAnswer     `json:"ranking"`
	Departments chart.DepartmentsAnswer `json:"departments"`
	Anomalies   chart.AnomaliesAnswer   `json:"anomalies"`
	Locations   chart.LocationsAnswer   `json:"locations"`
	Overtime    chart.OvertimeAnswer    `json:"overtime"`
	Methods     chart.MethodsAnswer     `json:"methods"`
}

// dashDept is a department the dashboard offers.
type dashDept struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id"`
}

// dashboardView is the dashboard's state.
type dashboardView struct {
	started bool
	depts   []dashDept
	dept    string // the department shown ("" for an employee: themselves)
	from    string
	to      string
	grain   string // the trend's: day, week or month
	site    string // the location plan's site

	busy bool
	err  string
	fig  *figures
	// query is the selection fig answers (employee_id= or department_id=,
	// from and to), for the drill-down.
	query url.Values

	reason    string // the anomaly reason whose days are listed
	behind    []chart.EmployeeDay
	behindErr string

	loaded   bool // ECharts is on the page
	noCharts bool // its script did not load: the tables still tell
	onSlice  app.Func
}

// start lists the viewer's departments (an employee has none: the
// dashboard is theirs) and loads the charts, once; later it redraws.
func (v *dashboardView) start(c *Console) {
	loadECharts(c, v)
	if v.started {
		v.draw(c)
		return
	}
	v.started, v.grain = true, "day"
	now := time.Now()
	v.from, v.to = now.Format("2006-01")+"-01", now.Format(time.DateOnly)
	if c.me.User.Role == "employee" {
		v.load(c)
		return
	}
	ctx, a := c.ctx, c.api
	ctx.Async(func() {
		var list struct {
			Departments []dashDept `json:"departments"`
		}
		err := a.call(context.Background(), http.MethodGet, "/api/v1/departments", nil, &list)
		ctx.Dispatch(func(app.Context) {
			if err != nil {
				v.err = code(err)
				return
			}
			v.depts = list.Departments
			in := map[string]bool{}
			for _, d := range v.depts {
				in[d.ID] = true
			}
			for _, d := range v.depts {
				if !in[d.ParentID] { // the scope's root
					v.dept = d.ID
					break
				}
			}
			v.load(c)
		})
	})
}

// selection is the query of the chosen department (or the employee)
// and period.
func (v *dashboardView) selection(c *Console) url.Values {
	q := url.Values{"from": {v.from}, "to": {v.to}}
	if c.me.User.Role == "employee" {
		q.Set("employee_id", c.me.User.EmployeeID)
	} else {
		q.Set("department_id", v.dept)
	}
	return q
}

// load asks punchd for every chart of the selection.
func (v *dashboardView) load(c *Console) {
	if c.me.User.Role != "employee" && v.dept == "" {
		return
	}
	ctx, a, q := c.ctx, c.api, v.selection(c)
	v.busy, v.err, v.reason, v.behind = true, "", "", nil
	ctx.Async(func() {
		// Every chart in one request: punchd reads the records once.
		var f figures
		err := a.call(context.Background(), http.MethodGet, "/api/v1/report/stats?"+q.Encode(), nil, &f)
		ctx.Dispatch(func(app.Context) {
			v.busy = false
			if err != nil {
				v.err, v.fig = code(err), nil
				return
			}
			v.fig, v.query = &f, q
			v.site = ""
			for _, s := range f.Locations.Sites {
				if v.site == "" || s.Counts.Punches > 0 && v.siteCount(v.site) == 0 {
					v.site = s.ID
				}
			}
			v.draw(c)
		})
	})
}

// siteCount is how many located punches the site's plan shows.
func (v *dashboardView) siteCount(id string) int {
	for _, s := range v.fig.Locations.Sites {
		if s.ID == id {
			return s.Counts.Punches
		}
	}
	return 0
}

// drill lists the employee-days behind reason.
func (v *dashboardView) drill(c *Console, reason string) {
	if v.query == nil {
		return
	}
	q := url.Values{}
	for k, vs := range v.query {
		q[k] = vs
	}
	q.Set("reason", reason)
	ctx, a := c.ctx, c.api
	v.reason, v.behind, v.behindErr = reason, nil, ""
	ctx.Async(func() {
		var list struct {
			Days []chart.EmployeeDay `json:"days"`
		}
		err := a.call(context.Background(), http.MethodGet, "/api/v1/report/stats/anomalies?"+q.Encode(), nil, &list)
		ctx.Dispatch(func(app.Context) {
			if v.reason != reason {
				return
			}
			v.behindErr, v.behind = code(err), list.Days
			if v.behind == nil {
				v.behind = []chart.EmployeeDay{}
			}
			ctx.Defer(func(app.Context) { focus("drill") })
		})
	})
}

// loadECharts adds ECharts' script to the page once, and draws the
// charts when it has run.
func loadECharts(c *Console, v *dashboardView) {
	if v.loaded || app.Window().Get("echarts").Truthy() {
		v.loaded = true
		return
	}
	doc := app.Window().Get("document")
	if doc.Call("getElementById", "echarts-script").Truthy() {
		return
	}
	s := doc.Call("createElement", "script")
	s.Set("id", "echarts-script")
	s.Set("src", echartsURL)
	var onload, onerror app.Func
	done := func(ok bool) {
		onload.Release()
		onerror.Release()
		c.ctx.Dispatch(func(app.Context) {
			v.loaded, v.noCharts = ok, !ok
			if ok {
				v.draw(c)
			}
		})
	}
	onload = app.FuncOf(func(app.Value, []app.Value) any { done(true); return nil })
	onerror = app.FuncOf(func(app.Value, []app.Value) any { done(false); return nil })
	s.Set("onload", onload)
	s.Set("onerror", onerror)
	doc.Get("head").Call("appendChild", s)
	// The charts follow the window's width (they are drawn to their
	// element's size).
	app.Window().Call("addEventListener", "resize", app.FuncOf(func(app.Value, []app.Value) any {
		ec := app.Window().Get("echarts")
		if !ec.Truthy() {
			return nil
		}
		for _, id := range chartIDs {
			if el := app.Window().GetElementByID("chart-" + id); el.Truthy() {
				if inst := ec.Call("getInstanceByDom", el); inst.Truthy() {
					inst.Call("resize")
				}
			}
		}
		return nil
	}))
}

// chartIDs are the dashboard's chart elements, "chart-" + id.
var chartIDs = []string{"trend", "late", "early", "departments", "anomalies", "locations", "overtime", "methods", "devices"}

// draw draws every chart whose element is on the page, after the page
// has rendered the current state.
func (v *dashboardView) draw(c *Console) {
	c.ctx.Defer(func(app.Context) {
		if !v.loaded || v.fig == nil {
			return
		}
		ec := app.Window().Get("echarts")
		if !ec.Truthy() {
			return
		}
		l := c.lang
		for id, opt := range v.options(l) {
			el := app.Window().GetElementByID("chart-" + id)
			if !el.Truthy() {
				continue
			}
			inst := ec.Call("getInstanceByDom", el)
			if !inst.Truthy() {
				inst = ec.Call("init", el)
			}
			if id == "locations" {
				planScale(opt, el.Get("clientWidth").Float(), el.Get("clientHeight").Float(), float64(v.fig.Locations.CellM))
			}
			// No animation: the numbers are there at once, for people
			// who prefer no motion and for a page that paints rarely.
			opt["animation"] = false
			b, err := json.Marshal(opt)
			if err != nil {
				continue
			}
			inst.Call("setOption", app.Window().Get("JSON").Call("parse", string(b)), true)
			if id == "anomalies" {
				if v.onSlice == nil {
					v.onSlice = app.FuncOf(func(_ app.Value, args []app.Value) any {
						if len(args) == 0 {
							return nil
						}
						reason := args[0].Get("data").Get("code")
						if reason.Truthy() {
							r := reason.String()
							c.ctx.Dispatch(func(app.Context) { v.drill(c, r) })
						}
						return nil
					})
				}
				inst.Call("off", "click")
				inst.Call("on", "click", v.onSlice)
			}
		}
		// What the charts show, for a test to wait on.
		if el := app.Window().GetElementByID("dashboard"); el.Truthy() {
			el.Get("dataset").Set("drawn", v.query.Encode()+"&lang="+string(l)+"&grain="+v.grain+"&site="+v.site)
		}
	})
}

// onPick sets *field to the value picked and then, redraw (grain, site)
// or reload (department, dates: a date cleared is ignored).
func (v *dashboardView) onPick(c *Console, field *string, reload bool) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		s := ctx.JSSrc().Get("value").String()
		switch {
		case !reload:
			*field = s
			v.draw(c)
		case s != "":
			*field = s
			v.load(c)
		}
	}
}

// onReason lists the days behind a reason picked from the anomalies'
// table (the keyboard's way to the pie's slices).
func (v *dashboardView) onReason(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		v.drill(c, ctx.JSSrc().Get("value").String())
	}
}
