package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
)

// orgView is the organisation section's department tree: the
// departments the signed-in person's scope holds (HR its unit, a manager
// their subtree), made under a parent picked from a list, renamed, and
// moved after a confirmation. Only HR and administrators see the write
// controls; punchd refuses the rest anyway.
type orgView struct {
	loaded bool
	err    string
	depts  []attendance.Department

	newID, newName, newParent string
	newErrs                   map[string]string // field: text key

	renaming, renameTo string // the department being renamed and its new name
	moving, moveTo     string // the department being moved and its new parent
	confirm            bool   // the move waits for its confirmation
	deleting           string // the department whose deletion waits for its confirmation

	msg, msgErr, detail string // the last change done ("" none), or its refusal
	busy                bool
}

// canWriteOrg: administrators and HR (punchd holds HR to its unit).
func (c *Console) canWriteOrg() bool {
	r := c.me.User.Role
	return r == "super_admin" || r == "hr"
}

func (v *orgView) load(c *Console) {
	var list struct {
		Departments []attendance.Department `json:"departments"`
	}
	c.get("/api/v1/departments", &list, func(err string) {
		v.loaded, v.err = true, err
		if err != "" {
			return
		}
		v.depts = list.Departments
		if v.newParent == "" && len(v.depts) > 0 && !c.canMakeRoots() {
			v.newParent = v.roots()[0].ID
		}
	})
}

// canMakeRoots: only administrators and head office HR make a department
// without a parent.
func (c *Console) canMakeRoots() bool {
	u := c.me.User
	return u.Role == "super_admin" || u.Role == "hr" && u.Unit == "*"
}

// byID is the department with id, nil when the scope lacks it.
func (v *orgView) byID(id string) *attendance.Department {
	for i := range v.depts {
		if v.depts[i].ID == id {
			return &v.depts[i]
		}
	}
	return nil
}

// roots are the departments whose parent the list lacks: the tops of
// what the scope shows.
func (v *orgView) roots() []attendance.Department {
	var out []attendance.Department
	for _, d := range v.depts {
		if d.ParentID == "" || v.byID(d.ParentID) == nil {
			out = append(out, d)
		}
	}
	return out
}

func (v *orgView) children(id string) []attendance.Department {
	var out []attendance.Department
	for _, d := range v.depts {
		if d.ParentID == id {
			out = append(out, d)
		}
	}
	return out
}

// under reports whether id is root or below it.
func (v *orgView) under(id, root string) bool {
	for seen := 0; id != "" && seen <= len(v.depts); seen++ {
		if id == root {
			return true
		}
		d := v.byID(id)
		if d == nil {
			return false
		}
		id = d.ParentID
	}
	return false
}

// put sends d, then reloads the tree and says msg.
func (v *orgView) put(c *Console, d attendance.Department, msg string) {
	ctx, a := c.ctx, c.api
	v.busy, v.msg, v.msgErr = true, "", ""
	ctx.Async(func() {
		err := a.call(context.Background(), http.MethodPut, "/api/v1/departments/"+url.PathEscape(d.ID), d, nil)
		ctx.Dispatch(func(app.Context) {
			v.busy = false
			if v.msgErr, v.detail = code(err), detail(err); err != nil {
				return
			}
			v.msg = msg
			v.load(c)
		})
	})
}

func (v *orgView) onText(p *string) app.EventHandler {
	return func(ctx app.Context, e app.Event) { *p = ctx.JSSrc().Get("value").String() }
}

// create makes the new department once its fields are right.
func (v *orgView) create(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		v.newErrs = map[string]string{}
		switch {
		case !validID(v.newID):
			v.newErrs["id"] = "sites.err.id"
		case v.byID(v.newID) != nil:
			v.newErrs["id"] = "sites.err.taken"
		}
		if strings.TrimSpace(v.newName) == "" {
			v.newErrs["name"] = "sites.err.name"
		}
		if len(v.newErrs) > 0 || v.busy {
			return
		}
		d := attendance.Department{ID: v.newID, Name: strings.TrimSpace(v.newName), ParentID: v.newParent}
		v.newID, v.newName = "", ""
		setValue("dept-new-id", "")
		setValue("dept-new-name", "")
		v.put(c, d, "org.made:"+d.ID)
	}
}

// start opens the renaming (rename) or the move of department id.
func (v *orgView) start(id string, rename bool) app.EventHandler {
	return func(app.Context, app.Event) {
		v.renaming, v.moving, v.confirm = "", "", false
		switch d := v.byID(id); {
		case d == nil:
		case rename:
			v.renaming, v.renameTo = id, d.Name
		default:
			v.moving, v.moveTo = id, d.ParentID
		}
	}
}

func (v *orgView) rename(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		d := v.byID(v.renaming)
		if d == nil || strings.TrimSpace(v.renameTo) == "" {
			return
		}
		x := *d
		x.Name, v.renaming = strings.TrimSpace(v.renameTo), ""
		v.put(c, x, "org.renamed:"+x.ID)
	}
}

func (v *orgView) cancel(app.Context, app.Event) {
	v.renaming, v.moving, v.confirm, v.deleting = "", "", false, ""
}

// askDelete opens the confirmation of department id's deletion.
func (v *orgView) askDelete(id string) app.EventHandler {
	return func(app.Context, app.Event) {
		v.renaming, v.moving, v.confirm, v.deleting = "", "", false, id
	}
}

// remove deletes the department asked about, once confirmed; punchd
// refuses one that employees, accounts or approval routes still name.
func (v *orgView) remove(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		id, ctx, a := v.deleting, c.ctx, c.api
		if id == "" || v.busy {
			return
		}
		v.deleting, v.busy, v.msg, v.msgErr = "", true, "", ""
		ctx.Async(func() {
			err := a.call(context.Background(), http.MethodDelete, "/api/v1/departments/"+url.PathEscape(id), nil, nil)
			ctx.Dispatch(func(app.Context) {
				v.busy = false
				if v.msgErr, v.detail = code(err), detail(err); err != nil {
					if v.msgErr == "conflict" {
						v.msgErr = "inUse"
					}
					return
				}
				v.msg = "org.deleted:" + id
				if v.newParent == id {
					v.newParent = ""
				}
				v.load(c)
			})
		})
	}
}

// askMove opens the confirmation of a move.
func (v *orgView) askMove(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if d := v.byID(v.moving); d != nil && d.ParentID != v.moveTo {
		v.confirm = true
	}
}

func (v *orgView) move(c *Console) app.EventHandler {
	return func(app.Context, app.Event) {
		d := v.byID(v.moving)
		if d == nil || !v.confirm {
			return
		}
		x := *d
		x.ParentID, v.moving, v.confirm = v.moveTo, "", false
		v.put(c, x, "org.moved:"+x.ID)
	}
}
