package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Renaming a kiosk (PUT /api/v1/admin/devices/{id}, audited by punchd):
// the fleet shows "Front door" rather than the name typed at enrollment.

// nameCell is a kiosk's name in the fleet, with its state's flag and a
// Rename button; the kiosk being renamed shows the form instead.
func (v *kiosksView) nameCell(c *Console, l lang, k kiosk, name, state string) app.UI {
	if v.renaming == k.ID {
		var msg app.UI = app.Text("")
		if v.renameErr != "" {
			msg = app.Span().ID("rename-error").Class("error").Attr("role", "alert").DataSet("code", v.renameErr).Text(l.refusal(v.renameErr))
		}
		return app.Td().Body(app.Form().ID("rename-form").Class("inline").OnSubmit(v.rename(c)).Body(
			app.Label().For("rename-input").Text(l.t("kiosks.renameLabel", name)),
			app.Input().ID("rename-input").Type("text").MaxLength(100).Value(v.newName).OnInput(v.onName).AutoFocus(true),
			app.Button().ID("rename-save").Class("button primary").Type("submit").Disabled(strings.TrimSpace(v.newName) == "").Text(l.t("kiosks.renameSave")),
			app.Button().ID("rename-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancelRename),
			msg,
		))
	}
	return app.Td().Body(
		app.Text(name),
		app.If(state != "ok", func() app.UI { return app.Span().Class("flag").Text(l.t("kiosks." + state)) }),
		app.If(!k.Revoked, func() app.UI {
			// The id comes from the button: go-app keeps a row's first
			// handler when the list changes under it.
			return app.Button().ID("rename-"+k.ID).Class("button link").DataSet("id", k.ID).DataSet("name", name).Text(l.t("kiosks.rename")).OnClick(v.startRename)
		}),
	)
}

func (v *kiosksView) startRename(ctx app.Context, _ app.Event) {
	ds := ctx.JSSrc().Get("dataset")
	v.renaming, v.newName, v.renameErr = ds.Get("id").String(), ds.Get("name").String(), ""
}

func (v *kiosksView) onName(ctx app.Context, _ app.Event) {
	v.newName, v.renameErr = ctx.JSSrc().Get("value").String(), ""
}

func (v *kiosksView) cancelRename(app.Context, app.Event) { v.renaming, v.renameErr = "", "" }

// rename sends the name typed; the fleet is read again once punchd took it.
func (v *kiosksView) rename(c *Console) app.EventHandler {
	return func(_ app.Context, e app.Event) {
		e.PreventDefault()
		ctx, id, name, a := c.ctx, v.renaming, strings.TrimSpace(v.newName), c.api
		if id == "" || name == "" {
			return
		}
		ctx.Async(func() {
			err := a.call(context.Background(), http.MethodPut, "/api/v1/admin/devices/"+url.PathEscape(id), map[string]string{"name": name}, nil)
			ctx.Dispatch(func(app.Context) {
				if err != nil {
					v.renameErr = code(err)
					return
				}
				v.renaming = ""
				v.load(c)
			})
		})
	}
}
