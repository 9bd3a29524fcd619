package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// weekdays are the weekly schedule's days in the order the console shows
// them, by their JSON names (rules.WeekDays).
var weekdays = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// weeklyForm is a weekly schedule being made or edited: a shift id or
// rest ("") per weekday, and the shift of make-up workdays.
type weeklyForm struct {
	index    int
	id, name string
	days     [7]string // by weekdays
	makeup   string    // "": the engine's default (the Monday shift)
}

func newWeeklyForm(rs rules.RuleSet, i int) *weeklyForm {
	f := &weeklyForm{index: i}
	if i < len(rs.Weekly) {
		w := rs.Weekly[i]
		f.id, f.name, f.makeup = w.ID, w.Name, w.MakeupShift
		f.days = weekDays(w.Days)
	} else if len(rs.Shifts) > 0 {
		for d := range 5 { // a new schedule starts as Monday to Friday
			f.days[d] = rs.Shifts[0].ID
		}
	}
	return f
}

// weekDays are a schedule's days by weekdays.
func weekDays(d rules.WeekDays) [7]string {
	return [7]string{d.Mon, d.Tue, d.Wed, d.Thu, d.Fri, d.Sat, d.Sun}
}

func (f *weeklyForm) parse() rules.WeeklySchedule {
	d := f.days
	return rules.WeeklySchedule{ID: strings.TrimSpace(f.id), Name: strings.TrimSpace(f.name), MakeupShift: f.makeup,
		Days: rules.WeekDays{Mon: d[0], Tue: d[1], Wed: d[2], Thu: d[3], Fri: d[4], Sat: d[5], Sun: d[6]}}
}

// weeklyField is the form's field, and its text, of a validator's path
// under a weekly schedule ("days.mon").
func weeklyField(rest string) (field, key string) {
	switch {
	case rest == "id":
		return "id", "shifts.err.id"
	case rest == "makeup_shift":
		return "makeup", "weekly.err.shift"
	case strings.HasPrefix(rest, "days."):
		return strings.TrimPrefix(rest, "days."), "weekly.err.shift"
	}
	return "", ""
}

// onWeekDay keeps the shift chosen for weekday d (or the make-up
// workdays' shift, d == 7) and checks the form again.
func (v *rulesView) onWeekDay(d int) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		f := v.sched.week
		if f == nil || v.cfg == nil {
			return
		}
		val := ctx.JSSrc().Get("value").String()
		if d == 7 {
			f.makeup = val
		} else {
			f.days[d] = val
		}
		v.sched.check(v.cfg.Config)
	}
}

// shiftName says a weekday's shift: its id, or "rest".
func shiftName(l lang, id string) string {
	if id == "" {
		return l.t("rotations.rest")
	}
	return id
}

// renderWeekly is the weekly schedules, the default schedule, and the
// open form.
func (v *rulesView) renderWeekly(c *Console, l lang) app.UI {
	rs := ruleSet(v.cfg.Config)
	def := rs.Basic.DefaultSchedule
	// Weekly schedules only: a rotation needs an anchor, which only an
	// assignment gives (the rules refuse a rotation as the default).
	var ids []string
	for _, w := range rs.Weekly {
		ids = append(ids, w.ID)
	}
	return app.Div().ID("weekly-card").Class("card").Body(
		app.H3().Text(l.t("weekly.title")),
		app.Table().ID("weekly").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("shifts.id")), app.Th().Text(l.t("shifts.name")),
				app.Range(weekdays[:]).Slice(func(d int) app.UI { return app.Th().Text(l.t("weekly." + weekdays[d])) }),
				app.Th(),
			)),
			app.TBody().Body(app.Range(rs.Weekly).Slice(func(i int) app.UI {
				w := rs.Weekly[i]
				days := weekDays(w.Days)
				return app.Tr().DataSet("weekly", w.ID).Body(
					app.Td().Text(w.ID), app.Td().Text(w.Name),
					app.Range(days[:]).Slice(func(d int) app.UI {
						return app.Td().DataSet("day", weekdays[d]).Text(shiftName(l, days[d]))
					}),
					app.Td().Body(app.Button().ID("weekly-edit-"+w.ID).Class("button").Type("button").
						Aria("label", l.t("shifts.edit", w.ID)).Text(l.t("shifts.editShort")).OnClick(v.open(c, "weekly", i))),
				)
			})),
		),
		app.Button().ID("weekly-add").Class("button").Type("button").Text(l.t("weekly.add")).OnClick(v.open(c, "weekly", len(rs.Weekly))),
		app.If(v.sched.week != nil, func() app.UI { return v.renderWeeklyForm(l, rs) }),
		app.Div().Class("field").Body(
			app.Label().For("weekly-default").Text(l.t("weekly.default")),
			app.Select().ID("weekly-default").OnChange(v.setBasic("default_schedule")).Body(
				app.Option().Value("").Selected(def == "").Text(l.t("weekly.noDefault")),
				app.Range(ids).Slice(func(i int) app.UI {
					return app.Option().Value(ids[i]).Selected(ids[i] == def).Text(ids[i])
				}),
			),
		),
	)
}

// shiftSelect is a choice of the rule set's shifts, or rest (none).
func (v *rulesView) shiftSelect(l lang, id, none, value string, shifts []rules.Shift, onChange app.EventHandler) app.UI {
	_, bad := v.sched.errs[strings.TrimPrefix(id, "weekly-")]
	return app.Select().ID(id).Aria("invalid", bad).OnChange(onChange).Body(
		app.Option().Value("").Selected(value == "").Text(none),
		app.Range(shifts).Slice(func(i int) app.UI {
			s := shifts[i]
			return app.Option().Value(s.ID).Selected(s.ID == value).Text(s.ID + " " + span(l, s))
		}),
	)
}

func (v *rulesView) renderWeeklyForm(l lang, rs rules.RuleSet) app.UI {
	f := v.sched.week
	isNew := f.index >= len(rs.Weekly)
	title := l.t("weekly.newTitle")
	if !isNew {
		title = l.t("shifts.editTitle", f.id)
	}
	return app.Form().ID("weekly-form").Class("card").DataSet("new", isNew).OnSubmit(v.apply).Body(
		app.H4().Text(title),
		v.idInput(l, "weekly", f.id, isNew),
		v.schedInput(l, "weekly-name", "name", "shifts.name", ""),
		app.FieldSet().Body(
			app.Legend().Text(l.t("weekly.days")),
			app.Range(weekdays[:]).Slice(func(d int) app.UI {
				id := "weekly-" + weekdays[d]
				return app.Div().Class("field").Body(
					app.Label().For(id).Text(l.t("weekly."+weekdays[d])),
					v.shiftSelect(l, id, l.t("rotations.rest"), f.days[d], rs.Shifts, v.onWeekDay(d)),
					v.sched.schedMsg(l, id, weekdays[d]),
				)
			}),
		),
		app.Div().Class("field").Body(
			app.Label().For("weekly-makeup").Text(l.t("weekly.makeup")),
			v.shiftSelect(l, "weekly-makeup", l.t("weekly.makeupDefault"), f.makeup, rs.Shifts, v.onWeekDay(7)),
			v.sched.schedMsg(l, "weekly-makeup", "makeup"),
		),
		v.formButtons(l, "weekly"),
	)
}
