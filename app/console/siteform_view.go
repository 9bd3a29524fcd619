package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// fieldMsg is the problem of field name next to it ("" when none).
func (v *sitesView) fieldMsg(l lang, name string) app.UI {
	fe, bad := v.errs[name]
	if !bad {
		return app.Text("")
	}
	return app.Span().ID("site-"+name+"-error").Class("error").Attr("role", "alert").Text(l.t(fe.key, fe.args...))
}

// input is a labelled text input of the site form, with its problem.
func (v *sitesView) input(l lang, name, label string, value *string, p func(*siteForm) *string) app.UI {
	_, bad := v.errs[name]
	return app.Div().Class("field").Body(
		app.Label().For("site-"+name).Text(l.t(label)),
		app.Input().ID("site-"+name).Type("text").Value(*value).Aria("invalid", bad).OnInput(v.field(p)),
		v.fieldMsg(l, name),
	)
}

func (v *sitesView) renderForm(c *Console, l lang) app.UI {
	f := v.form
	title := l.t("sites.editTitle", f.id)
	if f.isNew {
		title = l.t("sites.newTitle")
	}
	_, badID := v.errs["id"]
	_, badZone := v.errs["zone"]
	_, badNets := v.errs["networks"]
	var saveErr app.UI = app.Text("")
	if v.saveErr != "" {
		saveErr = app.P().ID("site-save-error").Class("error").Attr("role", "alert").DataSet("code", v.saveErr).Title(v.detail).Text(l.refusal(v.saveErr))
	}
	return app.Form().ID("site-form").Class("card").DataSet("new", f.isNew).OnSubmit(v.save(c)).Body(
		app.H3().Text(title),
		app.Div().Class("field").Body(
			app.Label().For("site-id").Text(l.t("sites.id")),
			app.Input().ID("site-id").Type("text").Value(f.id).ReadOnly(!f.isNew).Aria("invalid", badID).
				OnInput(v.field(func(f *siteForm) *string { return &f.id })),
			v.fieldMsg(l, "id"),
		),
		v.input(l, "name", "sites.name", &f.name, func(f *siteForm) *string { return &f.name }),
		app.Div().Class("field").Body(
			app.Label().For("site-zone").Text(l.t("sites.zone")),
			app.Input().ID("site-zone").Type("text").List("zone-names").Attr("autocomplete", "off").Placeholder("Asia/Shanghai").
				Value(f.zone).Aria("invalid", badZone).OnInput(v.field(func(f *siteForm) *string { return &f.zone })),
			app.DataList().ID("zone-names").Body(app.Range(zoneNames).Slice(func(i int) app.UI { return app.Option().Value(zoneNames[i]) })),
			v.fieldMsg(l, "zone"),
		),
		v.input(l, "address", "sites.address", &f.address, func(f *siteForm) *string { return &f.address }),
		v.input(l, "face", "sites.face", &f.face, func(f *siteForm) *string { return &f.face }),
		app.FieldSet().Body(
			app.Legend().Text(l.t("sites.point")),
			app.Div().Class("field-row").Body(
				v.input(l, "lat", "sites.lat", &f.lat, func(f *siteForm) *string { return &f.lat }),
				v.input(l, "lng", "sites.lng", &f.lng, func(f *siteForm) *string { return &f.lng }),
			),
			v.fieldMsg(l, "point"),
		),
		v.renderFences(l),
		v.input(l, "fix", "sites.fix", &f.fixAcc, func(f *siteForm) *string { return &f.fixAcc }),
		app.Div().Class("field").Body(
			app.Label().For("site-networks").Text(l.t("sites.networksHint")),
			app.Textarea().ID("site-networks").Rows(3).Cols(32).Text(f.networks).Aria("invalid", badNets).
				OnInput(v.field(func(f *siteForm) *string { return &f.networks })),
			v.fieldMsg(l, "networks"),
		),
		saveErr,
		app.Button().ID("site-save").Class("button primary").Type("submit").Disabled(v.busy).Text(l.t("sites.save")),
		app.Button().ID("site-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.closeForm),
	)
}
