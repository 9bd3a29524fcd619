package pages

import (
	"context"
	"errors"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/pin"
	"punchclock/app/wire"
)

// signInFor is how long the kiosk waits for a manager's badge and PIN
// before it goes back to punching: a kiosk left in sign-in would take
// employees' badges for sign-in attempts.
const signInFor = 30 * time.Second

// managerSignIn is the kiosk's sign-in panel: the Manager button opens
// it, the manager shows their badge (camera or the test hook), then types
// their PIN.
type managerSignIn struct {
	open  bool
	until time.Time
	// who is the manager whose badge was shown; nil while waiting for it.
	who  *wire.KioskManager
	emp  attendance.Employee
	pin  string
	msg  string // message key
	left int    // tries left, for "mgr.wrongPin"
}

// openManager is the Manager button: straight to the view while a
// manager is signed in, else the sign-in panel.
func (k *Kiosk) openManager(ctx app.Context, e app.Event) {
	if _, ok := k.env.Manager(true); ok {
		ctx.Navigate("/manager")
		return
	}
	k.msi = managerSignIn{open: true, until: k.env.Clock().Add(signInFor)}
	ctx.After(signInFor, func(ctx app.Context) {
		if k.msi.open && !k.env.Clock().Before(k.msi.until) {
			k.msi = managerSignIn{}
		}
	})
}

// managerBadge takes a badge shown while the panel waits for one.
func (k *Kiosk) managerBadge(ctx app.Context, code string) {
	m, emp, err := k.env.ManagerFor(context.Background(), code)
	ctx.Dispatch(func(ctx app.Context) {
		if !k.msi.open {
			return
		}
		if err != nil {
			k.msi.msg = "mgr.notManager"
			return
		}
		k.msi.who, k.msi.emp, k.msi.msg = &m, emp, ""
		k.msi.until = k.env.Clock().Add(signInFor)
	})
}

func (k *Kiosk) onPIN(ctx app.Context, e app.Event) {
	k.msi.pin = ctx.JSSrc().Get("value").String()
}

// submitPIN checks the PIN and opens the manager's view.
func (k *Kiosk) submitPIN(ctx app.Context, e app.Event) {
	if k.msi.who == nil {
		return
	}
	m, emp, p := *k.msi.who, k.msi.emp, k.msi.pin
	k.msi.pin = ""
	ctx.Async(func() {
		g, err := k.env.SignInManager(context.Background(), m, emp, p)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err == nil:
				k.msi = managerSignIn{}
				ctx.Navigate("/manager")
			case errors.Is(err, pin.ErrLocked):
				k.msi.msg = "mgr.locked"
			case errors.Is(err, ErrWrongPIN):
				k.msi.msg, k.msi.left = "mgr.wrongPin", max(pin.MaxFailures-g.Failures, 0)
				if g.Failures >= pin.MaxFailures {
					k.msi.msg = "mgr.locked"
				}
			default:
				k.msi.msg = "mgr.error"
			}
		})
	})
}

func (k *Kiosk) cancelSignIn(ctx app.Context, e app.Event) { k.msi = managerSignIn{} }

// renderSignIn draws the panel in place of the scan prompt.
func (k *Kiosk) renderSignIn() app.UI {
	l := k.lang
	var msg app.UI = app.Text("")
	if k.msi.msg != "" {
		text := l.T(k.msi.msg)
		if k.msi.msg == "mgr.wrongPin" {
			text = l.T(k.msi.msg, k.msi.left)
		}
		msg = app.P().Class("error").ID("pin-msg").DataSet("code", k.msi.msg).Text(text)
	}
	if k.msi.who == nil {
		return app.Div().Class("confirm signin").ID("manager-signin").DataSet("step", "badge").Body(
			app.P().Class("prompt").Text(l.T("mgr.prompt")),
			msg,
			app.Button().Class("button").ID("signin-cancel").Text(l.T("mgr.cancel")).OnClick(k.cancelSignIn),
		)
	}
	return app.Div().Class("confirm signin").ID("manager-signin").DataSet("step", "pin").Body(
		app.P().Class("prompt").Text(l.T("mgr.pinPrompt", k.msi.emp.Name)),
		app.Input().ID("pin").Type("password").Attr("inputmode", "numeric").Attr("autocomplete", "off").
			MaxLength(8).Value(k.msi.pin).OnInput(k.onPIN),
		app.Button().Class("button").ID("pin-ok").Text(l.T("mgr.ok")).OnClick(k.submitPIN),
		app.Button().Class("button").ID("signin-cancel").Text(l.T("mgr.cancel")).OnClick(k.cancelSignIn),
		msg,
	)
}
