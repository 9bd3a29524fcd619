package console

import (
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The monthly attendance sheet (GET /api/v1/report/monthly): one row per
// employee-day of a department over a range, as CSV or XLSX, in the
// viewer's language. punchd scopes it as it scopes the records (HR its
// unit, a manager their subtree) and audits every export; the console
// offers the department, the range and the two formats as links, which
// the browser downloads with the session.

// reportView is the export card's choices: the department (one of the
// people section's) and the range, as typed ("" until chosen: this month
// so far).
type reportView struct {
	from, to string
}

// reportRange is the range to export: the typed one, or from the first
// of this month to today by the viewer's clock.
func (r *reportView) reportRange(now time.Time) (from, to string) {
	from, to = r.from, r.to
	if from == "" {
		from = now.Format("2006-01") + "-01"
	}
	if to == "" {
		to = now.Format(time.DateOnly)
	}
	return from, to
}

// reportURL is the sheet's URL for dept over from..to in format and lang.
func reportURL(dept, from, to, format string, l lang) string {
	q := url.Values{"department_id": {dept}, "from": {from}, "to": {to}, "format": {format}, "lang": {string(l)}}
	return "/api/v1/report/monthly?" + q.Encode()
}

func (r *reportView) onFrom(ctx app.Context, _ app.Event) { r.from = ctx.JSSrc().Get("value").String() }
func (r *reportView) onTo(ctx app.Context, _ app.Event)   { r.to = ctx.JSSrc().Get("value").String() }

// render is the export card, for the people section's departments.
func (r *reportView) render(v *peopleView, l lang) app.UI {
	if len(v.depts) == 0 {
		return app.Text("")
	}
	from, to := r.reportRange(time.Now())
	link := func(format string) app.UI {
		return app.A().ID("report-"+format).Class("button").Href(reportURL(v.dept, from, to, format, l)).
			Attr("download", "attendance-"+v.dept+"-"+from+"-"+to+"."+format).Text(l.t("report." + format))
	}
	return app.Div().Class("card").ID("report").Body(
		app.H3().Text(l.t("report.title")),
		app.P().Class("hint").Text(l.t("report.hint")),
		app.Div().Class("field-row").Body(
			app.Div().Class("field").Body(
				app.Label().For("report-dept").Text(l.t("badges.dept")),
				app.Select().ID("report-dept").OnChange(v.onDept).Body(app.Range(v.depts).Slice(func(i int) app.UI {
					d := v.depts[i]
					return app.Option().Value(d.ID).Selected(d.ID == v.dept).Text(d.Name)
				})),
			),
			app.Div().Class("field").Body(
				app.Label().For("report-from").Text(l.t("report.from")),
				app.Input().ID("report-from").Type("date").Value(from).OnChange(r.onFrom),
			),
			app.Div().Class("field").Body(
				app.Label().For("report-to").Text(l.t("report.to")),
				app.Input().ID("report-to").Type("date").Value(to).OnChange(r.onTo),
			),
		),
		link("csv"), link("xlsx"),
	)
}
