package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
)

// maxImport is the largest file the console sends (punchd's limit).
const maxImport = 4 << 20

// peopleView is the people section: employees imported from a
// spreadsheet, checked first (a dry run lists every row's problem and
// writes nothing), then written, all rows or none.
type peopleView struct {
	depts []department // the departments a badge sheet can be printed for, or exported
	dept  string       // the one chosen
	rep   reportView   // the monthly sheet's range

	file    string // the chosen file's name
	data    []byte
	kind    string // its content type
	report  *wire.ImportReport
	err     string
	busy    bool
	written int
}

// department is a department as GET /api/v1/departments lists it.
type department struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// start lists the departments for the badge sheets: every one for an
// administrator; HR, who may not list them, has its unit.
func (v *peopleView) start(c *Console) {
	ctx, a, unit := c.ctx, c.api, c.me.User.Unit
	ctx.Async(func() {
		var list struct {
			Departments []department `json:"departments"`
		}
		err := a.call(context.Background(), http.MethodGet, "/api/v1/departments", nil, &list)
		ctx.Dispatch(func(app.Context) {
			switch {
			case err == nil:
				v.depts = list.Departments
			case unit != "":
				v.depts = []department{{ID: unit, Name: unit}}
			}
			if len(v.depts) > 0 {
				v.dept = v.depts[0].ID
			}
		})
	})
}

func (v *peopleView) onDept(ctx app.Context, e app.Event) {
	v.dept = ctx.JSSrc().Get("value").String()
}

// onFile reads the chosen file and sends it for a dry run at once.
func (v *peopleView) onFile(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		files := ctx.JSSrc().Get("files")
		if !files.Truthy() || files.Length() == 0 {
			return
		}
		f := files.Index(0)
		name, size := f.Get("name").String(), f.Get("size").Int()
		v.file, v.data, v.report, v.err, v.busy, v.written = name, nil, nil, "", true, 0
		if size > maxImport {
			v.busy, v.err = false, "too_large"
			return
		}
		kind := "text/csv"
		if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
			kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		readFile(c, f, func(data []byte) {
			if v.file != name {
				return // another file was chosen meanwhile
			}
			v.data, v.kind = data, kind
			v.check(c, true)
		})
	}
}

// readFile reads the browser's file f and calls done with its bytes on
// the page.
func readFile(c *Console, f app.Value, done func([]byte)) {
	var then app.Func
	then = app.FuncOf(func(this app.Value, args []app.Value) any {
		then.Release()
		u8 := app.Window().Get("Uint8Array").New(args[0])
		data := make([]byte, u8.Length())
		app.CopyBytesToGo(data, u8)
		c.ctx.Dispatch(func(app.Context) { done(data) })
		return nil
	})
	f.Call("arrayBuffer").Call("then", then)
}

// check sends the file: a dry run, or the import itself.
func (v *peopleView) check(c *Console, dry bool) {
	ctx, a, data, kind, name := c.ctx, c.api, v.data, v.kind, v.file
	v.busy, v.err = true, ""
	path := "/api/v1/employees/import"
	if dry {
		path += "?dry_run=true"
	}
	ctx.Async(func() {
		var rep wire.ImportReport
		err := a.send(context.Background(), http.MethodPost, path, kind, data, &rep)
		ctx.Dispatch(func(app.Context) {
			if v.file != name {
				return
			}
			v.busy = false
			if err != nil {
				v.err = code(err)
				return
			}
			v.report = &rep
			if !dry {
				v.written = rep.Written
			}
		})
	})
}

func (v *peopleView) write(c *Console) app.EventHandler {
	return func(app.Context, app.Event) { v.check(c, false) }
}

func (v *peopleView) render(c *Console, l lang) app.UI {
	var result app.UI = app.Text("")
	switch r := v.report; {
	case v.busy:
		result = app.P().Class("empty").Text(l.t("loading"))
	case v.err == "forbidden":
		result = app.P().ID("import-error").Class("error").DataSet("code", v.err).Text(l.t("forbidden.import"))
	case v.err != "":
		result = app.P().ID("import-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err))
	case r == nil:
	case !r.DryRun:
		result = app.P().ID("import-done").DataSet("written", v.written).Text(l.t("import.written", v.written))
	case len(r.Problems) > 0:
		result = app.Div().Body(
			app.P().ID("import-summary").Class("error").DataSet("problems", len(r.Problems)).Text(l.t("import.problems", r.Rows, len(r.Problems))),
			app.Table().ID("import-problems").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text(l.t("import.line")), app.Th().Text(l.t("import.field")), app.Th().Text(l.t("import.problem")))),
				app.TBody().Body(app.Range(r.Problems).Slice(func(i int) app.UI {
					p := r.Problems[i]
					return app.Tr().DataSet("line", p.Line).DataSet("code", p.Code).Body(app.Td().Class("num").Text(p.Line),
						app.Td().Text(importField(l, p.Field)), app.Td().Title(p.Message).Text(importProblem(l, p)))
				})),
			),
		)
	default:
		result = app.Div().Body(
			app.P().ID("import-summary").DataSet("problems", 0).Text(l.t("import.ready", r.Rows, r.New, r.Changed)),
			app.Button().ID("import-write").Class("button primary").Text(l.t("import.write", r.Valid)).OnClick(v.write(c)),
		)
	}
	write := c.canWriteEmployees()
	var badges app.UI = app.Text("")
	// Badge sheets and the import are HR's: a manager, who may read the
	// employees, has neither control (punchd refuses both anyway).
	if write && len(v.depts) > 0 {
		badges = app.Div().Class("card").ID("badges").Body(
			app.H3().Text(l.t("badges.title")),
			app.P().Class("hint").Text(l.t("badges.hint")),
			app.Label().For("badges-dept").Text(l.t("badges.dept")),
			app.Select().ID("badges-dept").OnChange(v.onDept).Body(app.Range(v.depts).Slice(func(i int) app.UI {
				d := v.depts[i]
				return app.Option().Value(d.ID).Selected(d.ID == v.dept).Text(d.Name)
			})),
			app.A().ID("badges-pdf").Class("button primary").Href("/api/v1/badges?department_id="+url.QueryEscape(v.dept)).
				Attr("download", "badges-"+v.dept+".pdf").Text(l.t("badges.download")),
		)
	}
	return app.Section().ID("people").Body(
		app.H2().Text(l.t("people.title")),
		c.employees.render(c, l),
		v.rep.render(v, l),
		badges,
		app.If(write, func() app.UI {
			return app.Div().Class("card").Body(
				app.H3().Text(l.t("import.title")),
				app.P().Class("hint").Text(l.t("import.hint")),
				app.Label().For("import-file").Text(l.t("import.file")),
				app.Input().ID("import-file").Type("file").Accept(".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").OnChange(v.onFile(c)),
				result,
			)
		}),
	)
}

// importField says an import's field (a column) in l.
func importField(l lang, field string) string {
	if _, ok := texts[l]["import.f."+field]; ok {
		return l.t("import.f." + field)
	}
	return field
}

// importProblem says an import problem in l by its code; the server's
// English words only for a code this console does not know (a newer
// punchd), and always in the row's title.
func importProblem(l lang, p wire.ImportProblem) string {
	if _, ok := texts[l]["import.code."+p.Code]; ok && p.Code != "" {
		return l.t("import.code." + p.Code)
	}
	return p.Message
}
