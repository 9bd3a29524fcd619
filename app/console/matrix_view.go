package console

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// deptName says a department by its name, else its id.
func (v *matrixView) deptName(id string) string {
	for _, d := range v.depts {
		if d.ID == id && d.Name != "" {
			return d.Name
		}
	}
	return id
}

// approverText says a route's approvers, level after level:
// "E002 Wang Fang → E001 Li Wei".
func (v *matrixView) approverText(ids []string) string {
	words := make([]string, len(ids))
	for i, id := range ids {
		words[i] = id
		for _, p := range v.people {
			if p.ID == id {
				words[i] = id + " " + p.Name
			}
		}
	}
	return strings.Join(words, " → ")
}

// changeText says a change: "+ Retail · make-up punch: E002".
func (v *matrixView) changeText(l lang, ch matrixChange) string {
	e := ch.entry
	s := l.t("matrix.op."+ch.op) + " " + v.deptName(e.DepartmentID) + " · " + l.t("matrix.kind."+e.Kind) + ": "
	if ch.op == "change" {
		s += v.approverText(ch.before.Approvers) + " ⇒ "
	}
	return s + v.approverText(e.Approvers)
}

func (v *matrixView) render(c *Console, l lang) app.UI {
	head := app.H3().Text(l.t("matrix.title"))
	if st := listState(l, "matrix", v.loaded, v.err, false); st != nil {
		return app.Div().ID("matrix-card").Class("card").Body(head, st)
	}
	edit := c.canWriteOrg()
	changes := v.changes()
	var result app.UI = app.Text("")
	switch {
	case v.busy:
		result = app.P().Class("empty").Text(l.t("loading"))
	case v.saveErr != "":
		result = app.P().ID("matrix-error").Class("error").Attr("role", "alert").DataSet("code", v.saveErr).Title(v.detail).Text(l.refusal(v.saveErr))
	case v.saved && len(changes) == 0:
		result = app.P().ID("matrix-saved").Text(l.t("matrix.saved"))
	case v.preview:
		result = app.Div().ID("matrix-preview").DataSet("changes", len(changes)).Body(
			app.P().Text(l.t("matrix.changes", len(changes))),
			app.Ul().ID("matrix-changes").Body(app.Range(changes).Slice(func(i int) app.UI {
				return app.Li().DataSet("op", changes[i].op).Text(v.changeText(l, changes[i]))
			})),
			app.Button().ID("matrix-save").Class("button primary").Type("button").Text(l.t("matrix.save")).OnClick(v.save(c)),
		)
	}
	return app.Div().ID("matrix-card").Class("card").Body(
		head,
		app.P().Class("empty").Text(l.t("matrix.hint")),
		app.If(len(v.entries) == 0, func() app.UI { return app.P().ID("matrix-none").Class("empty").Text(l.t("matrix.none")) }),
		app.Table().ID("matrix").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("matrix.dept")), app.Th().Text(l.t("matrix.kind")), app.Th().Text(l.t("matrix.approvers")), app.Th(),
			)),
			app.TBody().Body(app.Range(v.entries).Slice(func(i int) app.UI {
				e := v.entries[i]
				key := e.DepartmentID + "-" + e.Kind
				return app.Tr().DataSet("dept", e.DepartmentID).DataSet("kind", e.Kind).Body(
					app.Td().Text(v.deptName(e.DepartmentID)), app.Td().Text(l.t("matrix.kind."+e.Kind)),
					app.Td().Class("approvers").Text(v.approverText(e.Approvers)),
					app.Td().Body(app.If(edit, func() app.UI {
						return app.Div().Body(
							app.Button().ID("matrix-edit-"+key).Class("button").Type("button").
								Aria("label", l.t("shifts.edit", key)).Text(l.t("shifts.editShort")).OnClick(v.open(c, i)),
							app.Button().ID("matrix-remove-"+key).Class("button").Type("button").
								Aria("label", l.t("holidays.remove", key)).Text(l.t("holidays.removeShort")).OnClick(v.remove(i)),
						)
					})),
				)
			})),
		),
		app.If(edit && v.form == nil, func() app.UI {
			return app.Div().Body(
				app.Button().ID("matrix-add").Class("button").Type("button").Text(l.t("matrix.add")).OnClick(v.open(c, len(v.entries))),
				app.Button().ID("matrix-preview-button").Class("button").Type("button").Disabled(len(changes) == 0 || v.busy).
					Text(l.t("rules.preview")).OnClick(func(app.Context, app.Event) { v.preview, v.saved = true, false }),
				app.Button().ID("matrix-reset").Class("button").Type("button").Disabled(len(changes) == 0).Text(l.t("matrix.reset")).OnClick(v.reset),
			)
		}),
		app.If(edit && v.form != nil, func() app.UI { return v.renderForm(l) }),
		result,
	)
}

func (v *matrixView) msg(l lang, id, field string) app.UI {
	fe, bad := v.errs[field]
	if !bad {
		return app.Text("")
	}
	return app.Span().ID(id+"-error").Class("error").Attr("role", "alert").Text(l.t(fe.key, fe.args...))
}

func (v *matrixView) renderForm(l lang) app.UI {
	f := v.form
	_, badDept := v.errs["dept"]
	_, badKind := v.errs["kind"]
	return app.Form().ID("matrix-form").Class("card").OnSubmit(v.apply).Body(
		app.Div().Class("field").Body(
			app.Label().For("matrix-dept").Text(l.t("matrix.dept")),
			app.Select().ID("matrix-dept").Aria("invalid", badDept).OnChange(v.onField(&f.dept)).Body(
				app.Range(v.depts).Slice(func(i int) app.UI {
					d := v.depts[i]
					return app.Option().Value(d.ID).Selected(d.ID == f.dept).Text(d.Name + " (" + d.ID + ")")
				}),
			),
			v.msg(l, "matrix-dept", "dept"),
		),
		app.Div().Class("field").Body(
			app.Label().For("matrix-kind").Text(l.t("matrix.kind")),
			app.Select().ID("matrix-kind").Aria("invalid", badKind).OnChange(v.onField(&f.kind)).Body(
				app.Range(matrixKinds).Slice(func(i int) app.UI {
					k := matrixKinds[i]
					return app.Option().Value(k).Selected(k == f.kind).Text(l.t("matrix.kind." + k))
				}),
			),
			v.msg(l, "matrix-kind", "kind"),
		),
		app.DataList().ID("matrix-people").Body(app.Range(v.people).Slice(func(i int) app.UI {
			return app.Option().Value(v.people[i].ID).Text(v.people[i].Name)
		})),
		app.Range(f.approvers[:]).Slice(func(j int) app.UI {
			id, field := fmt.Sprintf("matrix-approver-%d", j+1), "approver-"+strconv.Itoa(j+1)
			_, bad := v.errs[field]
			return app.Div().Class("field").Body(
				app.Label().For(id).Text(l.t("matrix.level", j+1)),
				app.Input().ID(id).Type("text").List("matrix-people").Attr("autocomplete", "off").Value(f.approvers[j]).
					Aria("invalid", bad).OnInput(v.onField(&f.approvers[j])),
				v.msg(l, id, field),
			)
		}),
		app.Button().ID("matrix-apply").Class("button primary").Type("submit").Disabled(len(v.errs) > 0).Text(l.t("matrix.apply")),
		app.Button().ID("matrix-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
	)
}
