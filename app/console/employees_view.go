package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
)

func (v *employeesView) render(c *Console, l lang) app.UI {
	write := c.canWriteEmployees()
	body := listState(l, "employees", v.loaded, v.err, false)
	if body == nil {
		body = v.renderList(c, l, write)
	}
	var saved, form, face, nfc app.UI = app.Text(""), app.Text(""), app.Text(""), app.Text("")
	if v.saved != "" {
		saved = app.P().ID("emp-saved").Attr("role", "status").DataSet("id", v.saved).Text(l.t("emp.saved", v.saved))
	}
	if v.form != nil && write {
		form = v.renderForm(c, l)
		if !v.form.isNew {
			face = v.face.render(c, l)
			nfc = v.nfc.render(c, l)
		}
	}
	return app.Div().Class("card").ID("employees").Body(
		app.H3().Text(l.t("emp.title")),
		app.If(!write, func() app.UI { return app.P().ID("emp-readonly").Class("hint").Text(l.t("emp.readonly")) }),
		app.Form().ID("emp-search").Class("inline").OnSubmit(v.search(c)).Body(
			app.Label().For("emp-q").Text(l.t("emp.search")),
			app.Input().ID("emp-q").Type("search").Value(v.query).Placeholder(l.t("emp.searchHint")).OnInput(v.onQuery),
			app.Button().ID("emp-search-go").Class("button").Type("submit").Text(l.t("emp.searchGo")),
		),
		saved,
		form,
		face,
		nfc,
		body,
	)
}

func (v *employeesView) renderList(c *Console, l lang, write bool) app.UI {
	if len(v.rows) == 0 {
		return app.P().ID("employees-none").Class("empty").DataSet("q", v.searched).Text(l.t("employees.none"))
	}
	last := min(v.offset+len(v.rows), v.total)
	return app.Div().Body(
		app.Table().ID("emp-list").DataSet("total", v.total).DataSet("q", v.searched).Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("emp.id")), app.Th().Text(l.t("emp.name")), app.Th().Text(l.t("emp.dept")),
				app.Th().Text(l.t("emp.site")), app.Th().Text(l.t("emp.position")), app.Th().Text(l.t("emp.badge")),
				app.Th().Text(l.t("emp.manager")), app.Th().Text(l.t("emp.leaving")), app.If(write, func() app.UI { return app.Th().Text("") }),
			)),
			app.TBody().Body(app.Range(v.rows).Slice(func(i int) app.UI {
				e := v.rows[i]
				leaving := e.LeavingDate
				if e.Left {
					leaving = l.t("emp.left", e.LeavingDate)
				}
				tr := app.Tr().ID("emp-"+e.ID).DataSet("dept", e.DepartmentID).DataSet("left", e.Left)
				if e.Left {
					tr = tr.Class("dim")
				}
				return tr.Body(
					app.Td().Text(e.ID), app.Td().Class("emp-name").Text(e.Name), app.Td().Text(v.deptName(e.DepartmentID)),
					app.Td().Text(v.siteName(e.SiteID)), app.Td().Text(e.Position), app.Td().Class("emp-badge").Text(e.BadgeCode),
					app.Td().Text(e.ManagerID), app.Td().Class("emp-leaving").Text(leaving),
					app.If(write, func() app.UI {
						return app.Td().Body(app.Button().ID("emp-edit-"+e.ID).Class("button").Aria("label", l.t("emp.editOf", e.Name)).
							DataSet("id", e.ID).Text(l.t("emp.edit")).OnClick(v.edit(c)))
					}),
				)
			})),
		),
		app.Div().Class("pager").Body(
			app.Button().ID("emp-prev").Class("button").Disabled(v.offset == 0 || v.busy).Text(l.t("emp.prev")).OnClick(v.page(c, -1)),
			app.Span().ID("emp-range").Text(l.t("emp.range", v.offset+1, last, v.total)),
			app.Button().ID("emp-next").Class("button").Disabled(last >= v.total || v.busy).Text(l.t("emp.next")).OnClick(v.page(c, 1)),
		),
	)
}

// fieldMsg is field's problem next to it, when it has one.
func (f *employeeForm) fieldMsg(l lang, field string) app.UI {
	code, ok := f.errs[field]
	if !ok {
		return app.Text("")
	}
	return app.Span().ID("emp-"+field+"-error").Class("error").Attr("role", "alert").DataSet("code", code).Text(fieldProblem(l, field, code))
}

// input is a text field of the form, with its label and its problem.
func (v *employeesView) input(l lang, field, label, kind, value string) app.UI {
	in := app.Input().ID("emp-" + field).Type(kind).Value(value).OnInput(v.onField(field))
	if _, bad := v.form.errs[field]; bad {
		in = in.Aria("invalid", "true").Aria("describedby", "emp-"+field+"-error")
	}
	if field == attendance.FieldPosition {
		in = in.List("emp-positions")
	}
	if field == attendance.FieldManager {
		in = in.List("emp-staff")
	}
	return app.Div().Class("field").Body(app.Label().For("emp-"+field).Text(l.t(label)), in, v.form.fieldMsg(l, field))
}

func (v *employeesView) renderForm(c *Console, l lang) app.UI {
	f := v.form
	var refusal app.UI = app.Text("")
	if f.saveErr != "" {
		refusal = app.P().ID("emp-save-error").Class("error").Attr("role", "alert").DataSet("code", f.saveErr).Title(f.detail).Text(l.refusal(f.saveErr))
	}
	var pins app.UI = app.Text("")
	if c.me.User.Role == "super_admin" {
		pins = app.Div().ID("emp-pins").Class("card").Body(
			append([]app.UI{app.H4().Text(l.t("pin.title")), app.P().Class("hint").Text(l.t("pin.hint"))}, v.pins.render(c, l)...)...,
		)
	}
	return app.Form().ID("emp-form").Class("card").DataSet("id", f.e.ID).OnSubmit(v.save(c)).Body(
		app.H4().Text(l.t("emp.editing", f.e.Name, f.e.ID)),
		v.input(l, attendance.FieldName, "emp.name", "text", f.e.Name),
		v.input(l, attendance.FieldBadge, "emp.badge", "text", f.e.BadgeCode),
		app.Div().Class("field").Body(
			app.Label().For("emp-department_id").Text(l.t("emp.dept")),
			app.Select().ID("emp-department_id").OnChange(v.onField(attendance.FieldDepartment)).Body(
				app.Range(v.depts).Slice(func(i int) app.UI {
					d := v.depts[i]
					return app.Option().Value(d.ID).Selected(d.ID == f.e.DepartmentID).Text(d.Name)
				}),
			),
			f.fieldMsg(l, attendance.FieldDepartment),
		),
		app.Div().Class("field").Body(
			app.Label().For("emp-site_id").Text(l.t("emp.site")),
			app.Select().ID("emp-site_id").OnChange(v.onField(attendance.FieldSite)).Body(
				app.Option().Value("").Selected(f.e.SiteID == "").Text(l.t("emp.noSite")),
				app.Range(v.sites).Slice(func(i int) app.UI {
					s := v.sites[i]
					return app.Option().Value(s.ID).Selected(s.ID == f.e.SiteID).Text(s.Name)
				}),
			),
			f.fieldMsg(l, attendance.FieldSite),
		),
		v.input(l, attendance.FieldManager, "emp.manager", "text", f.e.ManagerID),
		app.DataList().ID("emp-staff").Body(app.Range(v.staff).Slice(func(i int) app.UI {
			e := v.staff[i]
			return app.Option().Value(e.ID).Label(e.Name)
		})),
		v.input(l, attendance.FieldPosition, "emp.position", "text", f.e.Position),
		app.DataList().ID("emp-positions").Body(app.Range(v.positions).Slice(func(i int) app.UI {
			return app.Option().Value(v.positions[i])
		})),
		v.input(l, attendance.FieldLeavingDate, "emp.leavingDate", "date", f.e.LeavingDate),
		app.P().Class("hint").Text(l.t("emp.leavingHint")),
		refusal,
		app.Button().ID("emp-save").Class("button primary").Type("submit").Disabled(v.busy).Text(l.t("emp.save")),
		app.Button().ID("emp-cancel").Class("button").Type("button").Text(l.t("kiosks.cancel")).OnClick(v.cancel),
		pins,
	)
}
