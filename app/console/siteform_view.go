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
	_, badPoly := v.errs["polygon"]
	_, badNets := v.errs["networks"]
	var shape app.UI = app.Text("")
	switch f.kind {
	case "circle":
		_, badR := v.errs["radius"]
		shape = app.Div().Body(
			app.Div().Class("field-row").Body(
				v.input(l, "center-lat", "sites.centerLat", &f.cLat, func(f *siteForm) *string { return &f.cLat }),
				v.input(l, "center-lng", "sites.centerLng", &f.cLng, func(f *siteForm) *string { return &f.cLng }),
			),
			v.fieldMsg(l, "center"),
			app.Div().Class("field").Body(
				app.Label().For("site-radius").Text(l.t("sites.radius", minRadiusM, maxRadiusM)),
				app.Input().ID("site-radius").Type("number").Attr("min", minRadiusM).Attr("max", maxRadiusM).Value(f.radius).
					Aria("invalid", badR).OnInput(v.field(func(f *siteForm) *string { return &f.radius })),
				v.fieldMsg(l, "radius"),
			),
		)
	case "polygon":
		shape = app.Div().Class("field").Body(
			app.Label().For("site-polygon").Text(l.t("sites.polygon")),
			app.Textarea().ID("site-polygon").Rows(6).Cols(32).Text(f.polygon).Attr("value", f.polygon).Aria("invalid", badPoly).
				OnInput(v.field(func(f *siteForm) *string { return &f.polygon })),
			app.Button().ID("site-polygon-clear").Class("button").Type("button").Text(l.t("sites.clear")).OnClick(v.clearPolygon),
			v.fieldMsg(l, "polygon"),
		)
	}
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
		app.FieldSet().Body(
			app.Legend().Text(l.t("sites.fence")),
			app.Label().For("site-kind").Text(l.t("sites.kind")),
			app.Select().ID("site-kind").OnChange(v.onKind).Body(
				app.Option().Value("").Selected(f.kind == "").Text(l.t("sites.kind.none")),
				app.Option().Value("circle").Selected(f.kind == "circle").Text(l.t("sites.kind.circle")),
				app.Option().Value("polygon").Selected(f.kind == "polygon").Text(l.t("sites.kind.polygon")),
			),
			shape,
			v.renderPlane(l),
		),
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
