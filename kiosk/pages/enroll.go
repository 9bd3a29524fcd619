package pages

import (
	"errors"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

// enrollForm is the enrollment screen's state.
type enrollForm struct {
	code, server, name string
	busy               bool
	err                error
}

// renderEnroll is the screen of a kiosk without identity: the one-time
// code from an admin, the server (the page's origin unless told
// otherwise) and a name for the device list.
func (k *Kiosk) renderEnroll() app.UI {
	l, f := k.lang, &k.form
	msg := ""
	if f.err != nil {
		msg = enrollMessage(l, f.err)
	}
	submit := l.T("enroll.submit")
	if f.busy {
		submit = l.T("enroll.busy")
	}
	return app.Div().Class("center enroll").Body(
		app.Div().Class("clock small").ID("clock").Text(k.clockText()),
		app.P().Class("notice").ID("status").Text(l.T("status.notEnrolled")),
		app.Form().Class("enroll-form").ID("enroll").OnSubmit(k.submitEnroll).Body(
			app.H2().Text(l.T("enroll.title")),
			app.Label().For("enroll-code").Text(l.T("enroll.code")),
			app.Input().ID("enroll-code").Type("text").Value(f.code).
				AutoFocus(true).AutoComplete(false).Attr("autocapitalize", "characters").Attr("spellcheck", "false").
				OnInput(k.ValueTo(&f.code)),
			app.Label().For("enroll-server").Text(l.T("enroll.server")),
			app.Input().ID("enroll-server").Type("url").Value(f.server).OnInput(k.ValueTo(&f.server)),
			app.Label().For("enroll-name").Text(l.T("enroll.name")),
			app.Input().ID("enroll-name").Type("text").Value(f.name).OnInput(k.ValueTo(&f.name)),
			app.Button().Type("submit").ID("enroll-submit").Class("button primary").Disabled(f.busy).Text(submit),
			app.If(msg != "", func() app.UI {
				return app.P().Class("error").ID("enroll-error").DataSet("code", enrollCode(f.err)).Text(msg)
			}),
		),
	)
}

// submitEnroll sends the enrollment; the kiosk screen follows on success
// (refresh sees the identity).
func (k *Kiosk) submitEnroll(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f := &k.form
	if f.busy || k.env == nil {
		return
	}
	f.busy, f.err = true, nil
	env, server, code, name, mctx := k.env, f.server, f.code, f.name, k.mctx
	mctx.Async(func() {
		_, err := env.Enroll(mctx, server, code, name)
		mctx.Dispatch(func(ctx app.Context) {
			f.busy, f.err = false, err
			if err == nil {
				f.code = ""
				// The code in the address (the console's QR code) is
				// spent: a reload shows no stale code.
				dropQuery()
				k.refresh(ctx)
			}
		})
	})
}

// enrollMessage says what went wrong in words for the person enrolling.
func enrollMessage(l Lang, err error) string {
	switch {
	case errors.Is(err, ErrUnknownCode):
		return l.T("enroll.unknown")
	case errors.Is(err, ErrUsedCode):
		return l.T("enroll.used")
	case errors.Is(err, ErrExpiredCode):
		return l.T("enroll.expired")
	case errors.Is(err, ErrUnreachable):
		return l.T("enroll.unreachable")
	}
	return l.T("enroll.failed", errorText(l, err))
}

// enrollCode names the failure for tests: unknown, used, expired,
// unreachable or other.
func enrollCode(err error) string {
	switch {
	case errors.Is(err, ErrUnknownCode):
		return "unknown"
	case errors.Is(err, ErrUsedCode):
		return "used"
	case errors.Is(err, ErrExpiredCode):
		return "expired"
	case errors.Is(err, ErrUnreachable):
		return "unreachable"
	}
	return "other"
}

// codeFromURL is the one-time code the kiosk page's address carries
// (<origin>/?enroll=CODE, the URL the console shows as a QR code), or "".
func codeFromURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.TrimSpace(u.Query().Get(wire.EnrollQueryParam))
}
