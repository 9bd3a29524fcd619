package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// session is who is signed in (GET /api/v1/auth/me, POST /auth/signin).
type session struct {
	User struct {
		ID    string `json:"id"`
		Login string `json:"login"`
		Name  string `json:"name"`
		Role  string `json:"role"`
		Unit  string `json:"unit"`
		// EmployeeID is the employee the person is, if any: an
		// employee's dashboard is theirs.
		EmployeeID string `json:"employee_id"`
	} `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// langKey is where the console keeps the viewer's language.
const langKey = "punchclock.console.lang"

// Console is the console's page: the sign-in form, then the sections the
// signed-in person's role opens.
type Console struct {
	app.Compo

	// ctx is the page's own context, from OnMount: work that ends after
	// an event's element is gone (the sign-in form, a confirmation's
	// button) dispatches through it, as go-app drops a dispatch whose
	// element is no longer mounted.
	ctx     app.Context
	lang    lang
	api     *api
	checked bool // the session was asked for
	me      *session

	login, password string
	signinErr       string // a refusal code
	busy            bool

	section string // one of sections ("" the first)
	kiosks  kiosksView
	people  peopleView
	phones  phonesView
	org     orgView
	sites   sitesView
	rules   rulesView
	matrix  matrixView

	employees employeesView
	units     unitsView
	dash      dashboardView
	webhooks  webhooksView
	trail     trailView
}

// sections are the console's sections in the order of its navigation.
var sections = []string{"kiosks", "people", "org", "sites", "rules", "dashboard", "trail"}

// employeeSections are an employee's: their own dashboard.
var employeeSections = []string{"dashboard"}

// navFor is the sections of the signed-in person's role.
func (c *Console) navFor() []string {
	if c.me != nil && c.me.User.Role == "employee" {
		return employeeSections
	}
	return sections
}

func (c *Console) show(section string) app.EventHandler {
	return func(app.Context, app.Event) {
		c.section = section
		switch {
		case section == "rules" && !c.rules.loaded && !c.rules.busy:
			c.rules.load(c)
			c.matrix.load(c)
		case section == "sites" && !c.sites.loaded:
			c.sites.load(c)
		case section == "org" && !c.org.loaded:
			c.org.load(c)
		case section == "people" && !c.employees.loaded && !c.employees.busy:
			c.employees.start(c)
		case section == "dashboard":
			c.dash.start(c)
		}
		if section == "org" && c.me.User.Role == "super_admin" && !c.units.loaded {
			c.units.load(c)
		}
		// The kiosks' fleet and the sites (which the kiosks and the rules
		// offer) afresh: a site made meanwhile can be picked at once.
		if (section == "kiosks" || section == "rules") && c.kiosks.loaded {
			c.kiosks.load(c)
		}
		if section == "kiosks" && c.me.User.Role == "super_admin" {
			c.webhooks.load(c)
		}
	}
}

// OnMount picks the language and asks punchd who is signed in.
func (c *Console) OnMount(ctx app.Context) {
	c.ctx, c.lang = ctx, "en"
	var saved string
	ctx.LocalStorage().Get(langKey, &saved)
	switch {
	case saved == "zh" || saved == "en":
		c.lang = lang(saved)
	case strings.HasPrefix(app.Window().Get("navigator").Get("language").String(), "zh"):
		c.lang = "zh"
	}
	c.api = &api{client: client}
	a := c.api
	ctx.Async(func() {
		var me session
		err := a.call(context.Background(), http.MethodGet, "/api/v1/auth/me", nil, &me)
		ctx.Dispatch(func(ctx app.Context) {
			c.checked = true
			if err == nil && me.User.ID != "" {
				c.signedIn(&me)
			}
		})
	})
}

// signedIn opens the console for me.
func (c *Console) signedIn(me *session) {
	c.me, c.api.csrf = me, me.CSRFToken
	c.password, c.signinErr = "", ""
	if me.User.Role == "employee" {
		// An employee's console is their own dashboard.
		c.section = "dashboard"
		c.dash.start(c)
		return
	}
	c.kiosks.start(c)
	c.people.start(c)
	if me.User.Role == "super_admin" {
		c.webhooks.load(c)
	}
}

func (c *Console) onLogin(ctx app.Context, e app.Event) {
	c.login = ctx.JSSrc().Get("value").String()
}

func (c *Console) onPassword(ctx app.Context, e app.Event) {
	c.password = ctx.JSSrc().Get("value").String()
}

// signIn sends the form (Enter in a field or the button).
func (c *Console) signIn(_ app.Context, e app.Event) {
	e.PreventDefault()
	if c.busy {
		return
	}
	c.busy, c.signinErr = true, ""
	ctx, a, req := c.ctx, c.api, map[string]string{"login": c.login, "password": c.password}
	ctx.Async(func() {
		var me session
		err := a.call(context.Background(), http.MethodPost, "/api/v1/auth/signin", req, &me)
		ctx.Dispatch(func(app.Context) {
			c.busy = false
			if err != nil {
				c.signinErr = code(err)
				return
			}
			c.signedIn(&me)
		})
	})
}

func (c *Console) signOut(app.Context, app.Event) {
	ctx, a := c.ctx, c.api
	ctx.Async(func() {
		a.call(context.Background(), http.MethodPost, "/api/v1/auth/signout", nil, nil)
		ctx.Dispatch(func(ctx app.Context) {
			c.me, c.api.csrf, c.section = nil, "", ""
			c.kiosks.end()
			c.people, c.phones, c.rules, c.matrix = peopleView{}, phonesView{}, rulesView{}, matrixView{}
			c.org, c.sites = orgView{}, sitesView{}
			c.employees, c.units, c.trail = employeesView{}, unitsView{}, trailView{}
			if c.dash.onSlice != nil {
				c.dash.onSlice.Release()
			}
			c.dash = dashboardView{}
		})
	})
}

func (c *Console) toggleLang(ctx app.Context, e app.Event) {
	c.lang = c.lang.other()
	ctx.LocalStorage().Set(langKey, string(c.lang))
	if c.section == "dashboard" {
		c.dash.draw(c) // the charts' words in the new language
	}
}

// Render draws the header and the sign-in form or the sections.
func (c *Console) Render() app.UI {
	l := c.lang
	if l == "" {
		l = "en"
	}
	var user app.UI = app.Text("")
	if c.me != nil {
		user = app.Span().Class("user").Body(
			app.Span().ID("me").DataSet("role", c.me.User.Role).Text(c.me.User.Name),
			app.Button().ID("signout").Class("button").Text(l.t("signout")).OnClick(c.signOut),
		)
	}
	var body app.UI
	switch {
	case !c.checked:
		body = app.P().Class("empty").Text(l.t("loading"))
	case c.me == nil:
		body = c.renderSignIn(l)
	default:
		nav := c.navFor()
		current := c.section
		if current == "" {
			current = nav[0]
		}
		var section app.UI
		switch current {
		case "people":
			section = c.people.render(c, l)
			// Phone links are the administrators' (POST
			// /api/v1/admin/phone-links): nobody else sees the form.
			if c.me.User.Role == "super_admin" {
				section = app.Div().Body(section, c.phones.render(c, l))
			}
		case "rules":
			section = app.Div().Body(c.rules.render(c, l), c.matrix.render(c, l))
		case "sites":
			section = c.sites.render(c, l)
		case "dashboard":
			section = c.dash.render(c, l)
		case "trail":
			section = c.trail.render(c, l)
		case "org":
			section = c.org.render(c, l)
			if c.me.User.Role == "super_admin" {
				section = app.Div().Body(section, c.units.render(c, l))
			}
		default:
			section = c.kiosks.render(c, l)
			// Webhooks are the administrators' (/api/v1/admin/webhooks).
			if c.me.User.Role == "super_admin" {
				section = app.Div().Body(section, c.webhooks.render(c, l))
			}
		}
		body = app.Div().Body(
			app.Nav().Body(app.Range(nav).Slice(func(i int) app.UI {
				b := app.Button().ID("nav-" + nav[i]).Class("tab").Text(l.t("nav." + nav[i])).OnClick(c.show(nav[i]))
				if nav[i] == current {
					b = b.Class("current").Aria("current", "page")
				}
				return b
			})),
			section,
		)
	}
	return app.Div().Class("console").Lang(string(l)).Body(
		app.Header().Body(
			app.H1().Text(l.t("title")),
			app.Div().Class("actions").Body(
				user,
				app.Button().ID("lang").Class("button").Text(l.t("lang.toggle")).OnClick(c.toggleLang),
			),
		),
		app.Main().Body(body),
	)
}

func (c *Console) renderSignIn(l lang) app.UI {
	var msg app.UI = app.Text("")
	if c.signinErr != "" {
		msg = app.P().ID("signin-error").Class("error").Attr("role", "alert").DataSet("code", c.signinErr).Text(l.refusal(c.signinErr))
	}
	return app.Form().ID("signin").Class("card").OnSubmit(c.signIn).Body(
		app.H2().Text(l.t("signin.title")),
		app.Label().For("signin-login").Text(l.t("signin.login")),
		app.Input().ID("signin-login").Type("text").Attr("autocomplete", "username").Value(c.login).OnInput(c.onLogin).AutoFocus(true),
		app.Label().For("signin-password").Text(l.t("signin.password")),
		app.Input().ID("signin-password").Type("password").Attr("autocomplete", "current-password").Value(c.password).OnInput(c.onPassword),
		msg,
		app.Button().ID("signin-submit").Class("button primary").Type("submit").Disabled(c.busy).Text(l.t("signin.submit")),
	)
}
