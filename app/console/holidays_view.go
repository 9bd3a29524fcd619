package console

import (
	"errors"
	"slices"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// yearDay is a day (or days) of the year the calendar shows.
type yearDay struct {
	rules.CalendarEntry
	company bool // the company's own, else statutory
}

// yearDays are the statutory days of country in year, then the company's
// that touch the year (which win over the statutory ones, as in the
// engine); noData when the built-in data lacks the year.
func yearDays(country string, year int, company rules.Calendar) (days []yearDay, noData bool) {
	if country != "" {
		c, err := rules.BuiltinCalendar(country, year)
		noData = errors.Is(err, rules.ErrNoHolidayData)
		for _, e := range c.Days {
			days = append(days, yearDay{CalendarEntry: e})
		}
	}
	first, last := rules.NewDate(year, 1, 1), rules.NewDate(year, 12, 31)
	for _, e := range company.Days {
		to := e.To
		if to.IsZero() {
			to = e.Date
		}
		if to >= first && e.Date <= last {
			days = append(days, yearDay{CalendarEntry: e, company: true})
		}
	}
	slices.SortStableFunc(days, func(a, b yearDay) int { return int(a.Date - b.Date) })
	return days, noData
}

// dayRange says an entry's days: "2026-02-15 – 2026-02-23 (9 days)".
func dayRange(l lang, e rules.CalendarEntry) string {
	s := e.Date.String() + " " + l.t("weekly."+weekdays[(int(e.Date.Weekday())+6)%7])
	if e.To.IsZero() || e.To == e.Date {
		return s
	}
	return s + " – " + e.To.String() + " " + l.t("holidays.days", e.To.Sub(e.Date)+1)
}

func kindText(l lang, k rules.DayKind) string { return l.t("holidays.kind." + string(k)) }

// renderHolidays is the calendar card.
func (v *rulesView) renderHolidays(c *Console, l lang) app.UI {
	rs := ruleSet(v.cfg.Config)
	company := companyCalendar(v.cfg.Config)
	year := v.year()
	days, noData := yearDays(rs.Basic.HolidayCountry, year, company)
	countries := rules.Countries()
	var missing app.UI = app.Text("")
	if noData {
		missing = app.P().ID("holidays-nodata").Class("error").Attr("role", "alert").Text(l.t("holidays.noData", rs.Basic.HolidayCountry, year))
	}
	return app.Div().ID("holidays-card").Class("card").Body(
		app.H3().Text(l.t("holidays.title")),
		app.Div().Class("field-row").Body(
			app.Div().Class("field").Body(
				app.Label().For("holiday-country").Text(l.t("holidays.country")),
				app.Select().ID("holiday-country").OnChange(v.setBasic("holiday_country")).Body(
					app.Option().Value("").Selected(rs.Basic.HolidayCountry == "").Text(l.t("holidays.none")),
					app.Range(countries).Slice(func(i int) app.UI {
						cc := countries[i]
						return app.Option().Value(cc).Selected(cc == rs.Basic.HolidayCountry).Text(countryName(l, cc))
					}),
				),
			),
			app.Div().Class("field").Body(
				app.Label().For("holiday-year").Text(l.t("holidays.year")),
				app.Input().ID("holiday-year").Type("number").Attr("min", 2000).Attr("max", 2100).Value(strconv.Itoa(year)).OnChange(v.onYear),
			),
		),
		missing,
		app.If(len(days) == 0 && !noData, func() app.UI {
			return app.P().ID("holidays-empty").Class("empty").Text(l.t("holidays.empty", year))
		}),
		app.If(len(days) > 0, func() app.UI {
			return app.Table().ID("holidays").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text(l.t("holidays.date")), app.Th().Text(l.t("shifts.name")),
					app.Th().Text(l.t("shifts.kind")), app.Th().Text(l.t("holidays.source")),
				)),
				app.TBody().Body(app.Range(days).Slice(func(i int) app.UI {
					d := days[i]
					src := l.t("holidays.statutory")
					if d.company {
						src = l.t("holidays.company")
					}
					return app.Tr().Class("day-"+string(d.Kind)).DataSet("date", d.Date.String()).DataSet("kind", string(d.Kind)).DataSet("company", d.company).Body(
						app.Td().Text(dayRange(l, d.CalendarEntry)), app.Td().Text(d.Name), app.Td().Text(kindText(l, d.Kind)), app.Td().Text(src),
					)
				})),
			)
		}),
		v.renderCompany(c, l, company),
	)
}

// renderCompany is the company's own days, their form and the iCal
// import.
func (v *rulesView) renderCompany(c *Console, l lang, company rules.Calendar) app.UI {
	h := &v.hol
	return app.Div().ID("company").Body(
		app.H4().Text(l.t("holidays.companyTitle")),
		app.If(len(company.Days) == 0, func() app.UI { return app.P().Class("empty").Text(l.t("holidays.companyNone")) }),
		app.Ul().ID("company-days").Body(app.Range(company.Days).Slice(func(i int) app.UI {
			e := company.Days[i]
			return app.Li().DataSet("date", e.Date.String()).DataSet("kind", string(e.Kind)).Body(
				app.Text(dayRange(l, e)+" · "+kindText(l, e.Kind)+" · "+e.Name+" "),
				app.Button().ID("company-remove-"+strconv.Itoa(i)).Class("button").Type("button").
					Aria("label", l.t("holidays.remove", e.Date.String())).Text(l.t("holidays.removeShort")).OnClick(v.removeDay(i)),
			)
		})),
		app.If(h.form == nil, func() app.UI {
			return app.Button().ID("company-add").Class("button").Type("button").Text(l.t("holidays.add")).OnClick(v.openDay)
		}).Else(func() app.UI { return v.renderDayForm(l) }),
		app.Div().Class("field").Body(
			app.Label().For("ical-file").Text(l.t("holidays.ical")),
			app.Input().ID("ical-file").Type("file").Accept(".ics,text/calendar").OnChange(v.onICS(c)),
		),
		v.renderICS(l),
	)
}

func (v *rulesView) renderDayForm(l lang) app.UI {
	f, h := v.hol.form, &v.hol
	msg := func(id, field string) app.UI {
		fe, bad := h.errs[field]
		if !bad {
			return app.Text("")
		}
		return app.Span().ID(id+"-error").Class("error").Attr("role", "alert").Title(h.words[field]).Text(l.t(fe.key, fe.args...))
	}
	input := func(id, field, label, typ string, val *string) app.UI {
		_, bad := h.errs[field]
		return app.Div().Class("field").Body(
			app.Label().For(id).Text(l.t(label)),
			app.Input().ID(id).Type(typ).Value(*val).Aria("invalid", bad).OnInput(v.onDayField(val)),
			msg(id, field),
		)
	}
	return app.Form().ID("company-form").Class("card").OnSubmit(v.applyDay).Body(
		app.Div().Class("field-row").Body(
			input("company-date", "date", "holidays.date", "date", &f.date),
			input("company-to", "to", "holidays.to", "date", &f.to),
		),
		app.Div().Class("field").Body(
			app.Label().For("company-kind").Text(l.t("shifts.kind")),
			app.Select().ID("company-kind").OnChange(v.onDayField(&f.kind)).Body(
				app.Option().Value(string(rules.Holiday)).Selected(f.kind == string(rules.Holiday)).Text(kindText(l, rules.Holiday)),
				app.Option().Value(string(rules.Workday)).Selected(f.kind == string(rules.Workday)).Text(kindText(l, rules.Workday)),
			),
			msg("company-kind", "kind"),
		),
		input("company-name", "name", "shifts.name", "text", &f.name),
		app.Button().ID("company-apply").Class("button primary").Type("submit").Disabled(len(h.errs) > 0).Text(l.t("shifts.apply")),
		app.Button().ID("company-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.closeDay),
	)
}

// renderICS shows the iCal file read, before its days are added.
func (v *rulesView) renderICS(l lang) app.UI {
	in := v.hol.ics
	switch {
	case in == nil:
		return app.Text("")
	case in.err != "":
		return app.P().ID("ical-error").Class("error").Attr("role", "alert").Title(in.err).Text(l.t("holidays.icalBad", in.file))
	case len(in.cal.Days) == 0:
		return app.P().Class("empty").Text(l.t("loading"))
	}
	return app.Div().ID("ical-preview").Class("card").DataSet("days", len(in.cal.Days)).Body(
		app.P().Text(l.t("holidays.icalRead", in.file, len(in.cal.Days))),
		app.Ul().Body(app.Range(in.cal.Days).Slice(func(i int) app.UI {
			e := in.cal.Days[i]
			return app.Li().DataSet("date", e.Date.String()).DataSet("kind", string(e.Kind)).Text(dayRange(l, e) + " · " + kindText(l, e.Kind) + " · " + e.Name)
		})),
		app.Button().ID("ical-apply").Class("button primary").Type("button").Text(l.t("holidays.icalAdd", len(in.cal.Days))).OnClick(v.applyICS),
		app.Button().ID("ical-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancelICS),
	)
}
