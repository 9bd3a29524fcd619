package pages

import (
	"context"
	"errors"
	"slices"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
	"punchclock/kiosk/syncer"
)

// The phone page's month view: the employee's days of the current month
// with the engine's reasons, their requests, and a make-up request in two
// taps from a day marked missing (tap the day, tap "Request make-up").
// What it shows is the phone's stored copy (PhoneEnv.Month), refreshed
// from the server on opening, when the network comes back, after a
// request and on the Refresh button; offline, the last read stays.

// refreshMonth sends the queued requests and reads the month again.
func (p *Phone) refreshMonth() {
	if p.env == nil || !p.activated || p.refreshing {
		return
	}
	p.refreshing = true
	env, mctx := p.env, p.mctx
	mctx.Async(func() {
		_, err := env.RefreshMonth(context.WithoutCancel(mctx))
		mctx.Dispatch(func(app.Context) { p.refreshing, p.monthErr = false, err })
	})
}

func (p *Phone) onRefresh(ctx app.Context, e app.Event) { p.refreshMonth() }

// tapDay opens or closes a day's details.
func (p *Phone) tapDay(d rules.Date) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.openDay == d {
			p.openDay = 0
			return
		}
		p.openDay, p.askErr = d, nil
		p.reason = p.lang.T("month.defaultReason")
	}
}

// askMakeup queues a make-up request for rec, prefilled by MakeupFor.
func (p *Phone) askMakeup(rec rules.DayRecord) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.env == nil || p.asking {
			return
		}
		m, err := MakeupFor(rec, p.location(), p.reason)
		if err != nil {
			p.askErr = err
			return
		}
		p.asking = true
		env, mctx := p.env, p.mctx
		mctx.Async(func() {
			err := env.RequestMakeup(context.WithoutCancel(mctx), m)
			mctx.Dispatch(func(app.Context) {
				p.asking, p.askErr = false, err
				if err == nil {
					p.refreshMonth()
				}
			})
		})
	}
}

// requested reports whether the day has a make-up request that is queued
// or still standing (pending or approved).
func (p *Phone) requested(d rules.Date) bool {
	if slices.ContainsFunc(p.makeups, func(m Makeup) bool { return m.Date == d && m.Refused == "" }) {
		return true
	}
	return slices.ContainsFunc(p.month.Flows, func(f PhoneFlow) bool {
		return f.Date == d && f.Kind == KindMakeup && (f.State == "pending" || f.State == "approved")
	})
}

// reasonText is a reason in the page's language.
func (p *Phone) reasonText(r rules.Reason) string {
	if p.lang == Chinese && r.ZH != "" {
		return r.ZH
	}
	return r.EN
}

// renderMonth draws the month's days and the employee's requests.
func (p *Phone) renderMonth() app.UI {
	l := p.lang
	var note app.UI
	switch {
	case p.monthErr != nil && p.monthOK:
		note = app.P().Class("notice").ID("month-stale").Text(l.T("month.stale", p.month.At.In(p.location()).Format("01-02 15:04")))
	case p.monthErr != nil && !errors.Is(p.monthErr, syncer.ErrOffline):
		note = app.P().Class("error").ID("month-error").Text(l.T("month.failed", errorText(l, p.monthErr)))
	case p.monthErr != nil:
		note = app.P().Class("notice").ID("month-stale").Text(l.T("month.offline"))
	}
	recs := slices.Clone(p.month.Records)
	slices.Reverse(recs) // newest first
	state := "empty"
	switch {
	case p.refreshing && !p.monthOK:
		state = "loading"
	case p.monthOK:
		state = "loaded"
	}
	return app.Section().Class("phone-month").ID("month").DataSet("state", state).DataSet("from", p.month.From.String()).Body(
		app.Div().Class("month-head").Body(
			app.H2().Text(l.T("month.title")),
			app.Button().Class("button").ID("month-refresh").Disabled(p.refreshing).Text(l.T("month.refresh")).OnClick(p.onRefresh),
		),
		app.If(note != nil, func() app.UI { return note }),
		app.Ul().Class("days").ID("days").DataSet("count", len(recs)).Body(
			app.Range(recs).Slice(func(i int) app.UI { return p.renderDay(recs[i]) }),
		),
		app.H2().Text(l.T("month.requests")),
		p.renderFlows(),
	)
}

// renderDay is one day of the month; tapped, it shows its reasons and,
// for a day marked missing, the make-up button.
func (p *Phone) renderDay(rec rules.DayRecord) app.UI {
	l := p.lang
	_, missing := Missing(rec)
	open := p.openDay == rec.Date
	cls := "day " + string(rec.Status)
	if missing {
		cls += " missing"
	}
	head := app.Div().Class("day-head").OnClick(p.tapDay(rec.Date)).Body(
		app.Span().Class("when").Text(formatDay(l, rec.Date)),
		app.Span().Class("what").Text(l.T("day."+string(rec.Status))),
	)
	var detail []app.UI
	if open {
		for _, r := range rec.Reasons {
			detail = append(detail, app.P().Class("reason").DataSet("code", r.Code).Text(p.reasonText(r)))
		}
		switch {
		case missing && p.requested(rec.Date):
			detail = append(detail, app.P().Class("notice").ID("makeup-requested").Text(l.T("month.requested")))
		case missing:
			detail = append(detail,
				app.Input().Class("reason-input").ID("makeup-reason").Value(p.reason).
					Placeholder(l.T("month.reason")).OnChange(p.ValueTo(&p.reason)),
				app.Button().Class("button primary").ID("makeup").DataSet("date", rec.Date.String()).
					Disabled(p.asking).Text(l.T("month.makeup")).OnClick(p.askMakeup(rec)),
			)
		}
		if p.askErr != nil {
			detail = append(detail, app.P().Class("error").ID("makeup-error").Text(errorText(l, p.askErr)))
		}
	}
	return app.Li().Class(cls).DataSet("date", rec.Date.String()).DataSet("status", string(rec.Status)).
		DataSet("open", open).Body(
		head,
		app.If(open, func() app.UI { return app.Div().Class("day-detail").Body(detail...) }),
	)
}

// formatDay is "11-18 Wed" / "11-18 周三".
func formatDay(l Lang, date rules.Date) string {
	return date.String()[5:] + " " + l.T("wd."+date.Weekday().String()[:3])
}

// renderFlows lists the requests queued on the phone, then the server's.
func (p *Phone) renderFlows() app.UI {
	l := p.lang
	type row struct{ id, state, date, what string }
	var rows []row
	for _, m := range slices.Backward(p.makeups) {
		st := "queued"
		if m.Refused != "" {
			st = "refused"
		}
		rows = append(rows, row{m.ID, st, m.Date.String(), l.T("flow.makeup", l.T(directionKeyOf(m.Direction)), m.Time.In(p.location()).Format("15:04"))})
	}
	for _, f := range p.month.Flows {
		if slices.ContainsFunc(p.makeups, func(m Makeup) bool { return m.ID == f.ID }) {
			continue
		}
		what := l.T("flow." + f.Kind)
		if f.Kind == KindMakeup {
			what = l.T("flow.makeup", l.T(directionKeyOf(f.Direction)), f.Time.In(p.location()).Format("15:04"))
		}
		rows = append(rows, row{f.ID, f.State, f.Date.String(), what})
	}
	if len(rows) == 0 {
		return app.P().Class("none").ID("flows").DataSet("count", 0).Text(l.T("manager.none"))
	}
	return app.Ul().Class("recent flows").ID("flows").DataSet("count", len(rows)).Body(
		app.Range(rows).Slice(func(i int) app.UI {
			r := rows[i]
			return app.Li().Class("flow "+r.state).DataSet("id", r.id).DataSet("state", r.state).DataSet("date", r.date).Body(
				app.Span().Class("when").Text(r.date[5:]),
				app.Span().Class("what").Text(r.what),
				app.Span().Class("state").Text(l.T("flow.state."+r.state)),
			)
		}),
	)
}
