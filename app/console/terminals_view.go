package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func (v *terminalsView) render(c *Console, l lang) app.UI {
	out := []app.UI{app.H3().Text(l.t("term.title")), app.P().Class("hint").Text(l.t("term.hint"))}
	switch {
	case !v.loaded:
		out = append(out, app.P().Class("empty").Text(l.t("loading")))
	case v.err != "":
		out = append(out, app.P().ID("terminals-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err)))
	case len(v.list) == 0:
		out = append(out, app.P().ID("terminals-none").Class("empty").Text(l.t("term.none")))
	default:
		out = append(out, app.Table().ID("terminal-list").DataSet("count", len(v.list)).Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("term.serial")), app.Th().Text(l.t("term.name")), app.Th().Text(l.t("kiosks.site")),
				app.Th().Text(l.t("term.state")), app.Th().Text(l.t("term.seen")), app.Th().Text(l.t("kiosks.offset")),
				app.Th().Text(l.t("term.pull")), app.Th().Text(l.t("term.last")), app.Th(),
			)),
			app.TBody().Body(app.Range(v.list).Slice(func(i int) app.UI { return v.row(c, l, v.list[i]) })),
		))
	}
	if v.actErr != "" {
		out = append(out, app.P().ID("terminal-error").Class("error").Attr("role", "alert").DataSet("code", v.actErr).Title(v.actDetail).Text(l.refusal(v.actErr)))
	}
	if v.done != "" {
		out = append(out, app.P().ID("terminal-done").Attr("role", "status").DataSet("done", v.done).DataSet("serial", v.doneOf).Text(l.t("term.done."+v.done, v.doneOf)))
	}
	if v.asking != "" {
		out = append(out, app.Div().ID("confirm-terminal-delete").Class("card confirm").Attr("role", "alertdialog").Body(
			app.P().Text(l.t("term.deleteAsk", v.asking)),
			app.Button().ID("terminal-delete-yes").Class("button danger").Text(l.t("term.delete")).OnClick(v.remove(c)).AutoFocus(true),
			app.Button().ID("terminal-delete-cancel").Class("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		))
	}
	if v.form != nil {
		out = append(out, v.renderForm(c, l))
	} else if v.err == "" {
		out = append(out, app.Button().ID("terminal-new").Class("button").Text(l.t("term.new")).OnClick(v.open(c, false)))
	}
	return app.Div().ID("terminals").Class("card").Body(out...)
}

func (v *terminalsView) row(c *Console, l lang, t terminal) app.UI {
	zone := c.kiosks.siteZone(t.SiteID)
	site := "—"
	if t.SiteID != "" {
		site = c.kiosks.siteName(t.SiteID)
	}
	clock := offset(l, t.OffsetMS)
	if t.ClockFlagged {
		clock = l.t("term.clockOff", clock)
	}
	last, full := "—", ""
	if n := len(t.Commands); n > 0 {
		cmd := t.Commands[0]
		last, full = commandName(cmd.Command), cmd.Command
		switch {
		case !cmd.Done:
			last += " · " + l.t("term.cmdWaiting")
		case cmd.Return < 0:
			last += " · " + l.t("term.cmdFailed", cmd.Return)
		default:
			last += " · " + l.t("term.cmdDone")
		}
	}
	var actions []app.UI
	if t.State == "pending" {
		actions = append(actions, app.Button().ID("terminal-accept-"+t.Serial).DataSet("serial", t.Serial).Class("button primary").Text(l.t("term.accept")).OnClick(v.open(c, true)))
	} else {
		actions = append(actions,
			app.Button().ID("terminal-edit-"+t.Serial).DataSet("serial", t.Serial).Class("button").Text(l.t("emp.edit")).OnClick(v.open(c, true)),
			app.Button().ID("terminal-catchup-"+t.Serial).DataSet("serial", t.Serial).Class("button").Title(l.t("term.catchUpHint")).Text(l.t("term.catchUp")).OnClick(v.catchUp(c)),
		)
	}
	actions = append(actions, app.Button().ID("terminal-delete-"+t.Serial).DataSet("serial", t.Serial).Class("button").Text(l.t("term.delete")).OnClick(v.ask))
	return app.Tr().DataSet("serial", t.Serial).DataSet("state", t.State).DataSet("clock", t.ClockFlagged).Class(t.State).Body(
		app.Td().Class("code-cell").Text(t.Serial),
		app.Td().Text(t.Name),
		app.Td().Text(site),
		app.Td().DataSet("field", "state").Text(l.t("term.state."+t.State)),
		app.Td().Text(when(l, t.SeenAt, zone)),
		app.Td().DataSet("field", "clock").Text(clock),
		app.Td().Text(t.PullAddr),
		app.Td().DataSet("field", "last").Title(full).Text(last),
		app.Td().Body(actions...),
	)
}

// commandName is a queued command without its arguments: "DATA QUERY
// ATTLOG" of "DATA QUERY ATTLOG StartTime=... EndTime=...".
func commandName(cmd string) string {
	words := strings.Fields(cmd)
	for i, w := range words {
		if strings.Contains(w, "=") {
			words = words[:i]
			break
		}
	}
	return strings.Join(words, " ")
}

func (v *terminalsView) renderForm(c *Console, l lang) app.UI {
	f := v.form
	title := l.t("term.editing", f.serial)
	switch {
	case f.isNew:
		title = l.t("term.new")
	case f.pending:
		title = l.t("term.accepting", f.serial)
	}
	field := func(id, label, value, hint string) app.UI {
		in := app.Input().ID("terminal-" + id).Type("text").Value(value).OnInput(v.onField(id))
		if id == "serial" && !f.isNew {
			in = in.ReadOnly(true)
		}
		return app.Div().Class("field").Body(
			app.Label().For("terminal-"+id).Text(l.t(label)), in,
			app.If(hint != "", func() app.UI { return app.Span().Class("hint").Text(l.t(hint)) }),
		)
	}
	sites := c.kiosks.sites
	return app.Form().ID("terminal-form").Class("card").DataSet("serial", f.serial).DataSet("new", f.isNew).OnSubmit(v.save(c)).Body(
		app.H4().Text(title),
		field("serial", "term.serial", f.serial, ""),
		field("name", "term.name", f.name, ""),
		app.Div().Class("field").Body(
			app.Label().For("terminal-site").Text(l.t("kiosks.site")),
			app.Select().ID("terminal-site").OnChange(v.onField("site")).Body(app.Range(sites).Slice(func(i int) app.UI {
				s := sites[i]
				return app.Option().Value(s.ID).Selected(s.ID == f.site).Text(s.Name)
			})),
		),
		app.If(!f.pending, func() app.UI { return field("pull_addr", "term.pull", f.pullAddr, "term.pullHint") }),
		app.Button().ID("terminal-save").Class("button primary").Type("submit").Disabled(f.serial == "" || f.site == "").Text(l.t("term.save")),
		app.Button().ID("terminal-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
	)
}
