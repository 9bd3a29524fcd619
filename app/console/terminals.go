package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// terminal is a hardware terminal as GET /api/v1/admin/terminals lists
// it (package terminal): pending until an admin accepts it, then bound to
// a site.
type terminal struct {
	Serial       string            `json:"serial"`
	Name         string            `json:"name"`
	SiteID       string            `json:"site_id"`
	State        string            `json:"state"`
	OffsetMS     int64             `json:"offset_ms"`
	SeenAt       time.Time         `json:"seen_at"`
	Addr         string            `json:"addr"`
	PullAddr     string            `json:"pull_addr"`
	ClockFlagged bool              `json:"clock_flagged"`
	Commands     []terminalCommand `json:"commands"`
}

type terminalCommand struct {
	Command   string    `json:"command"`
	CreatedAt time.Time `json:"created_at"`
	Done      bool      `json:"done"`
	Return    int64     `json:"return"`
}

// terminalsView is the kiosks section's terminals card: the ZKTeco
// terminals that called punchd (pending) or were registered, accepting
// one for a site, registering a pull terminal by its address, a
// catch-up of the last week's records, deleting one. punchd decides who
// may (head office) and audits each change.
type terminalsView struct {
	loaded bool
	err    string
	list   []terminal
	// form is the terminal being accepted, registered or edited.
	form   *terminalForm
	asking string // the terminal whose deletion waits for a confirmation
	// actErr is the refusal of the last action, done what it did
	// ("catch_up", "deleted", "saved") and of which terminal.
	actErr, actDetail, done, doneOf string
}

type terminalForm struct {
	serial, name, site, pullAddr string
	pending, isNew               bool
}

const terminalsPath = "/api/v1/admin/terminals"

func terminalPath(serial string) string { return terminalsPath + "/" + url.PathEscape(serial) }

// load asks punchd for the terminals.
func (v *terminalsView) load(c *Console) {
	ctx, a := c.ctx, c.api
	ctx.Async(func() {
		var got struct {
			Terminals []terminal `json:"terminals"`
		}
		err := a.call(context.Background(), http.MethodGet, terminalsPath, nil, &got)
		ctx.Dispatch(func(app.Context) {
			v.loaded, v.err = true, code(err)
			if err == nil {
				v.list = got.Terminals
			}
		})
	})
}

// act sends one change and reloads the list; done names it on success.
func (v *terminalsView) act(c *Console, method, path string, body any, done, of string) {
	ctx, a := c.ctx, c.api
	v.actErr, v.done = "", ""
	ctx.Async(func() {
		err := a.call(context.Background(), method, path, body, nil)
		ctx.Dispatch(func(app.Context) {
			v.actErr, v.actDetail = code(err), detail(err)
			if err == nil {
				v.done, v.doneOf, v.form = done, of, nil
			}
			v.load(c)
		})
	})
}

// rowSerial is the serial of the row whose button fired, read from the
// button: go-app keeps a row's first handler when the list puts another
// terminal in that row.
func rowSerial(ctx app.Context) string {
	return ctx.JSSrc().Get("dataset").Get("serial").String()
}

// byRow finds the terminal of the row whose button fired, nil when gone.
func (v *terminalsView) byRow(ctx app.Context) *terminal {
	serial := rowSerial(ctx)
	for i := range v.list {
		if v.list[i].Serial == serial {
			return &v.list[i]
		}
	}
	return nil
}

// open starts the form: accepting a pending terminal or editing one (the
// row's), or registering a new one (row false).
func (v *terminalsView) open(c *Console, row bool) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		var t *terminal
		if row {
			if t = v.byRow(ctx); t == nil {
				return
			}
		}
		f := &terminalForm{isNew: t == nil, site: c.kiosks.site}
		if t != nil {
			f.serial, f.name, f.pullAddr, f.pending = t.Serial, t.Name, t.PullAddr, t.State == "pending"
			if t.SiteID != "" {
				f.site = t.SiteID
			}
		}
		v.form, v.actErr, v.done = f, "", ""
	}
}

func (v *terminalsView) onField(field string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		s := strings.TrimSpace(ctx.JSSrc().Get("value").String())
		switch field {
		case "serial":
			v.form.serial = s
		case "name":
			v.form.name = s
		case "site":
			v.form.site = s
		case "pull_addr":
			v.form.pullAddr = s
		}
	}
}

// save accepts a pending terminal or registers (or edits) one.
func (v *terminalsView) save(c *Console) app.EventHandler {
	return func(_ app.Context, e app.Event) {
		e.PreventDefault()
		f := v.form
		if f == nil || f.serial == "" {
			return
		}
		body := map[string]string{"name": f.name, "site_id": f.site}
		if f.pending {
			v.act(c, http.MethodPost, terminalPath(f.serial)+"/accept", body, "saved", f.serial)
			return
		}
		if f.pullAddr != "" {
			body["pull_addr"] = f.pullAddr
		}
		v.act(c, http.MethodPut, terminalPath(f.serial), body, "saved", f.serial)
	}
}

func (v *terminalsView) cancel(app.Context, app.Event) { v.form, v.asking = nil, "" }

// catchUp asks the terminal to send its last seven days again (what is
// stored already is stored once).
func (v *terminalsView) catchUp(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		serial := rowSerial(ctx)
		now := time.Now()
		body := map[string]string{"kind": "catch_up", "from": now.AddDate(0, 0, -6).Format(time.DateOnly), "to": now.Format(time.DateOnly)}
		v.act(c, http.MethodPost, terminalPath(serial)+"/commands", body, "catch_up", serial)
	}
}

func (v *terminalsView) ask(ctx app.Context, _ app.Event) {
	v.asking, v.actErr, v.done = rowSerial(ctx), "", ""
}

func (v *terminalsView) remove(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		serial := v.asking
		v.asking = ""
		v.act(c, http.MethodDelete, terminalPath(serial), nil, "deleted", serial)
	}
}
