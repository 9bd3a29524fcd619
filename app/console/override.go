package console

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// overrideForm is a one-day override being made or changed: an
// employee's shift on a date, "" a rest day (rules.Override).
type overrideForm struct {
	index                 int // in the overrides; len: a new one
	employee, date, shift string
}

// overrideFields are the form's fields, as the validator names them under
// an override; each problem's text is "override.err." + the field.
var overrideFields = []string{"employee_id", "date", "shift"}

func newOverrideForm(s rules.Schedule, i int) *overrideForm {
	f := &overrideForm{index: i}
	if i < len(s.Overrides) {
		o := s.Overrides[i]
		f.employee, f.date, f.shift = o.EmployeeID, dateText(o.Date), o.Shift
	}
	return f
}

// parse is the override typed, with a date that is not one in errs.
func (f *overrideForm) parse(errs map[string]fieldErr) rules.Override {
	o := rules.Override{EmployeeID: strings.TrimSpace(f.employee), Shift: f.shift}
	if d := strings.TrimSpace(f.date); d != "" {
		var err error
		if o.Date, err = rules.ParseDate(d); err != nil {
			errs["date"] = fieldErr{key: "assign.err.date"}
		}
	}
	return o
}

// peopleList is a datalist of the active employees, for an employee
// field to suggest.
func peopleList(id string, people []person) app.UI {
	return app.DataList().ID(id).Body(app.Range(people).Slice(func(i int) app.UI {
		return app.Option().Value(people[i].ID).Label(people[i].Name)
	}))
}

// renderOverrides is the one-day overrides and their open form.
func (v *rulesView) renderOverrides(c *Console, l lang, rs rules.RuleSet, s rules.Schedule) app.UI {
	var list app.UI = app.P().ID("override-none").Class("empty").Text(l.t("override.none"))
	if len(s.Overrides) > 0 {
		list = app.Table().ID("overrides").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("override.employee_id")), app.Th().Text(l.t("override.date")), app.Th().Text(l.t("override.shift")), app.Th(),
			)),
			app.TBody().Body(app.Range(s.Overrides).Slice(func(i int) app.UI {
				o := s.Overrides[i]
				who := c.matrix.approverText([]string{o.EmployeeID})
				return app.Tr().DataSet("employee", o.EmployeeID).DataSet("date", o.Date).Body(
					app.Td().Text(who), app.Td().Text(o.Date), app.Td().Text(shiftName(l, o.Shift)),
					app.Td().Body(
						app.Button().ID(fmt.Sprintf("override-edit-%d", i)).Class("button").Type("button").
							Aria("label", l.t("override.edit", who, o.Date)).Text(l.t("shifts.editShort")).OnClick(v.openItem(c, "overrides", i)),
						app.Button().ID(fmt.Sprintf("override-remove-%d", i)).Class("button").Type("button").
							Aria("label", l.t("override.remove", who, o.Date)).Text(l.t("assign.removeShort")).OnClick(v.askRemove("overrides", i)),
					),
				)
			})),
		)
	}
	return app.Div().ID("overrides-part").Body(
		app.H4().Text(l.t("override.title")),
		list,
		app.Button().ID("override-add").Class("button").Type("button").Text(l.t("override.add")).OnClick(v.openItem(c, "overrides", len(s.Overrides))),
		app.If(v.asg.over != nil, func() app.UI { return v.renderOverrideForm(c, l, rs, len(s.Overrides)) }),
	)
}

func (v *rulesView) renderOverrideForm(c *Console, l lang, rs rules.RuleSet, n int) app.UI {
	f := v.asg.over
	title := l.t("override.newTitle")
	if f.index < n {
		title = l.t("assign.editTitle")
	}
	return app.Form().ID("override-form").Class("card").DataSet("new", f.index >= n).OnSubmit(v.applyItem(c)).Body(
		app.H4().Text(title),
		v.assignField(l, "override", "employee_id", app.Input().Type("text").List("override-people").Attr("autocomplete", "off").
			Value(f.employee).OnInput(v.onItem(c, &f.employee))),
		peopleList("override-people", c.matrix.people),
		v.assignField(l, "override", "date", app.Input().Type("date").Value(f.date).OnInput(v.onItem(c, &f.date))),
		app.Div().Class("field").Body(
			app.Label().For("override-shift").Text(l.t("override.shift")),
			v.shiftSelect(l, "override-shift", l.t("rotations.rest"), f.shift, rs.Shifts, v.onItem(c, &f.shift)),
			v.asg.msg(l, "override", "shift"),
		),
		app.Div().Body(
			app.Button().ID("override-apply").Class("button primary").Type("submit").Disabled(len(v.asg.errs) > 0).Text(l.t("shifts.apply")),
			app.Button().ID("override-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.closeAssign),
		),
	)
}
