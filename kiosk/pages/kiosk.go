package pages

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/token"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/rotate"
	"punchclock/kiosk/scan"
)

// debugHook is whether the page was opened with the #debug fragment.
var debugHook bool

// confirmFor is how long a confirmation stays on screen: long enough to
// read a name from two metres, short enough for the next person.
const confirmFor = 4 * time.Second

// Kiosk is the entrance tablet's screen: the enrollment form until the
// kiosk has an identity, then the clock, the rotating QR, the camera
// preview with badge scanning, and the status strip.
type Kiosk struct {
	app.Compo

	// mctx is the context of the mount: event handlers get a context tied
	// to the element that fired, and go-app drops a Dispatch or Defer
	// whose element is gone (the enrollment form, once enrolled), so
	// work that outlives the event uses this one.
	mctx    app.Context
	lang    Lang
	env     *Env
	bootErr error
	debug   bool // the URL fragment #debug shows the test hook (see onDebugScan)

	enrolled bool
	site     attendance.Site
	loc      *time.Location
	now      time.Time // best known true time
	status   Status
	statErr  error
	qr       rotate.Frame
	qrr      *rotate.Renderer

	form enrollForm

	confirm      *Confirmation
	confirmUntil time.Time
	updateReady  bool   // a new version is cached; reload when idle
	hint         string // message key: "hold still" after a run of unreadable frames

	// The status panel behind the header's glyph (status.go), and what
	// the risk warning needs beyond the status.
	statusOpen  bool
	statusUntil time.Time
	refused     bool       // the last punch could not be stored
	use         storageUse // the browser's storage estimate
	quotaAt     time.Time  // when it was last asked for

	sc       *scanner // made at enrollment; the camera and the debug hook share it
	cam      *camera
	onOnline app.Func
	nfc      *nfcCtl // Web NFC (nfcui.go); made at enrollment
	// onVisible asks the screen wake lock again when the page shows.
	onVisible app.Func
	face      *faceCtl      // face punching (faceui.go); made at enrollment
	msi       managerSignIn // the manager's sign-in panel (managersignin.go)
}

// OnMount picks the language, makes the Env and starts the screen's loop.
func (k *Kiosk) OnMount(ctx app.Context) {
	k.mctx = ctx
	k.lang = pickLang(ctx)
	// The hook stays on for the page's life once asked for, so a trip to
	// the manager's view and back keeps it.
	debugHook = debugHook || app.Window().URL().Fragment == "debug"
	k.debug = debugHook
	k.form.server = app.Window().URL().Scheme + "://" + app.Window().URL().Host
	k.form.name = "Kiosk"
	// Opened from the console's QR code: the code is filled in.
	k.form.code = codeFromURL(app.Window().URL())
	ctx.Async(func() {
		env, err := Use(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			k.env, k.bootErr = env, err
			if err != nil {
				return
			}
			k.watchOnline(ctx)
			k.refresh(ctx)
			k.loop(ctx)
		})
	})
}

// OnDismount stops the camera and the listener; the loops end with the
// context.
func (k *Kiosk) OnDismount() {
	k.face.cancelAttempt()
	if k.cam != nil {
		k.cam.stop()
		k.cam = nil
	}
	if k.onOnline != nil {
		app.Window().Call("removeEventListener", "online", k.onOnline)
		k.onOnline.Release()
		k.onOnline = nil
	}
	if k.nfc != nil {
		if k.nfc.reader != nil {
			k.nfc.reader.Set("onreading", nil)
		}
		k.nfc.release()
		k.nfc = nil
	}
	if k.onVisible != nil {
		app.Window().Get("document").Call("removeEventListener", "visibilitychange", k.onVisible)
		k.onVisible.Release()
		k.onVisible = nil
	}
}

// watchOnline kicks the syncer when the browser says the network is back,
// so punches queued offline leave as soon as they can (the syncer still
// keeps its backoff against a failing server).
func (k *Kiosk) watchOnline(ctx app.Context) {
	env := k.env
	k.onOnline = app.FuncOf(func(app.Value, []app.Value) any {
		if s := env.Syncer(); s != nil {
			s.Kick()
		}
		return nil
	})
	app.Window().Call("addEventListener", "online", k.onOnline)
}

// pickLang returns the language chosen with the toggle, else the
// browser's.
func pickLang(ctx app.Context) Lang {
	var l string
	if err := ctx.LocalStorage().Get("punchclock.lang", &l); err == nil && (l == string(English) || l == string(Chinese)) {
		return Lang(l)
	}
	return LangOf(app.Window().Get("navigator").Get("language").String())
}

func (k *Kiosk) toggleLang(ctx app.Context, e app.Event) {
	k.lang = k.lang.Other()
	ctx.LocalStorage().Set("punchclock.lang", string(k.lang))
}

// loop ticks the clock every second, redraws the QR at each step, and
// refreshes the status whenever the syncer or the outbox changed.
func (k *Kiosk) loop(ctx app.Context) {
	env := k.env
	ctx.Async(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-env.Changed():
			}
			ctx.Dispatch(k.refresh)
		}
	})
}

// refresh reads the clock, the QR and the status. The reads are fast
// (in-memory or one IndexedDB count), so they run on the UI goroutine and
// the screen never shows half an update.
func (k *Kiosk) refresh(ctx app.Context) {
	env := k.env
	if env == nil {
		return
	}
	bg := context.Background()
	_, err := env.Outbox.Identity()
	enrolled := err == nil
	if enrolled && !k.enrolled {
		k.enrolled = true
		k.site, k.loc, _ = env.Site(bg)
		k.startQR()
		k.sc = &scanner{}
		ctx.Defer(k.startCamera)
		ctx.Defer(k.startNFC)
		k.startFace()
	}
	k.now = env.Now(bg)
	if k.enrolled {
		k.now = k.now.In(k.loc)
		if f, err := k.qrr.At(env.Clock()); err == nil {
			k.qr = f
		}
	}
	k.status, k.statErr = env.Status(bg)
	if k.statusOpen && env.Clock().After(k.statusUntil) {
		k.statusOpen = false
	}
	if k.enrolled {
		if k.healthKnown() {
			env.SetHealth(k.healthSnapshot())
		}
		k.checkQuota(ctx)
	}
	if k.confirm != nil && env.Clock().After(k.confirmUntil) {
		k.confirm = nil
	}
	if k.updateReady && k.confirm == nil && !k.form.busy && k.form.err == nil {
		// Between two punches: the new version takes over. Punches are
		// safe in IndexedDB, and a reload takes well under a second. Not
		// while an enrollment is on its way: its code would be used up
		// on the server with the identity never stored; nor while its
		// refusal is on the screen, which a reload would wipe before the
		// person has read why.
		k.updateReady = false
		ctx.Reload()
	}
}

// OnAppUpdate is called when the service worker has cached a new version
// (a new Handler.Version on the server). The kiosk takes it at the next
// idle moment rather than leaving the old one running until someone
// reloads a tablet nobody touches.
func (k *Kiosk) OnAppUpdate(ctx app.Context) {
	k.updateReady = true
}

// startQR makes the rotating QR's renderer: each step's code is the phone
// URL with a token of the kiosk's own clock (the server corrects it by the
// kiosk's offset), on the server the kiosk enrolled with.
func (k *Kiosk) startQR() {
	id, _ := k.env.Outbox.Identity()
	base := k.env.Server()
	if base == "" {
		u := app.Window().URL()
		base = u.Scheme + "://" + u.Host
	}
	k.qrr = rotate.New(func(start time.Time) string {
		return token.URL(base, token.Generate(id.DeviceID, id.QRSecret, start))
	}, 0)
}

// Render draws the screen.
func (k *Kiosk) Render() app.UI {
	switch {
	case k.env == nil && k.bootErr == nil:
		return k.frame(app.Div().Class("center").Body(
			app.Div().Class("clock").ID("clock").Text("--:--"),
			app.P().Class("notice").ID("status").Text(k.lang.T("starting")),
		))
	case k.bootErr != nil:
		return k.frame(app.Div().Class("center").Body(
			app.Div().Class("clock").ID("clock").Text(k.clockText()),
			app.P().Class("error").ID("status").Text(k.lang.T("boot.failed", errorText(k.lang, k.bootErr))),
		))
	case !k.enrolled:
		return k.frame(k.renderEnroll())
	}
	return k.frame(k.renderKiosk())
}

// frame wraps a screen with the header: site, language toggle, manager.
func (k *Kiosk) frame(body app.UI) app.UI {
	site := "punchclock"
	if k.enrolled {
		site = k.site.Name
	}
	return app.Main().Class("kiosk").Lang(string(k.lang)).Body(
		app.Header().Class("top").Body(
			app.H1().Class("brand").ID("site").Text(site),
			app.Div().Class("actions").Body(
				app.If(k.enrolled, k.renderGlyph),
				app.If(k.enrolled, func() app.UI {
					// A button, not a link: go-app v10 cancels a link's own
					// navigation from a queued dispatch, which can come too
					// late and reload the whole app.
					return app.Button().Class("button").ID("open-manager").Text(k.lang.T("manager.open")).
						OnClick(k.openManager)
				}),
				app.Button().Class("button").ID("lang").Text(k.lang.T("lang.toggle")).OnClick(k.toggleLang),
			),
		),
		body,
	)
}

func (k *Kiosk) clockText() string {
	if k.now.IsZero() {
		return "--:--"
	}
	return k.now.Format("15:04:05")
}

// renderKiosk is the enrolled kiosk's screen.
func (k *Kiosk) renderKiosk() app.UI {
	return app.Div().Class("screen").Body(
		app.Section().Class("left").Body(
			app.Div().Class("clock").ID("clock").Text(k.clockText()),
			app.Div().Class("date").ID("date").Text(k.dateText()),
			app.If(k.msi.open, k.renderSignIn).Else(k.renderConfirm),
			k.renderNFC(),
			k.renderFace(),
			k.renderRisk(),
		),
		app.Section().Class("right").Body(
			app.Div().Class("camera").Body(
				app.Video().ID("camera").Class("preview").AutoPlay(true).Muted(true).Attr("playsinline", true),
				k.renderFaceGuide(),
				app.If(k.cam != nil && k.cam.err != nil, func() app.UI {
					return app.P().Class("error camera-error").ID("camera-error").DataSet("detail", errText(k.cam.err)).Text(k.lang.T("camera.error", errorText(k.lang, k.cam.err)))
				}),
			),
			app.Figure().Class("qr").Body(
				app.If(k.qr.DataURL != "", func() app.UI {
					return app.Img().ID("qr").Src(k.qr.DataURL).Alt(k.qr.Text).Attr("data-url", k.qr.Text)
				}),
				app.FigCaption().Text(k.lang.T("qr.caption")),
			),
		),
		app.If(k.debug, func() app.UI {
			// Test hook: a decoded badge code typed here takes the same path
			// as one read by the camera (debouncer, roster, outbox).
			return app.Input().ID("debug-scan").Class("debug").Type("text").OnChange(k.onDebugScan)
		}),
		k.renderStatus(),
	)
}

func (k *Kiosk) dateText() string {
	if k.now.IsZero() {
		return ""
	}
	if k.lang == Chinese {
		return k.now.Format("2006年1月2日 ") + [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}[k.now.Weekday()]
	}
	return k.now.Format("Monday 2 January 2006")
}

// renderConfirm shows the last scan's outcome, or the prompt.
func (k *Kiosk) renderConfirm() app.UI {
	c := k.confirm
	if c == nil {
		prompt := k.lang.T("scan.prompt")
		if st, _ := k.faceStatus(); st == faceReady {
			prompt = k.lang.T("scan.promptFace")
		}
		if k.hint != "" {
			prompt = k.lang.T(k.hint)
		}
		return app.Div().Class("confirm idle").ID("confirm").DataSet("outcome", "").Body(
			app.P().Class("prompt").Text(prompt),
		)
	}
	l := k.lang
	var cls, outcome, head, detail string
	at := c.At.Format("15:04:05")
	switch c.Outcome {
	case Recorded:
		cls, outcome = "ok", "recorded"
		head = c.Employee.Name
		detail = l.T(directionKeyOf(c.Direction)) + " " + at + " · " + l.T("method."+string(c.Method))
		if c.Direction == attendance.DirectionNone {
			detail += " · " + l.T("punch.noShift")
		}
		if c.LateMin > 0 {
			// Recorded all the same, but the employee should see at a
			// glance that it counts as late.
			cls = "warn"
			detail += " · " + l.T("punch.late", c.LateMin)
		}
	case UnknownBadge:
		cls, outcome = "warn", "unknown"
		head = l.T("punch.unknown", c.Code)
		detail = at + " · " + l.T("method."+string(c.Method))
	case InactiveBadge:
		cls, outcome = "bad", "inactive"
		head = c.Employee.Name
		detail = l.T("punch.inactive", c.Code)
		if c.Method == attendance.MethodFace {
			detail = l.T("face.inactive")
		}
	case Duplicate:
		cls, outcome = "warn", "duplicate"
		head = c.Employee.Name
		if head == "" {
			head = c.Code
		}
		detail = l.T("punch.duplicate", at)
	case BadTag:
		cls, outcome = "bad", "badtag"
		head = l.T("punch.badTag", l.T(badTagKey(c.Err)))
	default:
		cls, outcome = "bad", "failed"
		head = l.T("punch.failed", errorText(l, c.Err))
		if errors.Is(c.Err, outbox.ErrQuota) {
			head = l.T("punch.quota")
		}
	}
	dir := ""
	if c.Outcome == Recorded {
		dir = string(c.Direction)
	}
	return app.Div().Class("confirm "+cls).ID("confirm").
		DataSet("outcome", outcome).DataSet("employee", c.Employee.ID).DataSet("direction", dir).DataSet("late", c.LateMin).
		Body(
			app.P().Class("who").ID("confirm-who").Text(head),
			app.If(detail != "", func() app.UI {
				return app.P().Class("what").ID("confirm-what").Text(detail)
			}),
		)
}

// errText is an error's message without the package prefixes, which mean
// nothing to the person at the kiosk.
func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, p := range []string{"outbox: ", "pages: ", "syncer: ", "idbstore: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// scanner turns decoded codes into punches. The camera loop and the debug
// hook share it, so the debouncer sees every sighting.
type scanner struct {
	mu        sync.Mutex
	debouncer scan.Debouncer
}

// handleCode is the one path of a decoded badge code: debounce, look up,
// record, confirm. It blocks on the outbox write; call it from ctx.Async.
func (k *Kiosk) handleCode(ctx app.Context, sc *scanner, code string) {
	sc.mu.Lock()
	fresh := sc.debouncer.Seen(code, k.env.Clock())
	sc.mu.Unlock()
	if !fresh {
		return
	}
	if k.msi.open && k.msi.who == nil {
		// The sign-in panel waits for a manager's badge: not a punch.
		k.managerBadge(ctx, code)
		return
	}
	// Not the component's context: leaving the page must not abort a
	// punch half way through its write.
	k.showPunch(ctx, k.env.Punch(context.WithoutCancel(ctx), code, attendance.MethodBadge))
}

// showPunch shows a punch's outcome, from a badge or a tag.
func (k *Kiosk) showPunch(ctx app.Context, c Confirmation) {
	ctx.Dispatch(func(ctx app.Context) {
		k.confirm = &c
		k.confirmUntil = k.env.Clock().Add(confirmFor)
		k.noteStored(c)
		k.hint = ""
		// The badge settled it: a face attempt still running would only
		// show a second outcome over this one.
		k.face.cancelAttempt()
		k.refresh(ctx)
	})
	beep(c.Outcome == Recorded)
}

// noteStored remembers whether the kiosk could store the last punch: a
// refusal (quota, a broken database) puts punches at risk until one is
// stored again.
func (k *Kiosk) noteStored(c Confirmation) {
	switch c.Outcome {
	case Failed:
		k.refused = true
	case Recorded, UnknownBadge:
		k.refused = false
	}
}

// onDebugScan is the test hook's handler: enabled by the #debug fragment
// (a fragment, not a query, because the service worker's cache matches
// the URL with its query, so /?debug would not load offline).
func (k *Kiosk) onDebugScan(ctx app.Context, e app.Event) {
	in := ctx.JSSrc()
	code := strings.TrimSpace(in.Get("value").String())
	in.Set("value", "")
	if code == "" || k.sc == nil {
		return
	}
	sc, mctx := k.sc, k.mctx
	mctx.Async(func() { k.handleCode(mctx, sc, code) })
}

// directionKeyOf is the message key of a provisional direction: a punch in
// no shift's window is just "recorded".
func directionKeyOf(d attendance.Direction) string {
	switch d {
	case attendance.DirectionIn:
		return "punch.in"
	case attendance.DirectionOut:
		return "punch.out"
	}
	return "punch.recorded"
}
