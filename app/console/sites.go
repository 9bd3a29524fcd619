package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
)

// sitesView is the sites section: every site with its zone, address and
// geofences; head office HR and administrators make and edit them (the
// zone from the IANA names, the face service, the geofences, added,
// removed and each typed or drawn on the site plan, the allowed
// networks), each field checked next to it before punchd is asked.
type sitesView struct {
	loaded bool
	err    string
	list   []attendance.Site

	form    *siteForm
	errs    map[string]fieldErr
	words   map[string]string // the validator's own words of errs, for a tooltip
	saveErr string
	detail  string
	saved   string // the id of the site saved last
	busy    bool
}

// canWriteSites: punchd lets administrators and head office HR write
// sites; the console shows the others no write control.
func (c *Console) canWriteSites() bool {
	u := c.me.User
	return u.Role == "super_admin" || u.Role == "hr" && u.Unit == "*"
}

func (v *sitesView) load(c *Console) {
	var list struct {
		Sites []attendance.Site `json:"sites"`
	}
	c.get("/api/v1/sites", &list, func(err string) {
		v.loaded, v.err = true, err
		if err == "" {
			v.list = list.Sites
		}
	})
}

// get asks punchd for path into out, then calls done on the page with
// the refusal code ("" none).
func (c *Console) get(path string, out any, done func(err string)) {
	ctx, a := c.ctx, c.api
	ctx.Async(func() {
		err := a.call(context.Background(), http.MethodGet, path, nil, out)
		ctx.Dispatch(func(app.Context) { done(code(err)) })
	})
}

// listState says a section's list while it loads, is refused, failed or
// is empty (section: "sites", "org"; its texts forbidden.SECTION and
// SECTION.none); nil when there is a list to show.
func listState(l lang, section string, loaded bool, err string, empty bool) app.UI {
	switch {
	case !loaded:
		return app.P().Class("empty").Text(l.t("loading"))
	case err == "forbidden":
		return app.P().ID(section + "-forbidden").Class("empty").Text(l.t("forbidden." + section))
	case err != "":
		return app.P().ID(section+"-error").Class("error").Attr("role", "alert").DataSet("code", err).Text(l.refusal(err))
	case empty:
		return app.P().ID(section + "-none").Class("empty").Text(l.t(section + ".none"))
	}
	return nil
}

func (v *sitesView) taken(id string) bool {
	for _, s := range v.list {
		if s.ID == id {
			return true
		}
	}
	return false
}

// checkForm checks the form again, and grows the plan to show every
// fence as it changes.
func (v *sitesView) checkForm() {
	if v.form != nil {
		v.errs, v.words = v.form.check(v.taken)
		v.form.grow()
	}
}

// edit opens the form of site i (-1: a new site).
func (v *sitesView) edit(i int) app.EventHandler {
	return func(app.Context, app.Event) {
		if i < 0 {
			v.form = newSiteForm(nil)
		} else {
			s := v.list[i]
			v.form = newSiteForm(&s)
		}
		v.errs, v.words, v.saveErr, v.saved = map[string]fieldErr{}, map[string]string{}, "", ""
		if i >= 0 {
			v.checkForm()
		}
	}
}

func (v *sitesView) closeForm(app.Context, app.Event) { v.form, v.saveErr = nil, "" }

// field keeps what was typed into one of the form's fields and checks
// the form again.
func (v *sitesView) field(p func(*siteForm) *string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if v.form == nil {
			return
		}
		*p(v.form) = ctx.JSSrc().Get("value").String()
		v.saved = ""
		v.checkForm()
	}
}

// pickFence makes fence i the one edited and drawn on.
func (v *sitesView) pickFence(i int) app.EventHandler {
	return func(app.Context, app.Event) {
		if v.form != nil {
			v.form.selectFence(i)
			v.placed()
		}
	}
}

// addFence adds a fence of kind ("circle" or "polygon") and selects it.
func (v *sitesView) addFence(kind string) app.EventHandler {
	return func(app.Context, app.Event) {
		if v.form != nil {
			v.form.addFence(kind)
			v.placed()
		}
	}
}

// askRemove opens the confirmation of fence i's removal; i < 0 closes it.
func (v *sitesView) askRemove(i int) app.EventHandler {
	return func(app.Context, app.Event) {
		if v.form != nil {
			v.form.removing = i
		}
	}
}

// removeFence removes the fence asked about, once confirmed.
func (v *sitesView) removeFence(app.Context, app.Event) {
	if f := v.form; f != nil && f.removing >= 0 {
		f.removeFence(f.removing)
		v.placed()
	}
}

func (v *sitesView) clearPolygon(app.Context, app.Event) {
	if fe := v.form.current(); fe != nil {
		fe.polygon = ""
		v.placed()
	}
}

// save sends the site once every field is right.
func (v *sitesView) save(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		f := v.form
		if f == nil || v.busy {
			return
		}
		if v.checkForm(); len(v.errs) > 0 {
			return
		}
		s := f.site()
		cx, a := c.ctx, c.api
		v.busy, v.saveErr = true, ""
		cx.Async(func() {
			var got attendance.Site
			err := a.call(context.Background(), http.MethodPut, "/api/v1/sites/"+url.PathEscape(s.ID), s, &got)
			cx.Dispatch(func(app.Context) {
				v.busy = false
				if v.saveErr, v.detail = code(err), detail(err); err != nil {
					return
				}
				v.form, v.saved = nil, got.ID
				v.load(c)
				c.kiosks.load(c) // the enrollment's and the rules' site lists
			})
		})
	}
}

func (v *sitesView) render(c *Console, l lang) app.UI {
	write := c.canWriteSites()
	body := listState(l, "sites", v.loaded, v.err, len(v.list) == 0)
	if body == nil {
		body = app.Table().ID("sites-list").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("sites.id")), app.Th().Text(l.t("sites.name")), app.Th().Text(l.t("sites.zoneCol")),
				app.Th().Text(l.t("sites.address")), app.Th().Text(l.t("sites.fence")), app.Th().Text(l.t("sites.networks")), app.Th(),
			)),
			app.TBody().Body(app.Range(v.list).Slice(func(i int) app.UI {
				s := v.list[i]
				var act app.UI = app.Td()
				if write {
					act = app.Td().Body(app.Button().ID("site-edit-"+s.ID).Class("button").Text(l.t("sites.edit")).
						Aria("label", l.t("sites.editOf", s.Name)).OnClick(v.edit(i)))
				}
				return app.Tr().ID("site-"+s.ID).DataSet("fences", len(s.Fences)).Body(
					app.Td().Text(s.ID), app.Td().Text(s.Name), app.Td().Text(s.Zone), app.Td().Text(s.Address),
					app.Td().Text(siteSummary(l, s)), app.Td().Text(len(s.Networks)), act,
				)
			})),
		)
	}
	var saved app.UI = app.Text("")
	if v.saved != "" {
		saved = app.P().ID("site-saved").Attr("role", "status").DataSet("id", v.saved).Text(l.t("sites.saved", v.saved))
	}
	head := app.Div().Class("section-head").Body(app.H2().Text(l.t("sites.title")))
	if write && v.form == nil {
		head = app.Div().Class("section-head").Body(app.H2().Text(l.t("sites.title")),
			app.Button().ID("site-new").Class("button primary").Text(l.t("sites.new")).OnClick(v.edit(-1)))
	}
	var form app.UI = app.Text("")
	if write && v.form != nil {
		form = v.renderForm(c, l)
	}
	return app.Section().ID("sites").Body(head, saved, body, form)
}
