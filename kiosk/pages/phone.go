package pages

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// recentShown is how many of the phone's punches the page lists.
const recentShown = 20

// The states of the phone page, in the data-state attribute of #phone
// (for tests and support: "what does the phone show?").
const (
	phoneStarting       = "starting"
	phoneBootFailed     = "error"
	phoneActivating     = "activating"
	phoneActivateFailed = "activation-failed"
	phoneNotActivated   = "not-activated"
	phoneReady          = "ready"   // activated, no kiosk code in the URL
	phoneConfirm        = "confirm" // a kiosk code to punch with: the Confirm button
	phonePunched        = "punched" // the punch of this page: its result
)

// Phone is the employee's phone page, /p. It is opened two ways:
//
//   - /p?c=CODE, from an admin's one-time phone link: the page activates
//     the phone (PhoneEnv.Activate) and says whom it punches for;
//   - /p?t=TOKEN, from a kiosk's rotating QR code, which the phone's
//     camera app opens: the page shows the employee and a big Confirm
//     button; a tap commits the punch to the phone's outbox, then the page
//     follows it to the server's answer (accepted, an expired or reused
//     code, or saved until the phone is online).
//
// Below, the phone's recent punches and their states. A phone that is not
// activated is told to ask for a link. The page reads its URL in OnNav and
// does all storage and network work in ctx.Async, so it prerenders on the
// server and, served by the service worker, opens offline.
type Phone struct {
	app.Compo

	// mctx is the mount's context: work that outlives an event (a punch,
	// an activation) dispatches through it, as on the kiosk.
	mctx    app.Context
	lang    Lang
	env     *PhoneEnv
	bootErr error
	origin  string // the page's scheme and host: the server it activates with

	code string // ?c=: an activation code not yet tried
	tok  string // ?t=: the kiosk token the page was opened with

	activating bool
	actErr     error // the last activation's failure; ErrActivated is only a note

	loaded    bool // the first load from storage is done
	activated bool
	device    string
	employee  attendance.Employee
	left      bool // the employee is inactive or past their leaving date, by the phone's clock
	loc       *time.Location
	entries   []outbox.Entry // newest first
	status    Status
	loadErr   error

	busy     bool   // the punch is being committed
	punchID  string // the punch made from this page, once committed
	punchErr error  // why it could not be committed
	// punchDir and punchLate are the rules engine's provisional verdict on
	// the punch, worked out on the phone when it was committed.
	punchDir  attendance.Direction
	punchLate int

	// The month view (phone_month.go): the stored month and make-up queue,
	// the last refresh's failure, the day tapped open, the reason typed.
	month      PhoneMonth
	monthOK    bool
	makeups    []Makeup
	monthErr   error
	refreshing bool
	openDay    rules.Date
	reason     string
	makeupTime string // the make-up's time as typed, "HH:MM"
	asking     bool
	askErr     error
	// The requests' queued withdrawals, the request being withdrawn or
	// proved (phone_flows.go), and the last such action's failure.
	withdrawals []Withdrawal
	busyFlow    string
	flowErrID   string
	flowErr     error

	// fld is the field section: GPS punches and location reports
	// (phone_field_view.go).
	fld field

	onOnline app.Func
}

// OnMount picks the language, makes the phone's Env and starts following
// the outbox and the syncer.
func (p *Phone) OnMount(ctx app.Context) {
	p.mctx = ctx
	p.lang = pickLang(ctx)
	u := app.Window().URL()
	p.origin = u.Scheme + "://" + u.Host
	ctx.Async(func() {
		env, err := UsePhone(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			p.env, p.bootErr = env, err
			if err != nil {
				return
			}
			p.watchOnline()
			p.follow(ctx)
			p.proceed()
		})
	})
}

// OnNav reads the page's query: an activation code or a kiosk token.
func (p *Phone) OnNav(ctx app.Context) {
	q := app.Window().URL().Query()
	p.code = q.Get("c")
	if tok := q.Get(token.QueryParam); tok != p.tok {
		p.tok, p.punchID, p.punchErr = tok, "", nil
		// What cannot be a kiosk's token (a foreign or damaged code) is
		// refused at once, without a Confirm button.
		if _, err := token.Parse(tok); tok != "" && err != nil {
			p.punchErr = fmt.Errorf("%w: %w", ErrNotKioskQR, err)
		}
	}
	p.proceed()
}

// OnDismount removes the online listener; the loops end with the context.
func (p *Phone) OnDismount() {
	p.stopWatch()
	if p.onOnline != nil {
		app.Window().Call("removeEventListener", "online", p.onOnline)
		p.onOnline.Release()
		p.onOnline = nil
	}
}

// watchOnline kicks the syncer when the browser says the network is back.
func (p *Phone) watchOnline() {
	env, mctx := p.env, p.mctx
	p.onOnline = app.FuncOf(func(app.Value, []app.Value) any {
		if s := env.Syncer(); s != nil {
			s.Kick()
		}
		mctx.Dispatch(func(app.Context) { p.refreshMonth() })
		return nil
	})
	app.Window().Call("addEventListener", "online", p.onOnline)
}

// follow loads the page's data now and again at every change of the
// outbox or the sync state (and every few seconds, for the ages).
func (p *Phone) follow(ctx app.Context) {
	env := p.env
	ctx.Async(func() {
		for {
			changed := env.Changed() // before the load: no change is missed
			p.load(ctx, env)
			select {
			case <-ctx.Done():
				return
			case <-changed:
			case <-time.After(5 * time.Second):
			}
		}
	})
}

// load reads the phone's state off the UI goroutine and hands it over.
func (p *Phone) load(ctx app.Context, env *PhoneEnv) {
	bg := context.Background()
	var (
		emp     attendance.Employee
		device  string
		left    bool
		loc     = time.UTC
		entries []outbox.Entry
		month   PhoneMonth
		monthOK bool
		makeups []Makeup
		withdr  []Withdrawal
		err     error
	)
	id, ierr := env.Outbox.Identity()
	activated := ierr == nil
	if activated {
		device = id.DeviceID
		_, loc, _ = env.Site(bg)
		emp, err = env.Employee(bg)
		left = emp.ID != "" && !emp.ActiveAt(env.Now(bg), loc)
		if err == nil {
			entries, err = env.Recent(bg, 0)
		}
		if err == nil {
			month, monthOK, err = env.Month(bg)
		}
		if err == nil {
			makeups, err = env.Makeups(bg)
		}
		if err == nil {
			withdr, err = env.Withdrawals(bg)
		}
	}
	st, serr := env.Status(bg)
	ctx.Dispatch(func(app.Context) {
		first := !p.loaded
		p.loaded, p.activated, p.device, p.loc = true, activated, device, loc
		if activated {
			p.employee, p.entries, p.left = emp, entries, left
			p.month, p.monthOK, p.makeups, p.withdrawals = month, monthOK, makeups, withdr
			if first {
				p.refreshMonth()
			}
		}
		p.status, p.loadErr = st, errors.Join(err, serr)
		if p.state() == phoneReady {
			// The field section shows: its fixes are asked for (not on
			// a kiosk code's page, which needs no location).
			p.startWatch()
		}
	})
}

// proceed starts the activation once both the Env and the URL are known.
func (p *Phone) proceed() {
	if p.env == nil || p.code == "" || p.activating {
		return
	}
	code, env, origin, mctx := p.code, p.env, p.origin, p.mctx
	p.code, p.activating, p.actErr = "", true, nil
	mctx.Async(func() {
		emp, err := env.Activate(context.WithoutCancel(mctx), origin, code, "Phone")
		mctx.Dispatch(func(ctx app.Context) {
			p.activating, p.actErr = false, err
			if err == nil || errors.Is(err, ErrActivated) {
				p.activated, p.employee = true, emp
				p.left = !emp.ActiveAt(env.Now(mctx), p.location())
				p.refreshMonth()
				// A reload must not try the used code again.
				dropQuery()
			}
		})
	})
}

// confirm commits the punch with the page's kiosk token.
func (p *Phone) confirm(ctx app.Context, e app.Event) {
	if p.env == nil || p.busy || p.punchID != "" || p.tok == "" {
		return
	}
	p.busy = true
	env, tok, mctx := p.env, p.tok, p.mctx
	mctx.Async(func() {
		// Not the component's context: leaving the page must not abort
		// the write half way.
		bg := context.WithoutCancel(mctx)
		en, err := env.PunchQR(bg, tok)
		var dir attendance.Direction
		var late int
		if err == nil {
			dir, late = env.punchDirection(bg, en)
		}
		mctx.Dispatch(func(ctx app.Context) {
			p.busy, p.punchID, p.punchErr = false, en.ID, err
			p.punchDir, p.punchLate = dir, late
			if err == nil {
				// The token is spent: a reload shows the phone's punches,
				// not the same Confirm button again.
				dropQuery()
			}
		})
	})
}

// dropQuery removes the query from the address bar without a navigation.
func dropQuery() {
	u := app.Window().URL()
	if u.RawQuery == "" {
		return
	}
	u.RawQuery = ""
	app.Window().Get("history").Call("replaceState", app.Null(), "", u.String())
}

func (p *Phone) toggleLang(ctx app.Context, e app.Event) {
	p.lang = p.lang.Other()
	ctx.LocalStorage().Set("punchclock.lang", string(p.lang))
}

// state is what the page shows, as one word (see the phone* constants).
func (p *Phone) state() string {
	switch {
	case p.bootErr != nil:
		return phoneBootFailed
	case p.env == nil || !p.loaded && !p.activating:
		return phoneStarting
	case p.activating:
		return phoneActivating
	case !p.activated && p.actErr != nil:
		return phoneActivateFailed
	case !p.activated:
		return phoneNotActivated
	case (p.tok != "" || p.fld.punch) && (p.busy || p.punchID != "" || p.punchErr != nil && !errors.Is(p.punchErr, ErrNoPlace)):
		return phonePunched
	case p.tok != "":
		return phoneConfirm
	}
	return phoneReady
}

// Render draws the page.
func (p *Phone) Render() app.UI {
	l, state := p.lang, p.state()
	var body []app.UI
	switch state {
	case phoneStarting:
		body = append(body, app.P().Class("notice").Text(l.T("starting")))
	case phoneBootFailed:
		body = append(body, app.P().Class("error").Text(l.T("phone.bootFailed", errorText(l, p.bootErr))))
	case phoneActivating:
		body = append(body, app.P().Class("notice").ID("phone-activating").Text(l.T("phone.activating")))
	case phoneActivateFailed:
		body = append(body, app.P().Class("error").ID("activate-error").DataSet("code", enrollCode(p.actErr)).Text(activateMessage(l, p.actErr)))
	case phoneNotActivated:
		body = append(body, app.P().Class("notice big").ID("not-activated").Text(l.T("phone.notActivated")))
	default:
		body = append(body, p.renderOwner())
		switch state {
		case phoneConfirm:
			body = append(body, app.Button().Class("button primary confirm-punch").ID("confirm-punch").
				Text(l.T("phone.confirm")).OnClick(p.confirm))
		case phonePunched:
			body = append(body, p.renderResult(), p.fieldAfter())
		default:
			body = append(body, app.P().Class("notice").ID("phone-hint").Text(l.T("phone.hint")), p.renderField())
		}
		body = append(body, p.renderMonth(), p.renderRecent())
	}
	return app.Main().Class("phone").ID("phone").DataSet("state", state).Body(
		app.Header().Class("top").Body(
			app.H1().Class("brand").Text("punchclock"),
			app.Div().Class("actions").Body(
				app.Button().Class("button").ID("lang").Text(l.T("lang.toggle")).OnClick(p.toggleLang),
			),
		),
		app.Section().Class("phone-body").Body(body...),
		p.renderStatus(),
	)
}

// renderOwner says whom the phone punches for.
func (p *Phone) renderOwner() app.UI {
	l := p.lang
	return app.Div().Class("phone-owner").ID("phone-owner").DataSet("employee", p.employee.ID).Body(
		app.P().Class("label").Text(l.T("phone.owner")),
		app.P().Class("name").ID("phone-name").Text(p.employee.Name),
		app.If(errors.Is(p.actErr, ErrActivated), func() app.UI {
			if p.status.Fatal != nil {
				// A revoked phone keeps its old identity and chain, which a
				// new activation cannot continue; only a fresh database can.
				return app.P().Class("error").ID("activate-note").Text(l.T("phone.reset"))
			}
			return app.P().Class("notice").ID("activate-note").Text(l.T("phone.alreadyActivated"))
		}),
		app.If(p.activated && p.left && p.employee.ID != "", func() app.UI {
			return app.P().Class("error").ID("phone-inactive").Text(l.T("phone.inactive"))
		}),
	)
}

// punchOutcome sums up an entry of the phone for the page in one word:
// accepted or rejected by the server; pending (on its way), offline (the
// last try to send failed: it waits on the phone) or stopped (the server
// no longer knows the phone: it will not be sent).
func (p *Phone) punchOutcome(e outbox.Entry) string {
	switch e.State {
	case outbox.StateSynced:
		return "accepted"
	case outbox.StateRejected:
		return "rejected"
	}
	switch s := p.status; {
	case s.Fatal != nil:
		return "stopped"
	case s.Started && !s.Online && s.Failures > 0:
		return "offline"
	}
	return "pending"
}

// renderResult shows the page's punch: committed (and where it is) or not.
func (p *Phone) renderResult() app.UI {
	l := p.lang
	result := func(cls, state, code, head, detail string) app.UI {
		return app.Div().Class("confirm "+cls).ID("punch-result").DataSet("state", state).DataSet("code", code).
			DataSet("direction", string(p.punchDir)).DataSet("late", p.punchLate).Body(
			app.P().Class("who").ID("result-head").Text(head),
			app.If(detail != "", func() app.UI {
				return app.P().Class("what").ID("result-detail").Text(detail)
			}),
		)
	}
	switch {
	case p.busy:
		return result("idle", "saving", "", l.T("phone.saving"), "")
	case errors.Is(p.punchErr, ErrNotKioskQR):
		return result("bad", "failed", "not-qr", l.T("phone.notQR"), "")
	case errors.Is(p.punchErr, outbox.ErrQuota):
		return result("bad", "failed", "quota", l.T("phone.quota"), "")
	case p.punchErr != nil:
		return result("bad", "failed", "failed", l.T("punch.failed", errorText(l, p.punchErr)), "")
	}
	var e *outbox.Entry
	for i := range p.entries {
		if p.entries[i].ID == p.punchID {
			e = &p.entries[i]
		}
	}
	if e == nil { // committed; the list has not caught up yet
		return result("idle", "pending", "", l.T("phone.queued"), "")
	}
	at := punchTime(e.Punch).In(p.location()).Format("15:04")
	switch outcome := p.punchOutcome(*e); outcome {
	case "accepted":
		head := l.T(directionKeyOf(p.punchDir)) + " " + at
		if p.punchLate > 0 {
			head += " · " + l.T("punch.late", p.punchLate)
		}
		return result("ok", outcome, "", head, l.T("phone.accepted"))
	case "rejected":
		return result("bad", outcome, string(e.Code), rejectMessage(l, *e), "")
	case "offline":
		return result("warn", outcome, "", l.T("phone.offline"), at)
	case "stopped":
		return result("bad", outcome, "", l.T("phone.fatal"), at)
	default:
		return result("idle", outcome, "", l.T("phone.queued"), at)
	}
}

// rejectMessage says why the server refused a phone punch, in l, by its
// code: the two refusals an employee meets are worded for the phone, any
// other as on the kiosk (never the server's own message).
func rejectMessage(l Lang, e outbox.Entry) string {
	switch e.Code {
	case wire.CodeExpired:
		return l.T("phone.expired")
	case wire.CodeConflict:
		return l.T("phone.used")
	}
	return refusalText(l, e.Code)
}

// location is the zone punches are shown in: the employee's home site's.
func (p *Phone) location() *time.Location {
	if p.loc == nil {
		return time.UTC
	}
	return p.loc
}

// renderRecent lists the phone's punches with their states.
func (p *Phone) renderRecent() app.UI {
	l := p.lang
	es := p.entries
	if len(es) > recentShown {
		es = es[:recentShown]
	}
	var list app.UI
	if len(es) == 0 {
		list = app.P().Class("none").ID("recent").DataSet("count", "0").Text(l.T("manager.none"))
	} else {
		loc := p.location()
		list = app.Ul().Class("recent").ID("recent").DataSet("count", len(p.entries)).Body(
			app.Range(es).Slice(func(i int) app.UI {
				e := es[i]
				outcome := p.punchOutcome(e)
				what := l.T("state.pending")
				switch outcome {
				case "accepted":
					what = l.T("phone.state.accepted")
				case "rejected":
					what = rejectMessage(l, e)
				case "offline":
					what = l.T("phone.state.offline")
				case "stopped":
					what = l.T("phone.state.stopped")
				}
				return app.Li().Class(outcome).DataSet("id", e.ID).DataSet("state", outcome).DataSet("code", string(e.Code)).Body(
					app.Span().Class("when").Text(punchTime(e.Punch).In(loc).Format("01-02 15:04")),
					app.Span().Class("what").Text(what),
				)
			}),
		)
	}
	return app.Section().Class("phone-recent").Body(
		app.H2().Text(l.T("phone.recent")),
		list,
	)
}

// renderStatus is the phone's small status line; its data attributes
// carry the raw figures for tests.
func (p *Phone) renderStatus() app.UI {
	l, s := p.lang, p.status
	online, text := "unknown", l.T("st.connecting")
	switch {
	case s.Started && s.Online:
		online, text = "yes", l.T("st.online")
	case s.Started && (s.Failures > 0 || !s.LastSync.IsZero()):
		online, text = "no", l.T("st.offline")
	}
	var alerts []app.UI
	if s.Fatal != nil {
		alerts = append(alerts, app.Span().Class("alert").ID("sync-fatal").Text(l.T("phone.fatal")))
	}
	if p.loadErr != nil {
		alerts = append(alerts, app.Span().Class("alert").ID("storage-error").Text(l.T("st.error", errorText(l, p.loadErr))))
	}
	return app.Footer().Class("phone-strip").ID("phone-status").
		DataSet("device", p.device).
		DataSet("online", online).
		DataSet("pending", strconv.Itoa(s.Pending)).
		Body(
			app.Span().Class("net "+online).Text(text),
			app.If(s.Pending > 0, func() app.UI {
				return app.Span().Text(l.T("st.waiting") + " " + strconv.Itoa(s.Pending))
			}),
			app.Span().Class("version").Text(Version()),
			app.Range(alerts).Slice(func(i int) app.UI { return alerts[i] }),
		)
}

// activateMessage says why an activation failed.
func activateMessage(l Lang, err error) string {
	switch {
	case errors.Is(err, ErrUnknownCode):
		return l.T("phone.unknownLink")
	case errors.Is(err, ErrUsedCode):
		return l.T("phone.usedLink")
	case errors.Is(err, ErrExpiredCode):
		return l.T("phone.expiredLink")
	case errors.Is(err, ErrUnreachable):
		return l.T("phone.unreachable")
	}
	return l.T("phone.activateFailed", errorText(l, err))
}
