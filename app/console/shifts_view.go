package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// schedMsg is the problem of the open form's field next to it, with the
// validator's own words as its title.
func (e *schedEditor) schedMsg(l lang, id, field string) app.UI {
	fe, bad := e.errs[field]
	if !bad {
		return app.Text("")
	}
	return app.Span().ID(id+"-error").Class("error").Attr("role", "alert").Title(e.words[field]).Text(l.t(fe.key, fe.args...))
}

// schedInput is a labelled text input of the open form.
func (v *rulesView) schedInput(l lang, id, field, label, placeholder string) app.UI {
	_, bad := v.sched.errs[field]
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(l.t(label)),
		app.Input().ID(id).Type("text").Placeholder(placeholder).Value(*v.sched.values()[id]).Attr("autocomplete", "off").
			Aria("invalid", bad).OnInput(v.onSchedInput(id)),
		v.sched.schedMsg(l, id, field),
	)
}

// renderSched is the shifts and rotations, with the open form.
func (v *rulesView) renderSched(c *Console, l lang) app.UI {
	rs := ruleSet(v.cfg.Config)
	e := &v.sched
	var pending app.UI = app.Text("")
	if e.pending > 0 && v.saved == nil {
		pending = app.P().ID("shifts-pending").Class("empty").Text(l.t("shifts.pending"))
	}
	return app.Div().ID("sched").Body(
		app.Div().Class("card").Body(
			app.H3().Text(l.t("shifts.title")),
			app.Table().ID("shifts").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text(l.t("shifts.id")), app.Th().Text(l.t("shifts.name")), app.Th().Text(l.t("shifts.hours")),
					app.Th().Text(l.t("shifts.breaks")), app.Th().Text(l.t("shifts.kind")), app.Th(),
				)),
				app.TBody().Body(app.Range(rs.Shifts).Slice(func(i int) app.UI {
					s := rs.Shifts[i]
					var bs []string
					for _, b := range s.Breaks {
						bs = append(bs, b.Start.String()+"–"+b.End.String())
					}
					kind := l.t("shifts.fixed")
					if s.Flex != nil {
						kind = l.t("shifts.flexible")
					}
					return app.Tr().DataSet("shift", s.ID).Body(
						app.Td().Text(s.ID), app.Td().Text(s.Name), app.Td().Class("span").Text(span(l, s)),
						app.Td().Text(strings.Join(bs, ", ")), app.Td().Text(kind),
						app.Td().Body(app.Button().ID("shift-edit-"+s.ID).Class("button").Type("button").
							Aria("label", l.t("shifts.edit", s.ID)).Text(l.t("shifts.editShort")).OnClick(v.open(c, "shift", i))),
					)
				})),
			),
			app.Button().ID("shift-add").Class("button").Type("button").Text(l.t("shifts.add")).OnClick(v.open(c, "shift", len(rs.Shifts))),
			app.If(e.shift != nil, func() app.UI { return v.renderShiftForm(l, len(rs.Shifts)) }),
		),
		app.Div().Class("card").Body(
			app.H3().Text(l.t("rotations.title")),
			app.Table().ID("rotations").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text(l.t("shifts.id")), app.Th().Text(l.t("shifts.name")), app.Th().Text(l.t("rotations.pattern")), app.Th(),
				)),
				app.TBody().Body(app.Range(rs.Rotations).Slice(func(i int) app.UI {
					r := rs.Rotations[i]
					return app.Tr().DataSet("rotation", r.ID).Body(
						app.Td().Text(r.ID), app.Td().Text(r.Name), app.Td().Text(patternText(l, r.Pattern)),
						app.Td().Body(app.Button().ID("rotation-edit-"+r.ID).Class("button").Type("button").
							Aria("label", l.t("shifts.edit", r.ID)).Text(l.t("shifts.editShort")).OnClick(v.open(c, "rotation", i))),
					)
				})),
			),
			app.Button().ID("rotation-add").Class("button").Type("button").Text(l.t("rotations.add")).OnClick(v.open(c, "rotation", len(rs.Rotations))),
			app.If(e.rot != nil, func() app.UI { return v.renderRotationForm(l, len(rs.Rotations)) }),
		),
		pending,
	)
}

// patternText says a rotation's days: "night, night, rest, rest".
func patternText(l lang, p []string) string {
	words := patternWords(p)
	for i, w := range words {
		if p[i] == "" {
			words[i] = l.t("rotations.rest")
		} else {
			words[i] = w
		}
	}
	return strings.Join(words, l.t("rotations.sep"))
}

// formButtons are a form's apply and cancel buttons.
func (v *rulesView) formButtons(l lang, prefix string) app.UI {
	return app.Div().Body(
		app.Button().ID(prefix+"-apply").Class("button primary").Type("submit").Disabled(len(v.sched.errs) > 0).Text(l.t("shifts.apply")),
		app.Button().ID(prefix+"-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.closeSched),
	)
}

func (v *rulesView) renderShiftForm(l lang, n int) app.UI {
	f := v.sched.shift
	title := l.t("shifts.newTitle")
	if f.index < n {
		title = l.t("shifts.editTitle", f.id)
	}
	var hours app.UI = app.Text("")
	if st, err1 := rules.ParseClock(strings.TrimSpace(f.start)); err1 == nil {
		if en, err2 := rules.ParseClock(strings.TrimSpace(f.end)); err2 == nil {
			hours = app.P().ID("shift-span").Text(span(l, rules.Shift{Start: st, End: en}))
		}
	}
	var flex app.UI = app.Text("")
	if f.flex {
		flex = app.FieldSet().Body(
			app.Legend().Text(l.t("shifts.core")),
			app.Div().Class("field-row").Body(
				v.schedInput(l, "shift-core-start", "core", "shifts.coreStart", "10:00"),
				v.schedInput(l, "shift-core-end", "core", "shifts.coreEnd", "16:00"),
			),
			v.schedInput(l, "shift-required_min", "required_min", "shifts.required_min", "480"),
		)
	}
	return app.Form().ID("shift-form").Class("card").DataSet("new", f.index >= n).OnSubmit(v.apply).Body(
		app.H4().Text(title),
		v.idInput(l, "shift", f.id, f.index >= n),
		v.schedInput(l, "shift-name", "name", "shifts.name", ""),
		app.Div().Class("field-row").Body(
			v.schedInput(l, "shift-start", "start", "shifts.start", "09:00"),
			v.schedInput(l, "shift-end", "end", "shifts.end", "18:00"),
		),
		hours,
		v.schedInput(l, "shift-breaks", "breaks", "shifts.breaksHint", "12:00-13:00"),
		app.FieldSet().Body(
			app.Legend().Text(l.t("shifts.window")),
			app.Div().Class("field-row").Body(
				v.schedInput(l, "shift-in_earliest_min", "in_earliest_min", "shifts.in_earliest_min", "120"),
				v.schedInput(l, "shift-out_latest_min", "out_latest_min", "shifts.out_latest_min", "360"),
			),
		),
		app.Div().Class("field").Body(
			app.Input().ID("shift-flex").Type("checkbox").Checked(f.flex).OnChange(v.onFlex),
			app.Label().For("shift-flex").Text(l.t("shifts.flexHint")),
		),
		flex,
		v.formButtons(l, "shift"),
	)
}

func (v *rulesView) renderRotationForm(l lang, n int) app.UI {
	f := v.sched.rot
	title := l.t("rotations.newTitle")
	if f.index < n {
		title = l.t("shifts.editTitle", f.id)
	}
	return app.Form().ID("rotation-form").Class("card").DataSet("new", f.index >= n).OnSubmit(v.apply).Body(
		app.H4().Text(title),
		v.idInput(l, "rotation", f.id, f.index >= n),
		v.schedInput(l, "rotation-name", "name", "shifts.name", ""),
		v.schedInput(l, "rotation-pattern", "pattern", "rotations.patternHint", "night, night, rest, rest"),
		v.formButtons(l, "rotation"),
	)
}

// idInput is the id field of the shift or rotation form (prefix), typed
// only for a new one.
func (v *rulesView) idInput(l lang, prefix, value string, isNew bool) app.UI {
	_, bad := v.sched.errs["id"]
	return app.Div().Class("field").Body(
		app.Label().For(prefix+"-id").Text(l.t("shifts.id")),
		app.Input().ID(prefix+"-id").Type("text").Value(value).ReadOnly(!isNew).Attr("autocomplete", "off").
			Aria("invalid", bad).OnInput(v.onSchedInput(prefix+"-id")),
		v.sched.schedMsg(l, prefix+"-id", "id"),
	)
}
