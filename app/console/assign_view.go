package console

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// targetName says an assignment's target: a department by its name, an
// employee by id and name, a position as it is.
func targetName(c *Console, a rules.Assignment) string {
	switch a.Scope {
	case rules.ScopeDepartment:
		return c.matrix.deptName(a.Target)
	case rules.ScopeEmployee:
		return c.matrix.approverText([]string{a.Target})
	}
	return a.Target
}

// scheduleName says a weekly schedule or rotation: "nights (rotation)".
func scheduleName(l lang, rs rules.RuleSet, id string) string {
	if isRotation(rs, id) {
		return l.t("assign.rotation", id)
	}
	return l.t("assign.weekly", id)
}

// isRotation reports whether id is one of rs's rotations.
func isRotation(rs rules.RuleSet, id string) bool {
	for _, r := range rs.Rotations {
		if r.ID == id {
			return true
		}
	}
	return false
}

// period says an assignment's dates: "2026-11-02 → open".
func period(l lang, a rules.Assignment) string {
	from, to := l.t("assign.open"), l.t("assign.open")
	if !a.From.IsZero() {
		from = a.From.String()
	}
	if !a.To.IsZero() {
		to = a.To.String()
	}
	return from + " → " + to
}

// renderAssign is the assignments, the open form and the confirmation of
// a removal.
func (v *rulesView) renderAssign(c *Console, l lang) app.UI {
	rs, s := ruleSet(v.cfg.Config), schedule(v.cfg.Config)
	e := &v.asg
	var list app.UI = app.P().ID("assign-none").Class("empty").Text(l.t("assign.none"))
	if len(s.Assignments) > 0 {
		list = app.Table().ID("assignments").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("assign.scope")), app.Th().Text(l.t("assign.target")), app.Th().Text(l.t("assign.schedule")),
				app.Th().Text(l.t("assign.period")), app.Th().Text(l.t("assign.anchor")), app.Th(),
			)),
			app.TBody().Body(app.Range(s.Assignments).Slice(func(i int) app.UI {
				a := s.Assignments[i]
				return app.Tr().DataSet("scope", a.Scope).DataSet("target", a.Target).DataSet("schedule", a.Schedule).Body(
					app.Td().Text(l.t("assign.scope."+string(a.Scope))), app.Td().Class("target").Text(targetName(c, a)),
					app.Td().Text(scheduleName(l, rs, a.Schedule)), app.Td().Text(period(l, a)), app.Td().Text(dateText(a.Anchor)),
					app.Td().Body(
						app.Button().ID("assign-edit-"+strconv.Itoa(i)).Class("button").Type("button").
							Aria("label", l.t("assign.edit", targetName(c, a))).Text(l.t("shifts.editShort")).OnClick(v.openItem(c, "assignments", i)),
						app.Button().ID("assign-remove-"+strconv.Itoa(i)).Class("button").Type("button").
							Aria("label", l.t("assign.remove", targetName(c, a))).Text(l.t("assign.removeShort")).OnClick(v.askRemove("assignments", i)),
					),
				)
			})),
		)
	}
	return app.Div().ID("assign-card").Class("card").Body(
		app.H3().Text(l.t("assign.title")),
		app.P().Class("hint").Text(l.t("assign.hint")),
		list, v.renderRemoval(c, l, s),
		app.Button().ID("assign-add").Class("button").Type("button").Text(l.t("assign.add")).OnClick(v.openItem(c, "assignments", len(s.Assignments))),
		app.If(e.form != nil, func() app.UI { return v.renderAssignForm(c, l, rs, len(s.Assignments)) }),
		v.renderOverrides(c, l, rs, s),
	)
}

// renderRemoval is the confirmation of the removal asked for, if any.
func (v *rulesView) renderRemoval(c *Console, l lang, s rules.Schedule) app.UI {
	var ask string
	switch r := v.asg.asking; {
	case r.list == "assignments" && r.index < len(s.Assignments):
		a := s.Assignments[r.index]
		ask = l.t("assign.removeAsk", targetName(c, a), a.Schedule)
	case r.list == "overrides" && r.index < len(s.Overrides):
		o := s.Overrides[r.index]
		ask = l.t("override.removeAsk", c.matrix.approverText([]string{o.EmployeeID}), o.Date)
	default:
		return app.Text("")
	}
	return app.Div().ID("confirm-assign-remove").Class("card confirm").Attr("role", "alertdialog").Body(
		app.P().Text(ask),
		app.Button().ID("assign-remove-yes").Class("button danger").Type("button").Text(l.t("assign.removeYes")).OnClick(v.removeAsked),
		app.Button().ID("assign-remove-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancelRemove),
	)
}

// msg is the problem of the open form's field next to it (the form's
// elements are prefix-field: "assign-anchor"), with the validator's own
// words as its title.
func (e *assignEditor) msg(l lang, prefix, field string) app.UI {
	fe, bad := e.errs[field]
	if !bad {
		return app.Text("")
	}
	return app.Span().ID(prefix+"-"+field+"-error").Class("error").Attr("role", "alert").Title(e.words[field]).Text(l.t(fe.key, fe.args...))
}

// assignField is a labelled field of the open form with its problem,
// its label the text prefix.field.
func (v *rulesView) assignField(l lang, prefix, field string, input app.HTMLInput) app.UI {
	_, bad := v.asg.errs[field]
	return app.Div().Class("field").Body(
		app.Label().For(prefix+"-"+field).Text(l.t(prefix+"."+field)),
		input.ID(prefix+"-"+field).Aria("invalid", bad),
		v.asg.msg(l, prefix, field),
	)
}

func (v *rulesView) renderAssignForm(c *Console, l lang, rs rules.RuleSet, n int) app.UI {
	f := v.asg.form
	title := l.t("assign.newTitle")
	if f.index < n {
		title = l.t("assign.editTitle")
	}
	_, badScope := v.asg.errs["scope"]
	_, badTarget := v.asg.errs["target"]
	_, badSched := v.asg.errs["schedule"]
	var target app.UI
	switch rules.Scope(f.scope) {
	case rules.ScopeDepartment:
		depts := c.matrix.depts
		target = app.Select().ID("assign-target").Aria("invalid", badTarget).OnChange(v.onItem(c, &f.target)).Body(
			app.Option().Value("").Selected(f.target == "").Text(l.t("assign.pick")),
			app.Range(depts).Slice(func(i int) app.UI {
				return app.Option().Value(depts[i].ID).Selected(depts[i].ID == f.target).Text(c.matrix.deptName(depts[i].ID))
			}),
		)
	case rules.ScopeEmployee:
		people := c.matrix.people
		target = app.Div().Body(
			app.Input().ID("assign-target").Type("text").List("assign-people").Attr("autocomplete", "off").Value(f.target).
				Aria("invalid", badTarget).OnInput(v.onItem(c, &f.target)),
			peopleList("assign-people", people),
		)
	default:
		posts := c.matrix.posts
		target = app.Div().Body(
			app.Input().ID("assign-target").Type("text").List("assign-positions").Attr("autocomplete", "off").Value(f.target).
				Aria("invalid", badTarget).OnInput(v.onItem(c, &f.target)),
			app.DataList().ID("assign-positions").Body(app.Range(posts).Slice(func(i int) app.UI { return app.Option().Value(posts[i]) })),
		)
	}
	var anchor app.UI = app.Text("")
	if isRotation(rs, f.schedule) {
		anchor = app.Div().Body(
			v.assignField(l, "assign", "anchor", app.Input().Type("date").Value(f.anchor).OnInput(v.onItem(c, &f.anchor))),
			app.P().Class("hint").Text(l.t("assign.anchorHint")),
		)
	}
	return app.Form().ID("assign-form").Class("card").DataSet("new", f.index >= n).OnSubmit(v.applyItem(c)).Body(
		app.H4().Text(title),
		app.Div().Class("field").Body(
			app.Label().For("assign-scope").Text(l.t("assign.scope")),
			app.Select().ID("assign-scope").Aria("invalid", badScope).OnChange(v.onItem(c, &f.scope)).Body(
				app.Range(assignScopes).Slice(func(i int) app.UI {
					s := string(assignScopes[i])
					return app.Option().Value(s).Selected(s == f.scope).Text(l.t("assign.scope." + s))
				}),
			),
			v.asg.msg(l, "assign", "scope"),
		),
		app.Div().Class("field").Body(app.Label().For("assign-target").Text(l.t("assign.target")), target, v.asg.msg(l, "assign", "target")),
		app.Div().Class("field").Body(
			app.Label().For("assign-schedule").Text(l.t("assign.schedule")),
			app.Select().ID("assign-schedule").Aria("invalid", badSched).OnChange(v.onItem(c, &f.schedule)).Body(
				app.Option().Value("").Selected(f.schedule == "").Text(l.t("assign.pick")),
				app.Range(rs.Weekly).Slice(func(i int) app.UI {
					id := rs.Weekly[i].ID
					return app.Option().Value(id).Selected(id == f.schedule).Text(scheduleName(l, rs, id))
				}),
				app.Range(rs.Rotations).Slice(func(i int) app.UI {
					id := rs.Rotations[i].ID
					return app.Option().Value(id).Selected(id == f.schedule).Text(scheduleName(l, rs, id))
				}),
			),
			v.asg.msg(l, "assign", "schedule"),
		),
		app.Div().Class("field-row").Body(
			v.assignField(l, "assign", "from", app.Input().Type("date").Value(f.from).OnInput(v.onItem(c, &f.from))),
			v.assignField(l, "assign", "to", app.Input().Type("date").Value(f.to).OnInput(v.onItem(c, &f.to))),
		),
		anchor,
		app.Div().Body(
			app.Button().ID("assign-apply").Class("button primary").Type("submit").Disabled(len(v.asg.errs) > 0).Text(l.t("shifts.apply")),
			app.Button().ID("assign-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.closeAssign),
		),
	)
}
