package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// headOffice is the unit of head office HR: every department.
const headOffice = "*"

// unitsView is the organisation section's business units, for an
// administrator: every HR account and the unit it administers (a
// department and its sub-departments, or head office), assigned from
// the tree after a confirmation; punchd audits the change (user.put).
type unitsView struct {
	loaded bool
	err    string
	hr     []account

	changing, to string // the account whose unit is being changed, and the new unit
	confirm      bool   // the change waits for its confirmation

	msg, msgErr, detail string
	busy                bool
}

func (v *unitsView) load(c *Console) {
	c.listAccounts(func(list []account, err string) {
		v.loaded, v.err = true, err
		v.hr = v.hr[:0]
		for _, a := range list {
			if a.Role == "hr" {
				v.hr = append(v.hr, a)
			}
		}
	})
}

func (v *unitsView) byID(id string) *account {
	for i := range v.hr {
		if v.hr[i].ID == id {
			return &v.hr[i]
		}
	}
	return nil
}

// unitName says a unit: head office, or its department's name.
func unitName(l lang, org *orgView, unit string) string {
	if unit == headOffice {
		return l.t("units.headOffice")
	}
	if d := org.byID(unit); d != nil {
		return d.Name
	}
	return unit
}

// start opens the unit picker of the account of the button pressed (its
// id read from the button, as employeesView.edit does).
func (v *unitsView) start(ctx app.Context, _ app.Event) {
	id := ctx.JSSrc().Get("dataset").Get("id").String()
	if a := v.byID(id); a != nil {
		v.changing, v.to, v.confirm, v.msg, v.msgErr = id, a.Unit, false, "", ""
	}
}

func (v *unitsView) onUnit(ctx app.Context, e app.Event) {
	v.to = ctx.JSSrc().Get("value").String()
}

func (v *unitsView) ask(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if a := v.byID(v.changing); a != nil && a.Unit != v.to && v.to != "" {
		v.confirm = true
	}
}

func (v *unitsView) cancel(app.Context, app.Event) { v.changing, v.confirm = "", false }

// assign sends the confirmed change: the account as it is, with its new
// unit.
func (v *unitsView) assign(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		a := v.byID(v.changing)
		if a == nil || !v.confirm || v.busy {
			return
		}
		x := *a
		x.Unit = v.to
		v.busy, v.changing, v.confirm = true, "", false
		c.putAccount(x.ID, x.request(""), func(err, detail string) {
			v.busy, v.msgErr, v.detail = false, err, detail
			if err == "" {
				v.msg = x.ID
				v.load(c)
			}
		})
	}
}

func (v *unitsView) render(c *Console, l lang) app.UI {
	body := listState(l, "units", v.loaded, v.err, len(v.hr) == 0)
	if body == nil {
		body = app.Table().ID("units").Body(
			app.THead().Body(app.Tr().Body(app.Th().Text(l.t("units.account")), app.Th().Text(l.t("units.unit")), app.Th().Text(""))),
			app.TBody().Body(app.Range(v.hr).Slice(func(i int) app.UI {
				a := v.hr[i]
				var control app.UI = app.Button().ID("unit-change-"+a.ID).Class("button").Aria("label", l.t("units.changeOf", a.Login)).
					DataSet("id", a.ID).Text(l.t("units.change")).OnClick(v.start)
				if v.changing == a.ID {
					control = app.Form().Class("inline").OnSubmit(v.ask).Body(
						app.Label().For("unit-select").Class("sr-only").Text(l.t("units.unit")),
						app.Select().ID("unit-select").OnChange(v.onUnit).AutoFocus(true).Body(
							app.Option().Value(headOffice).Selected(v.to == headOffice).Text(l.t("units.headOffice")),
							app.Range(c.org.depts).Slice(func(j int) app.UI {
								d := c.org.depts[j]
								return app.Option().Value(d.ID).Selected(d.ID == v.to).Text(d.Name)
							}),
						),
						app.Button().ID("unit-ask").Class("button primary").Type("submit").Text(l.t("units.assign")),
						app.Button().ID("unit-cancel-form").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
					)
				}
				return app.Tr().ID("unit-"+a.ID).DataSet("unit", a.Unit).Body(
					app.Td().Text(a.Name+" · "+a.Login), app.Td().Class("unit-name").Text(unitName(l, &c.org, a.Unit)), app.Td().Body(control),
				)
			})),
		)
	}
	var status, confirm app.UI = app.Text(""), app.Text("")
	switch {
	case v.msgErr != "":
		status = app.P().ID("units-error").Class("error").Attr("role", "alert").DataSet("code", v.msgErr).Title(v.detail).Text(l.refusal(v.msgErr))
	case v.msg != "":
		status = app.P().ID("units-msg").Attr("role", "status").DataSet("id", v.msg).Text(l.t("units.done"))
	}
	if a := v.byID(v.changing); a != nil && v.confirm {
		confirm = app.Div().ID("confirm-unit").Class("card confirm").Attr("role", "alertdialog").Body(
			app.P().Text(l.t("units.ask", a.Login, unitName(l, &c.org, a.Unit), unitName(l, &c.org, v.to))),
			app.Button().ID("unit-yes").Class("button danger").Text(l.t("units.yes")).OnClick(v.assign(c)).AutoFocus(true),
			app.Button().ID("unit-cancel").Class("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		)
	}
	return app.Div().Class("card").ID("units-card").Body(
		app.H3().Text(l.t("units.title")),
		app.P().Class("hint").Text(l.t("units.hint")),
		status, confirm, body,
	)
}
