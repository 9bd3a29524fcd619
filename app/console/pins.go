package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// account is an account as GET /api/v1/admin/users lists it.
type account struct {
	ID           string `json:"id"`
	Login        string `json:"login"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Unit         string `json:"unit,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	EmployeeID   string `json:"employee_id,omitempty"`
	Active       bool   `json:"active"`
	HasPIN       bool   `json:"has_pin"`
}

// request is the account as PUT /api/v1/admin/users/{id} takes it: the
// account as it is (the password is kept when none is sent), with pin.
func (a account) request(pin string) map[string]any {
	return map[string]any{"login": a.Login, "name": a.Name, "role": a.Role, "unit": a.Unit,
		"department_id": a.DepartmentID, "employee_id": a.EmployeeID, "active": a.Active, "pin": pin}
}

// listAccounts asks punchd for every account (administrators only).
func (c *Console) listAccounts(done func(list []account, err string)) {
	var out struct {
		Users []account `json:"users"`
	}
	c.get("/api/v1/admin/users", &out, func(err string) { done(out.Users, err) })
}

// putAccount sends a changed account, then calls done with the refusal
// code ("" done).
func (c *Console) putAccount(id string, body map[string]any, done func(err, detail string)) {
	ctx, a := c.ctx, c.api
	ctx.Async(func() {
		err := a.call(context.Background(), http.MethodPut, "/api/v1/admin/users/"+url.PathEscape(id), body, nil)
		ctx.Dispatch(func(app.Context) { done(code(err), detail(err)) })
	})
}

// pinReset is the employee editor's kiosk PIN part, for an
// administrator: the manager or HR accounts linked to the employee that
// have a kiosk PIN, each cleared after a confirmation (PUT with pin "-",
// audited by punchd). The person then gets a new PIN from an
// administrator (punchd user … -pin).
type pinReset struct {
	accounts []account
	asking   string // the account whose PIN waits for the confirmation
	cleared  string // the account whose PIN was cleared last
	err      string
	detail   string
	busy     bool
}

func (p *pinReset) load(c *Console, f *employeeForm) {
	id := f.e.ID
	c.listAccounts(func(list []account, err string) {
		p.err = err
		p.accounts = p.accounts[:0]
		for _, a := range list {
			if a.EmployeeID == id && (a.Role == "manager" || a.Role == "hr") {
				p.accounts = append(p.accounts, a)
			}
		}
	})
}

// ask opens the confirmation for the account of the button pressed (its
// id read from the button, as employeesView.edit does).
func (p *pinReset) ask(ctx app.Context, _ app.Event) {
	p.asking, p.cleared, p.err = ctx.JSSrc().Get("dataset").Get("id").String(), "", ""
}

func (p *pinReset) cancel(app.Context, app.Event) { p.asking = "" }

// clear clears the PIN asked about, once confirmed.
func (p *pinReset) clear(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		var acc *account
		for i := range p.accounts {
			if p.accounts[i].ID == p.asking {
				acc = &p.accounts[i]
			}
		}
		if acc == nil || p.busy {
			return
		}
		p.busy, p.asking = true, ""
		c.putAccount(acc.ID, acc.request("-"), func(err, detail string) {
			p.busy, p.err, p.detail = false, err, detail
			if err == "" {
				acc.HasPIN, p.cleared = false, acc.ID
			}
		})
	}
}

func (p *pinReset) render(c *Console, l lang) []app.UI {
	var out []app.UI
	switch {
	case p.err != "":
		out = append(out, app.P().ID("pin-error").Class("error").Attr("role", "alert").DataSet("code", p.err).Title(p.detail).Text(l.refusal(p.err)))
	case p.cleared != "":
		out = append(out, app.P().ID("pin-cleared").Attr("role", "status").DataSet("id", p.cleared).Text(l.t("pin.cleared")))
	}
	if len(p.accounts) == 0 {
		return append(out, app.P().ID("pin-none").Class("hint").Text(l.t("pin.none")))
	}
	for _, a := range p.accounts {
		state := l.t("pin.notSet")
		if a.HasPIN {
			state = l.t("pin.set")
		}
		row := app.Div().Class("field").ID("pin-"+a.ID).DataSet("pin", a.HasPIN).Body(
			app.Span().Text(l.t("pin.of", a.Login, state)),
			app.If(a.HasPIN && p.asking != a.ID, func() app.UI {
				return app.Button().ID("pin-clear-"+a.ID).Type("button").Class("button").Disabled(p.busy).DataSet("id", a.ID).Text(l.t("pin.clear")).OnClick(p.ask)
			}),
		)
		out = append(out, row)
		if p.asking == a.ID {
			out = append(out, app.Div().ID("confirm-pin").Class("card confirm").Attr("role", "alertdialog").Body(
				app.P().Text(l.t("pin.ask", a.Login)),
				app.Button().ID("pin-yes").Type("button").Class("button danger").Text(l.t("pin.yes")).OnClick(p.clear(c)).AutoFocus(true),
				app.Button().ID("pin-cancel").Type("button").Class("button").Text(l.t("kiosks.cancel")).OnClick(p.cancel),
			))
		}
	}
	return out
}
