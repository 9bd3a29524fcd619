package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ruleConfig is GET/PUT /api/v1/rule/config's answer. The configuration
// stays a JSON tree: the console edits a few fields of it and sends the
// rest back as it came (a field it does not know is kept, not dropped).
type ruleConfig struct {
	SiteID  string         `json:"site_id"`
	Version int64          `json:"version"`
	Config  map[string]any `json:"config"`
	Changes []ruleChange   `json:"changes"`
	Saved   bool           `json:"saved"`
}

// ruleChange is an employee-day whose verdict a configuration changes.
type ruleChange struct {
	EmployeeID string   `json:"employee_id"`
	Date       string   `json:"date"`
	Fields     []string `json:"fields"`
	Before     *struct {
		Status string `json:"status"`
	} `json:"before"`
	After *struct {
		Status string `json:"status"`
	} `json:"after"`
}

// graceFields are the exception layer's fields the rules section edits,
// in minutes, with their bounds.
var graceFields = []struct {
	key      string
	min, max int
}{{"late_grace_min", 0, 240}, {"early_grace_min", 0, 240}, {"serious_late_min", 0, 720}}

// previewDays is how far back a preview looks by default.
const previewDays = 31

// rulesView is the rules section: a site's (or the default) grace
// periods, edited with a check next to each field, previewed (what the
// change does to the employee-days of a period, before anything is
// saved) and then saved.
type rulesView struct {
	site    string // "" the default rules
	loaded  bool
	cfg     *ruleConfig
	values  map[string]string // the fields as typed
	invalid map[string]bool
	serious bool // seriously late is not beyond the late grace
	from    string
	to      string
	preview *ruleConfig // the last preview, of exactly the values typed
	saved   *ruleConfig
	err     string
	detail  string // the server's words for err
	busy    bool
	sched   schedEditor    // the shifts, rotations and weekly schedules (shifts.go, weekly.go)
	asg     assignEditor   // who works which schedule (assign.go)
	hol     holidayEditor  // the calendar (holidays.go)
	ot      overtimeEditor // overtime and make-up punches (overtime.go)
}

// load reads the chosen site's configuration.
func (v *rulesView) load(c *Console) {
	ctx, a, site := c.ctx, c.api, v.site
	v.loaded, v.err, v.preview, v.saved = false, "", nil, nil
	if v.to == "" {
		now := time.Now()
		v.from, v.to = now.AddDate(0, 0, -previewDays+1).Format(time.DateOnly), now.Format(time.DateOnly)
	}
	ctx.Async(func() {
		var rc ruleConfig
		err := a.call(context.Background(), http.MethodGet, "/api/v1/rule/config?site_id="+url.QueryEscape(site), nil, &rc)
		ctx.Dispatch(func(app.Context) {
			if v.site != site {
				return
			}
			v.loaded, v.err = true, code(err)
			if err != nil {
				return
			}
			v.cfg, v.values, v.invalid, v.sched, v.asg = &rc, map[string]string{}, map[string]bool{}, schedEditor{}, assignEditor{}
			v.hol, v.ot = holidayEditor{year: v.hol.year}, newOvertimeEditor(ruleSet(rc.Config))
			ex := exceptions(rc.Config)
			for _, f := range graceFields {
				n, _ := ex[f.key].(float64)
				v.values[f.key] = strconv.Itoa(int(n))
			}
		})
	})
}

// exceptions is the configuration's rules.exceptions object, made when
// missing.
func exceptions(cfg map[string]any) map[string]any { return ruleMap(cfg, "exceptions") }

// ruleMap is the configuration's rules.KEY object, made when missing.
func ruleMap(cfg map[string]any, key string) map[string]any {
	rs, ok := cfg["rules"].(map[string]any)
	if !ok {
		rs = map[string]any{}
		cfg["rules"] = rs
	}
	m, ok := rs[key].(map[string]any)
	if !ok {
		m = map[string]any{}
		rs[key] = m
	}
	return m
}

// changed notes a change applied to the configuration: the last preview
// is stale, and the change waits for a preview and a save.
func (v *rulesView) changed() {
	v.sched.pending++
	v.preview, v.saved = nil, nil
}

func (v *rulesView) onSite(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v.site = ctx.JSSrc().Get("value").String()
		v.load(c)
	}
}

// onField keeps a typed value and checks the fields at once; any edit
// makes the last preview stale.
func (v *rulesView) onField(key string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v.values[key], v.preview, v.saved = ctx.JSSrc().Get("value").String(), nil, nil
		v.check()
	}
}

// check marks the fields in error: out of range, or seriously late not
// beyond the late grace (the rules engine refuses it too).
func (v *rulesView) check() {
	for _, f := range graceFields {
		v.invalid[f.key] = !validField(f.key, v.values[f.key])
	}
	late, err1 := strconv.Atoi(v.values["late_grace_min"])
	serious, err2 := strconv.Atoi(v.values["serious_late_min"])
	v.serious = err1 == nil && err2 == nil && serious > 0 && serious <= late
	v.invalid["serious_late_min"] = v.invalid["serious_late_min"] || v.serious
}

func (v *rulesView) onDate(which *string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		*which, v.preview, v.saved = ctx.JSSrc().Get("value").String(), nil, nil
	}
}

// validField reports whether s is a whole number of minutes within key's
// bounds.
func validField(key, s string) bool {
	n, err := strconv.Atoi(s)
	for _, f := range graceFields {
		if f.key == key {
			return err == nil && n >= f.min && n <= f.max
		}
	}
	return false
}

// edited is the configuration with the typed values, or false when one
// is invalid.
func (v *rulesView) edited() (map[string]any, bool) {
	if v.cfg == nil {
		return nil, false
	}
	raw, err := json.Marshal(v.cfg.Config)
	if err != nil {
		return nil, false
	}
	var cfg map[string]any
	if json.Unmarshal(raw, &cfg) != nil {
		return nil, false
	}
	ex := exceptions(cfg)
	for _, f := range graceFields {
		s := v.values[f.key]
		if v.invalid[f.key] || !validField(f.key, s) {
			return nil, false
		}
		n, _ := strconv.Atoi(s)
		if n == 0 {
			delete(ex, f.key)
		} else {
			ex[f.key] = n
		}
	}
	return cfg, v.ot.apply(cfg)
}

// send previews (preview) or saves the edited configuration, with the
// changes it makes in from..to.
func (v *rulesView) send(c *Console, preview bool) app.EventHandler {
	return func(app.Context, app.Event) {
		cfg, ok := v.edited()
		if !ok || v.busy {
			return
		}
		ctx, a, site := c.ctx, c.api, v.site
		q := url.Values{"site_id": {site}, "from": {v.from}, "to": {v.to}}
		if preview {
			q.Set("preview", "true")
		}
		v.busy, v.err = true, ""
		ctx.Async(func() {
			var rc ruleConfig
			err := a.call(context.Background(), http.MethodPut, "/api/v1/rule/config?"+q.Encode(), cfg, &rc)
			ctx.Dispatch(func(app.Context) {
				v.busy = false
				if v.site != site {
					return
				}
				if v.err, v.detail = code(err), detail(err); err != nil {
					return
				}
				if preview {
					v.preview = &rc
					return
				}
				v.saved, v.preview, v.sched.pending = &rc, nil, 0
				v.cfg.Config, v.cfg.Version = rc.Config, rc.Version
			})
		})
	}
}

// verdict says a change's verdicts: "late → normal", or "absent, details
// changed" when the status stays (the minutes, the shift, a reason).
func verdict(l lang, c ruleChange) string {
	if c.Before != nil && c.After != nil && c.Before.Status == c.After.Status {
		return l.t("rules.sameStatus", l.t("status."+c.Before.Status))
	}
	from, to := "—", "—"
	if c.Before != nil {
		from = l.t("status." + c.Before.Status)
	}
	if c.After != nil {
		to = l.t("status." + c.After.Status)
	}
	return from + " → " + to
}

// summary counts the changes by verdict, the most first: "9 × late →
// normal".
func summary(l lang, cs []ruleChange) []string {
	n := map[string]int{}
	for _, c := range cs {
		n[verdict(l, c)]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if n[keys[i]] != n[keys[j]] {
			return n[keys[i]] > n[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%d × %s", n[k], k)
	}
	return out
}

func (v *rulesView) render(c *Console, l lang) app.UI {
	head := app.Div().Class("card").Body(
		app.Label().For("rules-site").Text(l.t("rules.site")),
		app.Select().ID("rules-site").OnChange(v.onSite(c)).Body(
			app.Option().Value("").Selected(v.site == "").Text(l.t("rules.default")),
			app.Range(c.kiosks.sites).Slice(func(i int) app.UI {
				s := c.kiosks.sites[i]
				return app.Option().Value(s.ID).Selected(s.ID == v.site).Text(s.Name)
			}),
		),
	)
	var body app.UI
	switch {
	case !v.loaded && v.err == "":
		body = app.P().Class("empty").Text(l.t("loading"))
	case v.err == "forbidden":
		body = app.P().ID("rules-forbidden").Class("empty").Text(l.t("forbidden.rules"))
	case v.cfg == nil:
		body = app.P().ID("rules-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err))
	default:
		body = app.Div().Body(v.renderSched(c, l), v.renderWeekly(c, l), v.renderAssign(c, l), v.renderHolidays(c, l), v.renderOvertime(l), v.renderForm(c, l))
	}
	return app.Section().ID("rules").Body(app.H2().Text(l.t("rules.title")), head, body)
}

func (v *rulesView) renderForm(c *Console, l lang) app.UI {
	// An open form is applied first.
	valid := v.cfg != nil && !v.sched.open() && !v.asg.open() && v.hol.form == nil && v.hol.ics == nil && len(v.ot.errs) == 0
	for _, bad := range v.invalid {
		valid = valid && !bad
	}
	fields := app.Range(graceFields).Slice(func(i int) app.UI {
		f := graceFields[i]
		id := "rule-" + f.key
		var msg app.UI = app.Text("")
		switch {
		case f.key == "serious_late_min" && v.serious:
			msg = app.Span().ID(id+"-error").Class("error").Attr("role", "alert").Text(l.t("rules.seriousAfterGrace"))
		case v.invalid[f.key]:
			msg = app.Span().ID(id+"-error").Class("error").Attr("role", "alert").Text(l.t("rules.range", f.min, f.max))
		}
		return app.Div().Class("field").Body(
			app.Label().For(id).Text(l.t("rules."+f.key)),
			app.Input().ID(id).Type("number").Attr("min", f.min).Attr("max", f.max).Value(v.values[f.key]).
				Aria("invalid", v.invalid[f.key]).OnInput(v.onField(f.key)),
			msg,
		)
	})
	var result app.UI = app.Text("")
	switch {
	case v.busy:
		result = app.P().Class("empty").Text(l.t("loading"))
	case v.err != "":
		result = app.P().ID("rules-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Title(v.detail).Text(l.refusal(v.err))
	case v.saved != nil:
		result = app.P().ID("rules-saved").DataSet("version", v.saved.Version).DataSet("changes", len(v.saved.Changes)).
			Text(l.t("rules.saved", len(v.saved.Changes)))
	case v.preview != nil:
		p := v.preview
		sum := summary(l, p.Changes)
		result = app.Div().ID("rules-preview").DataSet("changes", len(p.Changes)).Body(
			app.P().Text(l.t("rules.changes", len(p.Changes), v.from, v.to)),
			app.Ul().ID("rules-summary").Body(app.Range(sum).Slice(func(i int) app.UI { return app.Li().Text(sum[i]) })),
			app.If(len(p.Changes) > 0, func() app.UI {
				return app.Details().Body(
					app.Summary().Text(l.t("rules.list")),
					app.Table().ID("rules-changes").Body(app.TBody().Body(app.Range(p.Changes).Slice(func(i int) app.UI {
						ch := p.Changes[i]
						return app.Tr().DataSet("employee", ch.EmployeeID).DataSet("date", ch.Date).Body(
							app.Td().Text(ch.EmployeeID), app.Td().Text(ch.Date), app.Td().Text(verdict(l, ch)),
						)
					}))),
				)
			}),
			app.Button().ID("rules-save").Class("button primary").Text(l.t("rules.save")).OnClick(v.send(c, false)),
		)
	}
	return app.Div().ID("rules-form").Class("card").DataSet("site", v.site).Body(
		app.H3().Text(l.t("rules.grace")),
		fields,
		app.Div().Class("field").Body(
			app.Label().For("rules-from").Text(l.t("rules.from")),
			app.Input().ID("rules-from").Type("date").Value(v.from).OnChange(v.onDate(&v.from)),
			app.Label().For("rules-to").Text(l.t("rules.to")),
			app.Input().ID("rules-to").Type("date").Value(v.to).OnChange(v.onDate(&v.to)),
		),
		app.Button().ID("rules-preview-button").Class("button").Disabled(!valid || v.busy).Text(l.t("rules.preview")).OnClick(v.send(c, true)),
		result,
	)
}
