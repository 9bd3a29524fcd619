package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
)

func (v *orgView) render(c *Console, l lang) app.UI {
	write := c.canWriteOrg()
	body := listState(l, "org", v.loaded, v.err, len(v.depts) == 0)
	if body == nil {
		roots := v.roots()
		body = app.Ul().ID("org-tree").Class("tree").Body(app.Range(roots).Slice(func(i int) app.UI {
			return v.node(c, l, roots[i], write)
		}))
	}
	var status app.UI = app.Text("")
	switch {
	case v.msgErr == "inUse":
		status = app.P().ID("org-msg-error").Class("error").Attr("role", "alert").DataSet("code", "conflict").Title(v.detail).Text(l.t("org.inUse"))
	case v.msgErr != "":
		status = app.P().ID("org-msg-error").Class("error").Attr("role", "alert").DataSet("code", v.msgErr).Title(v.detail).Text(l.refusal(v.msgErr))
	case v.msg != "":
		key, id, _ := strings.Cut(v.msg, ":")
		status = app.P().ID("org-msg").Attr("role", "status").DataSet("id", id).Text(l.t(key, id))
	}
	var confirm, create app.UI = app.Text(""), app.Text("")
	if d := v.byID(v.moving); v.confirm && d != nil {
		confirm = app.Div().ID("confirm-move").Class("card confirm").Attr("role", "alertdialog").Body(
			app.P().Text(l.t("org.moveAsk", d.Name, v.name(l, v.moveTo))),
			app.Button().ID("move-yes").Class("button danger").Text(l.t("org.moveYes")).OnClick(v.move(c)).AutoFocus(true),
			app.Button().ID("move-cancel").Class("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		)
	}
	if d := v.byID(v.deleting); d != nil {
		confirm = app.Div().ID("confirm-delete").Class("card confirm").Attr("role", "alertdialog").Body(
			app.P().Text(l.t("org.deleteAsk", d.Name)),
			app.Button().ID("delete-yes").Class("button danger").Text(l.t("org.deleteYes")).OnClick(v.remove(c)).AutoFocus(true),
			app.Button().ID("delete-cancel").Class("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		)
	}
	if write && v.loaded && v.err == "" {
		create = v.renderCreate(c, l)
	}
	return app.Section().ID("org").Body(app.H2().Text(l.t("org.title")), status, confirm, body, create)
}

// name is a department's name for a sentence ("top level" for "").
func (v *orgView) name(l lang, id string) string {
	if d := v.byID(id); d != nil {
		return d.Name
	}
	if id == "" {
		return l.t("org.top")
	}
	return id
}

// node draws d and its sub-departments, with its write controls.
func (v *orgView) node(c *Console, l lang, d attendance.Department, write bool) app.UI {
	kids := v.children(d.ID)
	var controls app.UI = app.Text("")
	switch {
	case !write:
	case v.renaming == d.ID:
		controls = app.Form().Class("inline").OnSubmit(v.rename(c)).Body(
			app.Label().For("rename-input").Class("sr-only").Text(l.t("org.newName")),
			app.Input().ID("rename-input").Type("text").Value(v.renameTo).OnInput(v.onText(&v.renameTo)).AutoFocus(true),
			app.Button().ID("rename-save").Class("button primary").Type("submit").Text(l.t("org.save")),
			app.Button().ID("rename-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		)
	case v.moving == d.ID:
		controls = app.Form().Class("inline").OnSubmit(v.askMove).Body(
			app.Label().For("move-parent").Text(l.t("org.moveUnder")),
			app.Select().ID("move-parent").OnChange(v.onText(&v.moveTo)).AutoFocus(true).Body(
				app.If(c.canMakeRoots(), func() app.UI { return app.Option().Value("").Selected(v.moveTo == "").Text(l.t("org.top")) }),
				app.Range(v.depts).Slice(func(i int) app.UI {
					p := v.depts[i]
					if v.under(p.ID, d.ID) {
						return app.Text("") // not under itself
					}
					return app.Option().Value(p.ID).Selected(p.ID == v.moveTo).Text(p.Name)
				}),
			),
			app.Button().ID("move-ask").Class("button primary").Type("submit").Text(l.t("org.move")),
			app.Button().ID("move-cancel-form").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		)
	default:
		controls = app.Span().Class("controls").Body(
			app.Button().ID("rename-"+d.ID).Class("button").Aria("label", l.t("org.renameOf", d.Name)).Text(l.t("org.rename")).OnClick(v.start(d.ID, true)),
			app.Button().ID("move-"+d.ID).Class("button").Aria("label", l.t("org.moveOf", d.Name)).Text(l.t("org.move")).OnClick(v.start(d.ID, false)),
			// Punchd deletes only what nothing refers to, and not HR's
			// own unit: no button where it would refuse for certain.
			app.If(len(kids) == 0 && d.ID != c.me.User.Unit, func() app.UI {
				return app.Button().ID("delete-"+d.ID).Class("button").Aria("label", l.t("org.deleteOf", d.Name)).Text(l.t("org.delete")).OnClick(v.askDelete(d.ID))
			}),
		)
	}
	return app.Li().ID("dept-"+d.ID).DataSet("parent", d.ParentID).Body(
		app.Div().Class("node").Body(
			app.Span().Class("dept-name").Text(d.Name),
			app.Span().Class("hint").Text(" "+d.ID),
			controls,
		),
		app.If(len(kids) > 0, func() app.UI {
			return app.Ul().Body(app.Range(kids).Slice(func(i int) app.UI { return v.node(c, l, kids[i], write) }))
		}),
	)
}

func (v *orgView) renderCreate(c *Console, l lang) app.UI {
	msg := func(name string) app.UI {
		if key, ok := v.newErrs[name]; ok {
			return app.Span().ID("dept-new-"+name+"-error").Class("error").Attr("role", "alert").Text(l.t(key))
		}
		return app.Text("")
	}
	return app.Form().ID("dept-new").Class("card").OnSubmit(v.create(c)).Body(
		app.H3().Text(l.t("org.newTitle")),
		app.Div().Class("field").Body(
			app.Label().For("dept-new-id").Text(l.t("org.id")),
			app.Input().ID("dept-new-id").Type("text").Value(v.newID).OnInput(v.onText(&v.newID)),
			msg("id"),
		),
		app.Div().Class("field").Body(
			app.Label().For("dept-new-name").Text(l.t("org.name")),
			app.Input().ID("dept-new-name").Type("text").Value(v.newName).OnInput(v.onText(&v.newName)),
			msg("name"),
		),
		app.Div().Class("field").Body(
			app.Label().For("dept-new-parent").Text(l.t("org.parent")),
			app.Select().ID("dept-new-parent").OnChange(v.onText(&v.newParent)).Body(
				app.If(c.canMakeRoots(), func() app.UI { return app.Option().Value("").Selected(v.newParent == "").Text(l.t("org.top")) }),
				app.Range(v.depts).Slice(func(i int) app.UI {
					p := v.depts[i]
					return app.Option().Value(p.ID).Selected(p.ID == v.newParent).Text(p.Name)
				}),
			),
		),
		app.Button().ID("dept-new-submit").Class("button primary").Type("submit").Disabled(v.busy).Text(l.t("org.create")),
	)
}
