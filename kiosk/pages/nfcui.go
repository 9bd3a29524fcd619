package pages

import (
	"context"
	"errors"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/nfctag"
)

// NFC reader states (nfcCtl.state), as the strip and the tests see them.
const (
	nfcNone    = ""        // no Web NFC here (not Chrome on Android over https)
	nfcWaiting = "waiting" // the browser needs a tap to grant NFC: a manager's, once
	nfcOn      = "on"      // reading tags
	nfcDenied  = "denied"  // refused (the site's permission can be reset in Chrome)
)

// nfcCtl is the kiosk's NFC reader (Web NFC's NDEFReader): tags read
// become punches through Env.PunchNFC, as camera badges do through
// Env.Punch.
type nfcCtl struct {
	state  string
	reader app.Value
	funcs  []app.Func
}

func (n *nfcCtl) release() {
	for _, f := range n.funcs {
		f.Release()
	}
	n.funcs = nil
}

// startNFC starts reading tags at once when the browser has granted NFC
// to the kiosk before; else it shows the button whose tap asks for it
// (Web NFC prompts only from a user's gesture). It runs once the kiosk
// is enrolled, with keepAwake.
func (k *Kiosk) startNFC(ctx app.Context) {
	k.keepAwake()
	if k.nfc != nil {
		return
	}
	n := &nfcCtl{}
	k.nfc = n
	if !app.Window().Get("NDEFReader").Truthy() {
		return
	}
	n.state = nfcWaiting
	perms := app.Window().Get("navigator").Get("permissions")
	if !perms.Truthy() {
		return
	}
	var ok, fail app.Func
	ok = app.FuncOf(func(this app.Value, args []app.Value) any {
		state := args[0].Get("state").String()
		ctx.Dispatch(func(ctx app.Context) {
			switch state {
			case "granted":
				k.scanNFC(ctx)
			case "denied":
				n.state = nfcDenied
			}
		})
		return nil
	})
	fail = app.FuncOf(func(app.Value, []app.Value) any { return nil })
	n.funcs = append(n.funcs, ok, fail)
	perms.Call("query", map[string]any{"name": "nfc"}).Call("then", ok, fail)
}

// onEnableNFC is the manager's one-time tap: scan() under the gesture
// makes the browser ask for NFC; once granted, later loads start reading
// by themselves (startNFC).
func (k *Kiosk) onEnableNFC(ctx app.Context, e app.Event) {
	k.scanNFC(ctx)
}

// scanNFC starts reading tags.
func (k *Kiosk) scanNFC(ctx app.Context) {
	n := k.nfc
	if n == nil || n.reader != nil && n.state == nfcOn {
		return
	}
	r := app.Window().Get("NDEFReader").New()
	mctx, sc := k.mctx, k.sc
	reading := app.FuncOf(func(this app.Value, args []app.Value) any {
		serial, texts := readTag(args[0])
		mctx.Async(func() { k.handleNFC(mctx, sc, serial, texts) })
		return nil
	})
	ok := app.FuncOf(func(app.Value, []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) { n.state, n.reader = nfcOn, r })
		return nil
	})
	fail := app.FuncOf(func(this app.Value, args []app.Value) any {
		denied := len(args) > 0 && args[0].Truthy() && args[0].Get("name").String() == "NotAllowedError"
		ctx.Dispatch(func(ctx app.Context) {
			if denied {
				n.state = nfcDenied
			}
		})
		return nil
	})
	n.funcs = append(n.funcs, reading, ok, fail)
	r.Set("onreading", reading)
	r.Call("scan").Call("then", ok, fail)
}

// readTag takes an NDEFReadingEvent's serial number and the texts of its
// text records.
func readTag(ev app.Value) (string, []string) {
	serial := ""
	if s := ev.Get("serialNumber"); s.Truthy() {
		serial = s.String()
	}
	var texts []string
	recs := ev.Get("message").Get("records")
	for i := 0; recs.Truthy() && i < recs.Length(); i++ {
		rec := recs.Index(i)
		if rec.Get("recordType").String() != "text" || !rec.Get("data").Truthy() {
			continue
		}
		enc := "utf-8"
		if e := rec.Get("encoding"); e.Truthy() {
			enc = e.String()
		}
		texts = append(texts, app.Window().Get("TextDecoder").New(enc).Call("decode", rec.Get("data")).String())
	}
	return serial, texts
}

// handleNFC is handleCode for a tag: debounce, punch, confirm.
func (k *Kiosk) handleNFC(ctx app.Context, sc *scanner, serial string, texts []string) {
	if sc == nil {
		return
	}
	key := "nfc:" + serial
	if serial == "" && len(texts) > 0 {
		key = "nfc:" + texts[0]
	}
	sc.mu.Lock()
	fresh := sc.debouncer.Seen(key, k.env.Clock())
	sc.mu.Unlock()
	if !fresh {
		return
	}
	k.showPunch(ctx, k.env.PunchNFC(context.WithoutCancel(ctx), serial, texts))
}

// keepAwake holds a screen wake lock while the kiosk shows, so the
// tablet's screen, and with it NFC, stays on; the browser drops the lock
// when the page is hidden, so it is asked again when it shows.
func (k *Kiosk) keepAwake() {
	wl := app.Window().Get("navigator").Get("wakeLock")
	if !wl.Truthy() || k.onVisible != nil {
		return
	}
	ask := func() {
		// A refusal (a hidden page, a battery saver) is not an error
		// the kiosk can act on: it asks again at the next showing.
		wl.Call("request", "screen").Call("catch", app.FuncOf(func(app.Value, []app.Value) any { return nil }))
	}
	k.onVisible = app.FuncOf(func(app.Value, []app.Value) any {
		if app.Window().Get("document").Get("visibilityState").String() == "visible" {
			ask()
		}
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "visibilitychange", k.onVisible)
	ask()
}

// badTagKey is the message key of why a tag was refused.
func badTagKey(err error) string {
	switch {
	case errors.Is(err, nfctag.ErrSerial):
		return "nfc.copied"
	case errors.Is(err, nfctag.ErrKey):
		return "nfc.foreign"
	case errors.Is(err, ErrBlankTag):
		return "nfc.blank"
	}
	return "nfc.altered"
}

// renderNFC is the NFC button or nothing: the tap that grants NFC, while
// the browser waits for one.
func (k *Kiosk) renderNFC() app.UI {
	if k.nfc == nil || k.nfc.state != nfcWaiting {
		return nil
	}
	return app.Button().ID("nfc-enable").Class("button nfc-enable").Text(k.lang.T("nfc.enable")).OnClick(k.onEnableNFC)
}
