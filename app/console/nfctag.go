package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

// nfcTag is the employee editor's NFC tag part, for HR and
// administrators: punchd signs the employee's badge token (POST
// /api/v1/employees/{id}/nfc-tag, audited). Where the browser has Web NFC
// (Chrome on Android), the console writes it: the tag held to the phone
// is read first, so the token is bound to its serial number, then the
// token is written on it as an NDEF text record. Elsewhere the token is
// shown, bound to a serial typed in, for an NFC writer app.
type nfcTag struct {
	id     string
	serial string // typed
	tag    *wire.NFCTag
	// state is "" (idle), "waiting" (for a tag to be held), "written".
	state  string
	err    string // a refusal's code, or "nfc" (the browser's NFC failed)
	detail string
	busy   bool
	abort  app.Value // the scan's AbortController
	funcs  []app.Func
}

func nfcTagPath(id string) string { return "/api/v1/employees/" + url.PathEscape(id) + "/nfc-tag" }

// reset forgets the previous employee's tag, stopping a scan.
func (n *nfcTag) reset(id string) {
	n.stop()
	*n = nfcTag{id: id}
}

func (n *nfcTag) stop() {
	if n.abort != nil {
		n.abort.Call("abort")
		n.abort = nil
	}
	for _, f := range n.funcs {
		f.Release()
	}
	n.funcs = nil
}

// issue asks punchd for the token, bound to serial ("" unbound), then
// calls then with it on the page.
func (n *nfcTag) issue(c *Console, serial string, then func(tag wire.NFCTag)) {
	ctx, a, id := c.ctx, c.api, n.id
	n.busy, n.err = true, ""
	ctx.Async(func() {
		var got wire.NFCTag
		err := a.call(context.Background(), http.MethodPost, nfcTagPath(id), wire.NFCTagRequest{Serial: serial}, &got)
		ctx.Dispatch(func(app.Context) {
			if n.id != id {
				return
			}
			n.busy, n.err, n.detail = false, code(err), detail(err)
			switch {
			case err != nil && n.state == "waiting":
				// Refused (a serial that is not one): stop waiting for
				// the tag, so the button can be tapped again.
				n.stop()
				n.state = ""
			case err == nil:
				n.tag = &got
				if then != nil {
					then(got)
				}
			}
		})
	})
}

func (n *nfcTag) onSerial(ctx app.Context, _ app.Event) {
	n.serial = strings.TrimSpace(ctx.JSSrc().Get("value").String())
}

// show issues a token for a writer app.
func (n *nfcTag) show(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		if !n.busy {
			n.state = ""
			n.issue(c, n.serial, nil)
		}
	}
}

// write reads the tag held to the device for its serial, has punchd sign
// a token bound to it and writes the token on it.
func (n *nfcTag) write(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if n.busy || n.state == "waiting" {
			return
		}
		n.stop()
		n.state, n.err, n.tag = "waiting", "", nil
		reader := app.Window().Get("NDEFReader").New()
		ctrl := app.Window().Get("AbortController").New()
		n.abort = ctrl
		fail := func(msg string) {
			ctx.Dispatch(func(app.Context) {
				n.stop()
				n.state, n.busy, n.err, n.detail = "", false, "nfc", msg
			})
		}
		failed := app.FuncOf(func(this app.Value, args []app.Value) any {
			msg := "NFC failed"
			if len(args) > 0 && args[0].Truthy() {
				msg = args[0].Get("name").String() + ": " + args[0].Get("message").String()
			}
			fail(msg)
			return nil
		})
		written := app.FuncOf(func(app.Value, []app.Value) any {
			ctx.Dispatch(func(app.Context) { n.stop(); n.state = "written" })
			return nil
		})
		var once bool
		reading := app.FuncOf(func(this app.Value, args []app.Value) any {
			if once {
				return nil
			}
			once = true
			serial := args[0].Get("serialNumber").String()
			ctx.Dispatch(func(app.Context) {
				n.issue(c, serial, func(tag wire.NFCTag) {
					msg := map[string]any{"records": []any{map[string]any{"recordType": "text", "lang": "en", "data": tag.Token}}}
					reader.Call("write", msg).Call("then", written, failed)
				})
			})
			return nil
		})
		n.funcs = append(n.funcs, failed, written, reading)
		reader.Set("onreading", reading)
		reader.Call("scan", map[string]any{"signal": ctrl.Get("signal")}).Call("catch", failed)
	}
}

func (n *nfcTag) render(c *Console, l lang) app.UI {
	out := []app.UI{app.H4().Text(l.t("nfc.title")), app.P().Class("hint").Text(l.t("nfc.hint"))}
	if n.err != "" {
		msg := l.refusal(n.err)
		if n.err == "nfc" {
			msg = l.t("nfc.err", n.detail)
		}
		out = append(out, app.P().ID("nfc-error").Class("error").Attr("role", "alert").DataSet("code", n.err).Title(n.detail).Text(msg))
	}
	if app.Window().Get("NDEFReader").Truthy() {
		label := "nfc.write"
		if n.state == "waiting" {
			label = "nfc.hold"
		}
		out = append(out, app.Button().ID("nfc-write").Type("button").Class("button primary").Disabled(n.busy || n.state == "waiting").
			Text(l.t(label)).OnClick(n.write(c)))
	}
	out = append(out,
		app.Div().Class("field").Body(
			app.Label().For("nfc-serial").Text(l.t("nfc.serial")),
			app.Input().ID("nfc-serial").Type("text").Value(n.serial).Placeholder("04:A2:1B:7C:11:22:33").OnInput(n.onSerial),
		),
		app.Button().ID("nfc-show").Type("button").Class("button").Disabled(n.busy).Text(l.t("nfc.show")).OnClick(n.show(c)),
	)
	if t := n.tag; t != nil {
		state := "issued"
		switch {
		case n.state == "written":
			state = "written"
		case t.Serial == "":
			state = "issuedAny"
		}
		out = append(out, app.Div().ID("nfc-token").DataSet("state", state).DataSet("serial", t.Serial).Body(
			app.P().Attr("role", "status").Text(l.t("nfc."+state, serialArg(t.Serial)...)),
			app.Code().ID("nfc-token-text").Class("token").Text(t.Token),
		))
	}
	return app.Div().ID("emp-nfc").Class("card").Body(out...)
}

// serialArg is the message argument of a bound serial: none when unbound.
func serialArg(serial string) []any {
	if serial == "" {
		return nil
	}
	return []any{serial}
}
