package pages

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

// The kiosk screen is for employees: the technical status (connection,
// queue, clock offset, version, storage) sits in a panel behind a small
// glyph in the header, and the screen itself warns only when punches are
// at risk, in plain words.

const (
	// statusOpenFor is how long the status panel stays open after a tap
	// on the glyph, so a panel opened and forgotten does not stay all day.
	statusOpenFor = 30 * time.Second
	// unsyncedAfter is how long a punch may wait to be sent before the
	// screen warns: a short outage is normal and the outbox keeps them.
	unsyncedAfter = time.Hour
	// quotaNearlyFull is the share of the browser's storage quota in use
	// from which the screen warns.
	quotaNearlyFull = 0.9
	// quotaEvery is how often the kiosk asks the browser for its storage
	// estimate.
	quotaEvery = time.Minute
)

// The risks to punches the screen warns about, as the warning's data-risk
// attribute lists them.
const (
	RiskUnsynced = "unsynced" // punches waiting to be sent for over an hour
	RiskStorage  = "storage"  // the kiosk could not store a punch or read its queue
	RiskQuota    = "quota"    // the browser's storage is nearly full
	RiskStopped  = "stopped"  // the server refused the kiosk: nothing will be sent
)

// storageUse is the browser's storage estimate.
type storageUse struct {
	usage, quota float64
}

// risksOf lists the risks to punches: s is the queue and sync state,
// statErr why the queue could not be read, refused whether the last punch
// could not be stored, use the storage estimate (zero when unknown). A
// kiosk that is merely offline, or whose storage is not marked persistent,
// is not at risk: the outbox keeps its punches and sends them later.
func risksOf(s Status, statErr error, refused bool, use storageUse) []string {
	var out []string
	if s.Pending > 0 && s.OldestPending > unsyncedAfter {
		out = append(out, RiskUnsynced)
	}
	if refused || statErr != nil || s.StartErr != nil {
		out = append(out, RiskStorage)
	}
	if use.quota > 0 && use.usage >= quotaNearlyFull*use.quota {
		out = append(out, RiskQuota)
	}
	if s.Fatal != nil {
		out = append(out, RiskStopped)
	}
	return out
}

// checkQuota asks the browser for its storage estimate, at most once every
// quotaEvery; the answer comes back on the UI goroutine.
func (k *Kiosk) checkQuota(ctx app.Context) {
	now := k.env.Clock()
	if !app.IsClient || (!k.quotaAt.IsZero() && now.Sub(k.quotaAt) < quotaEvery) {
		return
	}
	k.quotaAt = now
	st := app.Window().Get("navigator").Get("storage")
	if !st.Truthy() || !st.Get("estimate").Truthy() {
		return
	}
	var ok, fail app.Func
	release := func() { ok.Release(); fail.Release() }
	ok = app.FuncOf(func(this app.Value, args []app.Value) any {
		use := storageUse{usage: args[0].Get("usage").Float(), quota: args[0].Get("quota").Float()}
		ctx.Dispatch(func(ctx app.Context) {
			release()
			k.use = use
		})
		return nil
	})
	fail = app.FuncOf(func(this app.Value, args []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) { release() })
		return nil
	})
	st.Call("estimate").Call("then", ok, fail)
}

// renderRisk is the employee's warning: nothing while punches are safe.
func (k *Kiosk) renderRisk() app.UI {
	risks := risksOf(k.status, k.statErr, k.refused, k.use)
	if len(risks) == 0 {
		return nil
	}
	return app.Div().Class("risk").ID("risk").DataSet("risk", strings.Join(risks, " ")).Body(
		app.Range(risks).Slice(func(i int) app.UI {
			return app.P().Text(k.lang.T("risk." + risks[i]))
		}),
	)
}

// online is the connection's state for the strip and the glyph: "yes",
// "no" or "unknown", and its words.
func (k *Kiosk) online() (string, string) {
	s, l := k.status, k.lang
	switch {
	case s.Started && s.Online:
		return "yes", l.T("st.online")
	case s.Started && (s.Failures > 0 || !s.LastSync.IsZero()):
		return "no", l.T("st.offline")
	}
	return "unknown", l.T("st.connecting")
}

// renderGlyph is the small status button in the header: a dot coloured by
// the connection, which opens the status panel.
func (k *Kiosk) renderGlyph() app.UI {
	online, text := k.online()
	cls := "glyph " + online
	if k.statusOpen {
		cls += " open"
	}
	return app.Button().Class(cls).ID("status-glyph").
		Title(k.lang.T("st.glyph")+": "+text).Aria("label", k.lang.T("st.glyph")).Aria("expanded", k.statusOpen).
		Text("●").OnClick(k.toggleStatus)
}

func (k *Kiosk) toggleStatus(ctx app.Context, e app.Event) {
	k.statusOpen = !k.statusOpen
	k.statusUntil = k.env.Clock().Add(statusOpenFor)
}

// renderStatus is the status panel, shown when the glyph is tapped. It is
// in the page either way: its data attributes carry the raw figures for
// tests and monitoring.
func (k *Kiosk) renderStatus() app.UI {
	l, s := k.lang, k.status
	online, onlineText := k.online()
	last := l.T("st.never")
	if !s.LastSync.IsZero() {
		last = l.T("st.ago", age(k.env.Clock().Sub(s.LastSync)))
	}
	offset := l.T("st.offsetUnknown")
	if s.OffsetKnown {
		offset = signed(s.Offset)
	}
	oldest := "–"
	if s.Pending > 0 {
		oldest = age(s.OldestPending)
	}
	var alerts []app.UI
	if s.Fatal != nil {
		alerts = append(alerts, app.Span().Class("alert").ID("sync-fatal").DataSet("code", string(wire.CodeOf(s.Fatal))).Text(l.T("st.stopped")))
	}
	if s.StartErr != nil {
		alerts = append(alerts, app.Span().Class("alert").Text(l.T("st.error", errorText(l, s.StartErr))))
	}
	if k.statErr != nil {
		alerts = append(alerts, app.Span().Class("alert").ID("storage-error").Text(l.T("st.error", errorText(l, k.statErr))))
	}
	if k.env != nil && !k.env.Persisted {
		alerts = append(alerts, app.Span().Class("note").ID("not-persistent").Text(l.T("st.notPersistent")))
	}
	if k.use.quota > 0 {
		alerts = append(alerts, app.Span().Class("item").ID("st-storage").Body(
			app.Span().Class("label").Text(l.T("st.storage")),
			app.Span().Class("value").Text(fmt.Sprintf("%.0f%%", 100*k.use.usage/k.use.quota)),
		))
	}
	item := func(id, label, value string) app.UI {
		return app.Span().Class("item").ID(id).Body(
			app.If(label != "", func() app.UI { return app.Span().Class("label").Text(label) }),
			app.Span().Class("value").Text(value),
		)
	}
	device := ""
	if id, err := k.env.Outbox.Identity(); err == nil {
		device = id.DeviceID
	}
	faceState, faceText := k.faceStatus()
	nfcState := ""
	if k.nfc != nil {
		nfcState = k.nfc.state
	}
	cls := "strip"
	if k.statusOpen {
		cls += " open"
	}
	return app.Footer().Class(cls).ID("status").
		DataSet("device", device).
		DataSet("online", online).
		DataSet("pending", strconv.Itoa(s.Pending)).
		DataSet("rejected", strconv.Itoa(s.Rejected)).
		DataSet("face", faceState).
		DataSet("nfc", nfcState).
		Body(
			app.Span().Class("item net "+online).ID("st-online").Text(onlineText),
			item("st-pending", l.T("st.waiting"), strconv.Itoa(s.Pending)),
			item("st-oldest", l.T("st.oldest"), oldest),
			item("st-last", l.T("st.lastSync"), last),
			item("st-offset", l.T("st.offset"), offset),
			app.If(faceState != faceNone, func() app.UI {
				return app.Span().Class("item face "+faceState).ID("st-face").Body(
					app.Span().Class("label").Text(l.T("st.face")),
					app.Span().Class("value").Text(faceText),
				)
			}),
			app.If(nfcState != nfcNone, func() app.UI {
				return item("st-nfc", l.T("st.nfc"), l.T("nfc."+nfcState))
			}),
			app.If(s.Rejected > 0, func() app.UI {
				return item("st-rejected", l.T("st.rejected"), strconv.Itoa(s.Rejected))
			}),
			item("st-version", l.T("st.version"), Version()),
			app.Range(alerts).Slice(func(i int) app.UI { return alerts[i] }),
		)
}

// Version is the build's version as the Handler announced it to the page
// (go-app's GOAPP_VERSION), "dev" when unknown.
func Version() string {
	if v := app.Getenv("GOAPP_VERSION"); v != "" {
		return v
	}
	return "dev"
}

// age formats a duration for the strip: 45s, 12m, 3h05m, 2d04h.
func age(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// signed formats a clock offset with its sign: +0.12s, -3m05s.
func signed(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	if d < time.Minute {
		return fmt.Sprintf("%s%.2fs", sign, d.Seconds())
	}
	return sign + d.Round(time.Second).String()
}
