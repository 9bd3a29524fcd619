package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// matrixEntry routes a kind of request of a department to one to three
// approvers, level after level (GET/PUT /api/v1/approval/matrix).
type matrixEntry struct {
	DepartmentID string   `json:"department_id"`
	Kind         string   `json:"kind"`
	Approvers    []string `json:"approvers"`
}

// matrixKinds are the kinds of request an approval route is for
// (approval.Kinds).
var matrixKinds = []string{"makeup_punch", "out_of_fence", "weak_gps", "offline_declared", "overtime"}

// person is an employee as GET /api/v1/employees lists them.
type person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// matrixView is the approval matrix: who approves which kind of request
// of which department, of the departments the signed-in person's scope
// holds. Administrators and HR (punchd holds HR to its unit) edit it: the
// routes are changed here, the changes listed before they are saved;
// others see the routes without a write control.
type matrixView struct {
	loaded  bool
	err     string
	stored  []matrixEntry // as punchd has them
	entries []matrixEntry // as edited
	depts   []department
	people  []person
	posts   []string // the positions in use (the rules' assignments offer them)
	form    *matrixForm
	errs    map[string]fieldErr
	preview bool // the changes are shown, to be saved
	busy    bool
	saveErr string
	detail  string
	saved   bool
}

// matrixForm is a route being made or edited.
type matrixForm struct {
	index     int // in entries; len(entries): a new one
	dept      string
	kind      string
	approvers [3]string
}

func (v *matrixView) load(c *Console) {
	ctx, a := c.ctx, c.api
	v.loaded, v.err = false, ""
	ctx.Async(func() {
		bg := context.Background()
		var m struct {
			Matrix []matrixEntry `json:"matrix"`
		}
		var d struct {
			Departments []department `json:"departments"`
		}
		var e struct {
			Employees []person `json:"employees"`
			Positions []string `json:"positions"`
		}
		err := a.call(bg, http.MethodGet, "/api/v1/approval/matrix", nil, &m)
		if err == nil {
			err = a.call(bg, http.MethodGet, "/api/v1/departments", nil, &d)
		}
		if err == nil {
			err = a.call(bg, http.MethodGet, "/api/v1/employees?active=true", nil, &e)
		}
		ctx.Dispatch(func(app.Context) {
			v.loaded, v.err = true, code(err)
			if err != nil {
				return
			}
			v.stored, v.entries = m.Matrix, slices.Clone(m.Matrix)
			v.depts, v.people, v.posts = d.Departments, e.Employees, e.Positions
			v.form, v.preview = nil, false
		})
	})
}

// open opens the form of route i (len(entries): a new one). The
// approvers are set on the page too (go-app keeps a reused input's text).
func (v *matrixView) open(c *Console, i int) app.EventHandler {
	return func(app.Context, app.Event) {
		f := &matrixForm{index: i, kind: matrixKinds[0]}
		if i < len(v.entries) {
			e := v.entries[i]
			f.dept, f.kind = e.DepartmentID, e.Kind
			copy(f.approvers[:], e.Approvers)
		} else if len(v.depts) > 0 {
			f.dept = v.depts[0].ID
		}
		v.form, v.preview, v.saved = f, false, false
		v.check()
		c.ctx.Defer(func(app.Context) {
			for j, a := range f.approvers {
				setValue(fmt.Sprintf("matrix-approver-%d", j+1), a)
			}
		})
	}
}

// check checks the open route as punchd would: a department and a kind
// of the lists, one route per department and kind, one to three
// approvers, level after level, each an active employee the person may
// name.
func (v *matrixView) check() {
	f := v.form
	v.errs = map[string]fieldErr{}
	if f == nil {
		return
	}
	if !slices.ContainsFunc(v.depts, func(d department) bool { return d.ID == f.dept }) {
		v.errs["dept"] = fieldErr{key: "matrix.err.dept"}
	}
	if !slices.Contains(matrixKinds, f.kind) {
		v.errs["kind"] = fieldErr{key: "matrix.err.kind"}
	}
	for i, e := range v.entries {
		if i != f.index && e.DepartmentID == f.dept && e.Kind == f.kind {
			v.errs["kind"] = fieldErr{key: "matrix.err.taken"}
		}
	}
	gap := false
	for j, a := range f.approvers {
		field := fmt.Sprintf("approver-%d", j+1)
		a = strings.TrimSpace(a)
		switch {
		case a == "" && j == 0:
			v.errs[field] = fieldErr{key: "matrix.err.first"}
		case a == "":
			gap = true
		case gap:
			v.errs[field] = fieldErr{key: "matrix.err.gap"}
		case !slices.ContainsFunc(v.people, func(p person) bool { return p.ID == a }):
			v.errs[field] = fieldErr{key: "matrix.err.approver", args: []any{a}}
		}
	}
}

func (v *matrixView) onField(field *string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		*field = ctx.JSSrc().Get("value").String()
		v.check()
	}
}

// apply puts the checked route into the edited matrix.
func (v *matrixView) apply(ctx app.Context, e app.Event) {
	e.PreventDefault()
	f := v.form
	if f == nil {
		return
	}
	if v.check(); len(v.errs) > 0 {
		return
	}
	m := matrixEntry{DepartmentID: f.dept, Kind: f.kind}
	for _, a := range f.approvers {
		if a = strings.TrimSpace(a); a != "" {
			m.Approvers = append(m.Approvers, a)
		}
	}
	v.entries = put(v.entries, f.index, m)
	v.form = nil
}

func (v *matrixView) cancel(app.Context, app.Event) { v.form, v.errs = nil, nil }

// remove takes route i out of the edited matrix; it goes only with the
// save, after the changes are listed.
func (v *matrixView) remove(i int) app.EventHandler {
	return func(app.Context, app.Event) {
		if i < len(v.entries) {
			v.entries = slices.Delete(v.entries, i, i+1)
			v.preview, v.saved = false, false
		}
	}
}

// reset drops the edits.
func (v *matrixView) reset(app.Context, app.Event) {
	v.entries, v.form, v.preview, v.saveErr = slices.Clone(v.stored), nil, false, ""
}

// matrixChange is a route added, changed or removed by the edits.
type matrixChange struct {
	op            string // "add", "change", "remove"
	entry, before matrixEntry
}

// changes are the edits against what punchd has, in the edited order.
func (v *matrixView) changes() []matrixChange {
	type key struct{ dept, kind string }
	stored := map[key]matrixEntry{}
	for _, e := range v.stored {
		stored[key{e.DepartmentID, e.Kind}] = e
	}
	var out []matrixChange
	kept := map[key]bool{}
	for _, e := range v.entries {
		k := key{e.DepartmentID, e.Kind}
		kept[k] = true
		if old, ok := stored[k]; !ok {
			out = append(out, matrixChange{op: "add", entry: e})
		} else if !slices.Equal(old.Approvers, e.Approvers) {
			out = append(out, matrixChange{op: "change", entry: e, before: old})
		}
	}
	for _, e := range v.stored {
		if !kept[key{e.DepartmentID, e.Kind}] {
			out = append(out, matrixChange{op: "remove", entry: e})
		}
	}
	return out
}

// save sends the edited matrix (the caller's departments' routes: all of
// them for an administrator, its unit's for HR).
func (v *matrixView) save(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		if v.busy || v.form != nil {
			return
		}
		ctx, a := c.ctx, c.api
		body := map[string]any{"matrix": v.entries}
		v.busy, v.saveErr = true, ""
		ctx.Async(func() {
			var out struct {
				Matrix []matrixEntry `json:"matrix"`
			}
			err := a.call(context.Background(), http.MethodPut, "/api/v1/approval/matrix", body, &out)
			ctx.Dispatch(func(app.Context) {
				v.busy = false
				if v.saveErr, v.detail = code(err), detail(err); err != nil {
					return
				}
				v.stored, v.entries, v.preview, v.saved = out.Matrix, slices.Clone(out.Matrix), false, true
			})
		})
	}
}
