package console

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// The site form's geofences: the list (each with its shape and size, a
// button to edit it and one to remove it, confirmed), buttons to add a
// circle or a polygon, the fields of the fence being edited with its
// problems next to them, and the site plan with every fence.

// fenceField points at a field of the fence being edited (a throwaway
// string when none is).
func fenceField(get func(*fenceForm) *string) func(*siteForm) *string {
	return func(f *siteForm) *string {
		if fe := f.current(); fe != nil {
			return get(fe)
		}
		return new(string)
	}
}

// fenceMsg is the problem of field of the fence being edited, next to it
// (its element site-FIELD-error, data-fence its index).
func (v *sitesView) fenceMsg(l lang, field string) app.UI {
	k := fenceKey(v.form.sel, field)
	fe, bad := v.errs[k]
	if !bad {
		return app.Text("")
	}
	return app.Span().ID("site-"+field+"-error").Class("error").Attr("role", "alert").DataSet("fence", v.form.sel).
		Title(v.words[k]).Text(l.t(fe.key, fe.args...))
}

// fenceInput is a labelled text input of the fence being edited (id
// site-NAME), invalid when its field (errField) has a problem.
func (v *sitesView) fenceInput(l lang, name, errField, label, value string, get func(*fenceForm) *string) app.UI {
	_, bad := v.errs[fenceKey(v.form.sel, errField)]
	return app.Div().Class("field").Body(
		app.Label().For("site-"+name).Text(l.t(label)),
		app.Input().ID("site-"+name).Type("text").Value(value).Aria("invalid", bad).OnInput(v.field(fenceField(get))),
	)
}

// renderFences is the geofences' fieldset.
func (v *sitesView) renderFences(l lang) app.UI {
	f := v.form
	var list app.UI = app.P().ID("fences-none").Class("empty").Text(l.t("sites.noFences"))
	if len(f.fences) > 0 {
		list = app.Ol().ID("fence-list").Class("fences").Body(app.Range(f.fences).Slice(func(i int) app.UI {
			fe := &f.fences[i]
			var bad app.UI = app.Text("")
			if fenceErrs(v.errs, i) {
				bad = app.Span().ID("fence-bad-" + strconv.Itoa(i)).Class("error").Text(l.t("sites.fenceBad"))
			}
			cls := "fence-item"
			if i == f.sel {
				cls += " selected"
			}
			return app.Li().ID("fence-"+strconv.Itoa(i)).Class(cls).DataSet("kind", fe.kind).Body(
				app.Button().ID("fence-pick-"+strconv.Itoa(i)).Class("button link").Type("button").Aria("pressed", i == f.sel).
					Aria("label", l.t("sites.fenceEdit", i+1, fe.summary(l))).Text(fe.summary(l)).OnClick(v.pickFence(i)),
				bad,
				app.Button().ID("fence-remove-"+strconv.Itoa(i)).Class("button").Type("button").
					Aria("label", l.t("sites.fenceRemoveOf", i+1)).Text(l.t("sites.fenceRemove")).OnClick(v.askRemove(i)),
			)
		}))
	}
	var confirm app.UI = app.Text("")
	if i := f.removing; i >= 0 && i < len(f.fences) {
		confirm = app.Div().ID("confirm-fence-remove").Class("card confirm").Attr("role", "alertdialog").DataSet("fence", i).Body(
			app.P().Text(l.t("sites.fenceRemoveAsk", i+1, f.fences[i].summary(l))),
			app.Button().ID("fence-remove-yes").Class("button danger").Type("button").Text(l.t("sites.fenceRemove")).OnClick(v.removeFence).AutoFocus(true),
			app.Button().ID("fence-remove-no").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.askRemove(-1)),
		)
	}
	return app.FieldSet().ID("site-fences").DataSet("count", len(f.fences)).DataSet("selected", f.sel).Body(
		app.Legend().Text(l.t("sites.fences")),
		list,
		confirm,
		app.Div().Class("field-row").Body(
			app.Button().ID("fence-add-circle").Class("button").Type("button").Text(l.t("sites.addCircle")).OnClick(v.addFence("circle")),
			app.Button().ID("fence-add-polygon").Class("button").Type("button").Text(l.t("sites.addPolygon")).OnClick(v.addFence("polygon")),
		),
		v.renderFence(l),
		v.renderPlane(l),
	)
}

// renderFence is the fields of the fence being edited.
func (v *sitesView) renderFence(l lang) app.UI {
	f := v.form
	fe := f.current()
	if fe == nil {
		return app.Text("")
	}
	head := app.H4().ID("fence-editing").Text(l.t("sites.fenceOf", f.sel+1, l.t("sites.kind."+fe.kind)))
	if fe.kind == "circle" {
		_, badR := v.errs[fenceKey(f.sel, "radius")]
		return app.Div().Class("fence-edit").DataSet("fence", f.sel).Body(
			head,
			app.Div().Class("field-row").Body(
				v.fenceInput(l, "center-lat", "center", "sites.centerLat", fe.cLat, func(fe *fenceForm) *string { return &fe.cLat }),
				v.fenceInput(l, "center-lng", "center", "sites.centerLng", fe.cLng, func(fe *fenceForm) *string { return &fe.cLng }),
			),
			v.fenceMsg(l, "center"),
			app.Div().Class("field").Body(
				app.Label().For("site-radius").Text(l.t("sites.radius", rules.MinRadiusM, rules.MaxRadiusM)),
				app.Input().ID("site-radius").Type("number").Attr("min", rules.MinRadiusM).Attr("max", rules.MaxRadiusM).Value(fe.radius).
					Aria("invalid", badR).OnInput(v.field(fenceField(func(fe *fenceForm) *string { return &fe.radius }))),
				v.fenceMsg(l, "radius"),
			),
			v.fenceMsg(l, "fence"),
		)
	}
	_, badPoly := v.errs[fenceKey(f.sel, "polygon")]
	return app.Div().Class("fence-edit").DataSet("fence", f.sel).Body(
		head,
		app.Div().Class("field").Body(
			app.Label().For("site-polygon").Text(l.t("sites.polygon")),
			app.Textarea().ID("site-polygon").Rows(6).Cols(32).Text(fe.polygon).Attr("value", fe.polygon).Aria("invalid", badPoly).
				OnInput(v.field(fenceField(func(fe *fenceForm) *string { return &fe.polygon }))),
			app.Button().ID("site-polygon-clear").Class("button").Type("button").Text(l.t("sites.clear")).OnClick(v.clearPolygon),
			v.fenceMsg(l, "polygon"),
		),
		v.fenceMsg(l, "fence"),
	)
}
