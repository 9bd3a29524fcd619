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

// tapDay opens or closes a day's details; a day marked missing opens
// with the make-up's reason and time prefilled (MakeupFor).
func (p *Phone) tapDay(rec rules.DayRecord) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.openDay == rec.Date {
			p.openDay = 0
			return
		}
		p.openDay, p.askErr = rec.Date, nil
		p.reason = p.lang.T("month.defaultReason")
		p.makeupTime = ""
		if m, err := MakeupFor(rec, p.location(), ""); err == nil {
			p.makeupTime = m.Time.In(p.location()).Format("15:04")
		}
	}
}

// askMakeup queues a make-up request for rec, prefilled by MakeupFor, at
// the time typed (MakeupTime: that day, not later than now by the phone's
// server-corrected clock).
func (p *Phone) askMakeup(rec rules.DayRecord) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.env == nil || p.asking {
			return
		}
		loc := p.location()
		m, err := MakeupFor(rec, loc, p.reason)
		if err != nil {
			p.askErr = err
			return
		}
		p.asking, p.askErr = true, nil
		env, mctx, typed := p.env, p.mctx, p.makeupTime
		mctx.Async(func() {
			bg := context.WithoutCancel(mctx)
			at, err := MakeupTime(rec.Date, typed, loc, env.Now(bg))
			if err == nil {
				m.Time = at
				err = env.RequestMakeup(bg, m)
			}
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
	head := app.Div().Class("day-head").OnClick(p.tapDay(rec)).Body(
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
				app.Label().Class("time-label").For("makeup-time").Text(l.T("month.time")),
				app.Input().Type("time").Class("time-input").ID("makeup-time").Value(p.makeupTime).
					Required(true).OnChange(p.ValueTo(&p.makeupTime)),
				app.Button().Class("button primary").ID("makeup").DataSet("date", rec.Date.String()).
					Disabled(p.asking).Text(l.T("month.makeup")).OnClick(p.askMakeup(rec)),
			)
		}
		if p.askErr != nil {
			detail = append(detail, app.P().Class("error").ID("makeup-error").Text(makeupMessage(l, p.askErr)))
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
