package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

// kiosk is a kiosk as GET /api/v1/admin/fleet shows it.
type kiosk struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	SiteID   string       `json:"site_id"`
	Revoked  bool         `json:"revoked"`
	LastSync time.Time    `json:"last_sync"`
	OffsetMS int64        `json:"offset_ms"`
	Stale    bool         `json:"stale"`
	Health   *wire.Health `json:"health"`
}

type site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Zone string `json:"zone,omitempty"`
}

// enrollCode is POST /api/v1/admin/enrollment-codes's answer.
type enrollCode struct {
	Code   string `json:"code"`
	SiteID string `json:"site_id"`
	// URL is the kiosk page with the code filled in, shown as a QR code.
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// refreshEvery is how often the kiosks section asks for the fleet again.
const refreshEvery = 30 * time.Second

// kiosksView is the kiosks section: the fleet's health, enrolling a
// tablet, revoking one.
type kiosksView struct {
	loaded bool
	err    string // the refusal code of the last load
	fleet  []kiosk
	sites  []site

	site      string      // the site a code is made for
	code      *enrollCode // the last code made
	codeQR    string      // its URL as an SVG QR code, a data: URL
	enrollErr string

	asking    string // the kiosk whose revocation waits for a confirmation
	revokeErr string

	renaming  string // the kiosk being renamed, and the name typed
	newName   string
	renameErr string
	stop      context.CancelFunc // ends the refreshing started by start

	// terms is the terminals card (terminals.go).
	terms terminalsView
}

// start loads the fleet and the sites, then the fleet again every
// refreshEvery while the page is open.
func (v *kiosksView) start(c *Console) {
	if v.stop != nil {
		return
	}
	ctx := c.ctx
	done, stop := context.WithCancel(ctx)
	v.stop = stop
	v.load(c)
	ctx.Async(func() {
		for {
			select {
			case <-done.Done():
				return
			case <-time.After(refreshEvery):
			}
			ctx.Dispatch(func(ctx app.Context) {
				if done.Err() == nil {
					v.load(c)
				}
			})
		}
	})
}

// end stops the refreshing and forgets what the section showed (at sign
// out).
func (v *kiosksView) end() {
	if v.stop != nil {
		v.stop()
	}
	*v = kiosksView{}
}

// load asks punchd for the fleet and the sites, and the terminals.
func (v *kiosksView) load(c *Console) {
	v.terms.load(c)
	ctx, a := c.ctx, c.api
	ctx.Async(func() {
		var fleet struct {
			Kiosks []kiosk `json:"kiosks"`
		}
		var sites struct {
			Sites []site `json:"sites"`
		}
		bg := context.Background()
		err := a.call(bg, http.MethodGet, "/api/v1/admin/fleet", nil, &fleet)
		// The sites also serve the rules section, which head office HR
		// opens without the fleet.
		serr := a.call(bg, http.MethodGet, "/api/v1/sites", nil, &sites)
		ctx.Dispatch(func(ctx app.Context) {
			v.loaded, v.err = true, code(err)
			if serr == nil {
				v.sites = sites.Sites
				if v.site == "" && len(v.sites) > 0 {
					v.site = v.sites[0].ID
				}
			}
			if err == nil {
				v.fleet = fleet.Kiosks
			}
		})
	})
}

func (v *kiosksView) refresh(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) { v.load(c) }
}

func (v *kiosksView) onSite(ctx app.Context, e app.Event) {
	v.site = ctx.JSSrc().Get("value").String()
}

// enroll makes a one-time enrollment code for the chosen site.
func (v *kiosksView) enroll(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		ctx, a, req := c.ctx, c.api, map[string]string{"site_id": v.site}
		v.enrollErr, v.code, v.codeQR = "", nil, ""
		ctx.Async(func() {
			var got enrollCode
			err := a.call(context.Background(), http.MethodPost, "/api/v1/admin/enrollment-codes", req, &got)
			qr := ""
			if err == nil && got.URL != "" {
				qr, err = qrSVG(got.URL)
			}
			ctx.Dispatch(func(ctx app.Context) {
				if v.enrollErr = code(err); err == nil {
					v.code, v.codeQR = &got, qr
				}
			})
		})
	}
}

// ask opens the confirmation of a kiosk's revocation.
func (v *kiosksView) ask(id string) app.EventHandler {
	return func(ctx app.Context, e app.Event) { v.asking, v.revokeErr = id, "" }
}

func (v *kiosksView) cancel(ctx app.Context, e app.Event) { v.asking = "" }

// revoke revokes the kiosk asked about, once confirmed.
func (v *kiosksView) revoke(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		ctx, id, a := c.ctx, v.asking, c.api
		v.asking = ""
		ctx.Async(func() {
			err := a.call(context.Background(), http.MethodPost, "/api/v1/admin/devices/"+url.PathEscape(id)+"/revoke", nil, nil)
			ctx.Dispatch(func(app.Context) {
				v.revokeErr = code(err)
				v.load(c)
			})
		})
	}
}

// siteZone is the IANA zone of site id, "" when unknown.
func (v *kiosksView) siteZone(id string) string {
	for _, s := range v.sites {
		if s.ID == id {
			return s.Zone
		}
	}
	return ""
}

func (v *kiosksView) siteName(id string) string {
	for _, s := range v.sites {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

// offset says a clock offset in words: "+1.2 s", "-3 min".
func offset(l lang, ms int64) string {
	d := (time.Duration(ms) * time.Millisecond).Round(100 * time.Millisecond)
	sign := "+"
	switch {
	case d == 0:
		return "0.0 s"
	case d < 0:
		sign, d = "-", -d
	}
	if d >= time.Minute {
		return sign + l.t("minutes", int(d.Round(time.Minute)/time.Minute))
	}
	return sign + fmt.Sprintf("%.1f s", d.Seconds())
}

// storage says whether the kiosk's storage is kept (persisted) and, when
// the browser estimated it, how much of its quota is used.
func storage(l lang, h *wire.Health) string {
	s := yesNo(l, h.StoragePersisted)
	if h.StorageQuota > 0 {
		s += fmt.Sprintf(" · %.1f / %.0f MB", float64(h.StorageUsage)/1e6, float64(h.StorageQuota)/1e6)
	}
	return s
}

func yesNo(l lang, b bool) string {
	if b {
		return l.t("yes")
	}
	return l.t("no")
}

func (v *kiosksView) render(c *Console, l lang) app.UI {
	if !v.loaded {
		return app.Section().ID("kiosks").Body(app.P().Class("empty").Text(l.t("loading")))
	}
	if v.err == "forbidden" {
		return app.Section().ID("kiosks").Body(app.P().ID("kiosks-forbidden").Class("empty").Text(l.t("forbidden.kiosks")))
	}
	var list app.UI
	switch {
	case v.err != "":
		list = app.P().ID("kiosks-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err))
	case len(v.fleet) == 0:
		list = app.P().ID("kiosks-none").Class("empty").Text(l.t("kiosks.none"))
	default:
		list = app.Table().ID("fleet").DataSet("count", len(v.fleet)).Body(
			app.Caption().Class("hint").Text(l.t("kiosks.zoneHint")),
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("kiosks.name")), app.Th().Text(l.t("kiosks.site")), app.Th().Text(l.t("kiosks.lastSync")),
				app.Th().Text(l.t("kiosks.waiting")), app.Th().Text(l.t("kiosks.oldest")), app.Th().Text(l.t("kiosks.offset")),
				app.Th().Text(l.t("kiosks.version")), app.Th().Text(l.t("kiosks.face")), app.Th().Text(l.t("kiosks.storage")),
				app.Th().Text(l.t("kiosks.camera")), app.Th(),
			)),
			app.TBody().Body(app.Range(v.fleet).Slice(func(i int) app.UI { return v.row(c, l, v.fleet[i]) })),
		)
	}
	var confirm app.UI = app.Text("")
	if v.asking != "" {
		name := v.asking
		for _, k := range v.fleet {
			if k.ID == v.asking && k.Name != "" {
				name = k.Name
			}
		}
		confirm = app.Div().ID("confirm-revoke").Class("card confirm").Attr("role", "alertdialog").Body(
			app.P().Text(l.t("kiosks.revokeAsk", name)),
			app.Button().ID("revoke-yes").Class("button danger").Text(l.t("kiosks.revokeYes")).OnClick(v.revoke(c)).AutoFocus(true),
			app.Button().ID("revoke-cancel").Class("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		)
	}
	var revokeMsg app.UI = app.Text("")
	if v.revokeErr != "" {
		revokeMsg = app.P().ID("revoke-error").Class("error").Attr("role", "alert").DataSet("code", v.revokeErr).Text(l.refusal(v.revokeErr))
	}
	return app.Section().ID("kiosks").Body(
		app.Div().Class("section-head").Body(
			app.H2().Text(l.t("kiosks.title")),
			app.Button().ID("kiosks-refresh").Class("button").Text(l.t("kiosks.refresh")).OnClick(v.refresh(c)),
		),
		list, confirm, revokeMsg,
		v.renderEnroll(c, l),
		v.terms.render(c, l),
	)
}

func (v *kiosksView) row(c *Console, l lang, k kiosk) app.UI {
	state := "ok"
	switch {
	case k.Revoked:
		state = "revoked"
	case k.Stale:
		state = "stale"
	}
	name := k.Name
	if name == "" {
		name = k.ID
	}
	cells := []app.UI{
		v.nameCell(c, l, k, name, state),
		app.Td().Text(v.siteName(k.SiteID)),
		app.Td().DataSet("field", "last_sync").Text(when(l, k.LastSync, v.siteZone(k.SiteID))),
	}
	if h := k.Health; h != nil {
		oldest := "—"
		if h.Pending > 0 && !h.OldestPending.IsZero() {
			oldest = when(l, h.OldestPending, v.siteZone(k.SiteID))
		}
		cells = append(cells,
			app.Td().Class("num").DataSet("field", "pending").Text(h.Pending),
			app.Td().Text(oldest),
			app.Td().Text(offset(l, k.OffsetMS)),
			app.Td().DataSet("field", "version").Text(h.AppVersion),
			app.Td().Text(l.t("face."+h.Face)),
			app.Td().DataSet("field", "storage").DataSet("quota", h.StorageQuota).Text(storage(l, h)),
			app.Td().DataSet("field", "camera").DataSet("value", h.Camera).Text(l.t("camera."+h.Camera)),
		)
	} else {
		cells = append(cells, app.Td().ColSpan(7).Class("empty").Text(l.t("kiosks.noReport")))
	}
	var action app.UI = app.Td()
	if !k.Revoked {
		action = app.Td().Body(app.Button().ID("revoke-" + k.ID).Class("button").Text(l.t("kiosks.revoke")).OnClick(v.ask(k.ID)))
	}
	cells = append(cells, action)
	return app.Tr().DataSet("kiosk", k.ID).DataSet("state", state).Class(state).Body(cells...)
}

func (v *kiosksView) renderEnroll(c *Console, l lang) app.UI {
	var result app.UI = app.Text("")
	switch {
	case v.enrollErr != "":
		result = app.P().ID("enroll-error").Class("error").Attr("role", "alert").DataSet("code", v.enrollErr).Text(l.refusal(v.enrollErr))
	case v.code != nil:
		result = app.Div().ID("enroll-result").Body(
			app.P().Text(l.t("enroll.code")),
			app.P().ID("made-code").Class("code").DataSet("code", v.code.Code).Text(v.code.Code),
			app.If(v.codeQR != "", func() app.UI {
				return app.Div().ID("enroll-link").DataSet("url", v.code.URL).Body(
					app.P().Text(l.t("enroll.scan")),
					app.Img().ID("enroll-qr").Class("qr").Src(v.codeQR).Alt(l.t("enroll.qrAlt")).Width(280).Height(280),
					app.P().Class("code").Style("font-size", "1rem").Text(v.code.URL),
				)
			}),
			app.P().Class("hint").Text(l.t("enroll.expires", when(l, v.code.ExpiresAt, v.siteZone(v.code.SiteID)))),
		)
	}
	return app.Div().Class("card").ID("enroll").Body(
		app.H3().Text(l.t("enroll.title")),
		app.Label().For("enroll-site").Text(l.t("enroll.site")),
		app.Select().ID("enroll-site").OnChange(v.onSite).Body(app.Range(v.sites).Slice(func(i int) app.UI {
			s := v.sites[i]
			return app.Option().Value(s.ID).Selected(s.ID == v.site).Text(s.Name)
		})),
		app.Button().ID("enroll-make").Class("button primary").Disabled(v.site == "").Text(l.t("enroll.submit")).OnClick(v.enroll(c)),
		result,
	)
}
