package console

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
)

// employeePage is how many employees a page of the list shows.
const employeePage = 20

// employeesView is the people section's employees: a list of the
// signed-in person's scope (HR its unit, a manager their subtree, an
// administrator everyone), searched and paged by punchd, and an editor
// of one employee for HR and administrators: name, badge, department
// (from the tree), site, direct manager (an employee), position (with
// the positions in use) and leaving date. Each problem is shown next to
// its field, by punchd's code. An administrator also clears the kiosk
// PIN of the employee's manager account there (pins.go).
type employeesView struct {
	loaded, busy bool
	err          string

	query     string // the search as typed
	searched  string // the search of the rows shown
	offset    int
	total     int
	rows      []employeeRow
	positions []string

	// What the editor picks from: the departments and sites the person
	// sees, and the scope's employees as managers.
	depts []attendance.Department
	sites []attendance.Site
	staff []employeeRow

	form *employeeForm
	// saved is the id of the employee last saved ("" none).
	saved string
	pins  pinReset
	// face is the editor's face enrolment (face.go).
	face faceEnrol
	// nfc is the editor's NFC tag writer (nfctag.go).
	nfc nfcTag
}

// employeeRow is an employee as the list answers: left says they are
// past their leaving date at punchd's clock.
type employeeRow struct {
	attendance.Employee
	Left bool `json:"left"`
}

// employeeForm is the editor of one employee: the values as typed and
// each field's problem (field -> code).
type employeeForm struct {
	e         attendance.Employee
	isNew     bool
	errs      map[string]string
	server    map[string]string // punchd's problems, until their field is edited
	saveErr   string            // a refusal's code, not a field's
	detail    string
	accountOf []account // the employee's accounts, for an administrator
}

// canWriteEmployees: administrators and HR (punchd holds HR to its unit).
func (c *Console) canWriteEmployees() bool { return c.canWriteOrg() }

// load asks punchd for the page at offset of the search typed.
func (v *employeesView) load(c *Console) {
	q := url.Values{"limit": {strconv.Itoa(employeePage)}, "offset": {strconv.Itoa(v.offset)}}
	if s := strings.TrimSpace(v.query); s != "" {
		q.Set("q", s)
	}
	var list struct {
		Employees []employeeRow `json:"employees"`
		Total     int           `json:"total"`
		Positions []string      `json:"positions"`
	}
	searched := v.query
	v.busy = true
	c.get("/api/v1/employees?"+q.Encode(), &list, func(err string) {
		v.loaded, v.busy, v.err = true, false, err
		if err != "" {
			return
		}
		v.rows, v.total, v.positions, v.searched = list.Employees, list.Total, list.Positions, searched
	})
}

// start loads the list and what the editor picks from.
func (v *employeesView) start(c *Console) {
	v.load(c)
	var depts struct {
		Departments []attendance.Department `json:"departments"`
	}
	c.get("/api/v1/departments", &depts, func(err string) { v.depts = depts.Departments })
	var sites struct {
		Sites []attendance.Site `json:"sites"`
	}
	c.get("/api/v1/sites", &sites, func(err string) { v.sites = sites.Sites })
	var staff struct {
		Employees []employeeRow `json:"employees"`
	}
	c.get("/api/v1/employees", &staff, func(err string) { v.staff = staff.Employees })
}

func (v *employeesView) onQuery(ctx app.Context, e app.Event) {
	v.query = ctx.JSSrc().Get("value").String()
}

// search shows the first page of what was typed.
func (v *employeesView) search(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		v.offset = 0
		v.load(c)
	}
}

// page moves the list by n pages.
func (v *employeesView) page(c *Console, n int) app.EventHandler {
	return func(app.Context, app.Event) {
		next := v.offset + n*employeePage
		if next < 0 || next >= v.total || v.busy {
			return
		}
		v.offset = next
		v.load(c)
	}
}

// edit opens the editor of the employee whose button was pressed (read
// from punchd, so what is saved is what is stored plus what is typed).
// The id is read from the button: go-app keeps a row's first handler
// when a search puts another employee in that row.
func (v *employeesView) edit(c *Console) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		id := ctx.JSSrc().Get("dataset").Get("id").String()
		var x attendance.Employee
		v.saved, v.pins, v.face = "", pinReset{}, faceEnrol{}
		v.nfc.reset("")
		c.get("/api/v1/employees/"+url.PathEscape(id), &x, func(err string) {
			if err != "" {
				v.err = err
				return
			}
			v.form = &employeeForm{e: x, errs: map[string]string{}}
			v.face.load(c, x.ID, x.Name)
			v.nfc.reset(x.ID)
			if c.me.User.Role == "super_admin" {
				v.pins.load(c, v.form)
			}
		})
	}
}

// onField keeps what is typed in field and checks the form again.
func (v *employeesView) onField(field string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		f := v.form
		if f == nil {
			return
		}
		val := ctx.JSSrc().Get("value").String()
		switch field {
		case attendance.FieldName:
			f.e.Name = val
		case attendance.FieldBadge:
			f.e.BadgeCode = strings.TrimSpace(val)
		case attendance.FieldDepartment:
			f.e.DepartmentID = val
		case attendance.FieldSite:
			f.e.SiteID = val
		case attendance.FieldManager:
			f.e.ManagerID = strings.TrimSpace(val)
		case attendance.FieldPosition:
			f.e.Position = val
		case attendance.FieldLeavingDate:
			f.e.LeavingDate = val
		}
		delete(f.server, field)
		f.check()
	}
}

// check finds the form's problems the browser can see by itself (the
// same checks as punchd's: attendance.Employee.Problems), and keeps
// punchd's own for the fields not edited since.
func (f *employeeForm) check() {
	f.errs = map[string]string{}
	maps.Copy(f.errs, f.server)
	for _, p := range f.e.Problems() {
		if _, ok := f.errs[p.Field]; !ok {
			f.errs[p.Field] = p.Code
		}
	}
}

func (v *employeesView) cancel(app.Context, app.Event) {
	v.form, v.pins, v.face = nil, pinReset{}, faceEnrol{}
	v.nfc.reset("")
}

// save sends the employee once the browser sees no problem; punchd's
// problems come back by field.
func (v *employeesView) save(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		f := v.form
		if f == nil || v.busy {
			return
		}
		f.check()
		if len(f.errs) > 0 {
			return
		}
		x, a := f.e, c.api
		x.Name = strings.TrimSpace(x.Name)
		v.busy, f.saveErr = true, ""
		c.ctx.Async(func() {
			var got attendance.Employee
			err := a.call(context.Background(), http.MethodPut, "/api/v1/employees/"+url.PathEscape(x.ID), x, &got)
			c.ctx.Dispatch(func(app.Context) {
				v.busy = false
				if v.form != f {
					return
				}
				if errs := fieldsOf(err); errs != nil {
					f.server = errs
					f.check()
					return
				}
				if f.saveErr, f.detail = code(err), detail(err); err != nil {
					return
				}
				v.form, v.pins, v.face, v.saved = nil, pinReset{}, faceEnrol{}, got.ID
				v.nfc.reset("")
				v.load(c)
			})
		})
	}
}

// deptName is a department's name ("" unknown: its id).
func (v *employeesView) deptName(id string) string {
	for _, d := range v.depts {
		if d.ID == id {
			return d.Name
		}
	}
	return id
}

// siteName is a site's name (its id when unknown).
func (v *employeesView) siteName(id string) string {
	for _, s := range v.sites {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

// fieldProblem says a field's problem code in l: the field's own text
// when it has one ("emp.err.badge_code.taken"), else the code's.
func fieldProblem(l lang, field, code string) string {
	if _, ok := texts[l]["emp.err."+field+"."+code]; ok {
		return l.t("emp.err." + field + "." + code)
	}
	if _, ok := texts[l]["emp.err."+code]; ok {
		return l.t("emp.err." + code)
	}
	return l.t("err.invalid")
}
