package console

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/rules"
)

// assignEditor is the rules section's assignments: who works which weekly
// schedule or rotation (rules.Schedule.Assignments), listed with their
// targets by name, made or changed in a form checked as it is typed by
// the validation punchd applies (rules.Config.Validate), and removed after
// a confirmation. Like the shifts, a change goes into the configuration
// the section previews and saves; nothing reaches punchd before the
// preview.
type assignEditor struct {
	form   *assignForm
	over   *overrideForm       // override.go
	errs   map[string]fieldErr // the open form's problems by field
	words  map[string]string   // the validator's own words by field
	asking removal             // the row whose removal waits for a confirmation
}

// removal is an assignment or override (list "assignments" or
// "overrides", as the schedule's JSON names them) whose removal waits for
// a confirmation; list "": none.
type removal struct {
	list  string
	index int
}

// assignForm is an assignment being made or changed, its fields as
// typed: dates as yyyy-mm-dd, "" open.
type assignForm struct {
	index                   int // in the assignments; len: a new one
	scope, target, schedule string
	from, to, anchor        string
}

// assignScopes are the scopes in the order the console offers them.
var assignScopes = []rules.Scope{rules.ScopeDepartment, rules.ScopePosition, rules.ScopeEmployee}

// assignFields are the form's fields, as the validator names them under
// an assignment; each problem's text is "assign.err." + the field.
var assignFields = []string{"scope", "target", "schedule", "from", "to", "anchor"}

// schedule decodes the configuration's schedule (assignments, overrides).
func schedule(cfg map[string]any) rules.Schedule {
	var s rules.Schedule
	_ = decodeTree(cfg["schedule"], &s)
	return s
}

func newAssignForm(s rules.Schedule, i int) *assignForm {
	f := &assignForm{index: i, scope: string(rules.ScopeDepartment)}
	if i < len(s.Assignments) {
		a := s.Assignments[i]
		f.scope, f.target, f.schedule = string(a.Scope), a.Target, a.Schedule
		f.from, f.to, f.anchor = dateText(a.From), dateText(a.To), dateText(a.Anchor)
	}
	return f
}

// dateText is a date as a date input holds it, "" for none.
func dateText(d rules.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// parse is the assignment typed, with the dates that are not one in errs.
func (f *assignForm) parse(errs map[string]fieldErr) rules.Assignment {
	a := rules.Assignment{Scope: rules.Scope(f.scope), Target: strings.TrimSpace(f.target), Schedule: f.schedule}
	for _, d := range []struct {
		field, text string
		out         *rules.Date
	}{{"from", f.from, &a.From}, {"to", f.to, &a.To}, {"anchor", f.anchor, &a.Anchor}} {
		if t := strings.TrimSpace(d.text); t != "" {
			var err error
			if *d.out, err = rules.ParseDate(t); err != nil {
				errs[d.field] = fieldErr{key: "assign.err.date"}
			}
		}
	}
	return a
}

// check validates the open form (an assignment's or an override's) with
// the rest of the configuration, as punchd would, and returns the
// schedule with the form applied. An employee must be one of the active
// employees the console lists.
func (e *assignEditor) check(cfg map[string]any, people []person) rules.Schedule {
	var c rules.Config
	_ = decodeTree(cfg, &c)
	e.errs, e.words = map[string]fieldErr{}, map[string]string{}
	switch {
	case e.form != nil:
		a := e.form.parse(e.errs)
		c.Schedule.Assignments = put(c.Schedule.Assignments, e.form.index, a)
		e.validate(&c, fmt.Sprintf("schedule.assignments[%d].", e.form.index), "assign.err.", assignFields)
		if a.Scope == rules.ScopeEmployee {
			e.knownEmployee("target", a.Target, people)
		}
	case e.over != nil:
		o := e.over.parse(e.errs)
		c.Schedule.Overrides = put(c.Schedule.Overrides, e.over.index, o)
		e.validate(&c, fmt.Sprintf("schedule.overrides[%d].", e.over.index), "override.err.", overrideFields)
		if o.EmployeeID != "" {
			e.knownEmployee("employee_id", o.EmployeeID, people)
		}
	}
	return c.Schedule
}

// validate checks c as punchd would and keeps the problems of the item at
// path ("schedule.assignments[0].") by field, said by the text key +
// field; a field the form refused already keeps its own problem.
func (e *assignEditor) validate(c *rules.Config, path, key string, fields []string) {
	for _, fe := range rules.FieldErrors(c.Validate()) {
		field, ok := strings.CutPrefix(fe.Path, path)
		if _, typed := e.errs[field]; !ok || typed || !slices.Contains(fields, field) {
			continue
		}
		e.errs[field], e.words[field] = fieldErr{key: key + field}, fe.Msg
	}
}

// knownEmployee refuses in field an employee id that is none of the
// active employees the console lists (punchd does not know who works
// where when it checks the rules).
func (e *assignEditor) knownEmployee(field, id string, people []person) {
	_, bad := e.errs[field]
	if !bad && len(people) > 0 && !slices.ContainsFunc(people, func(p person) bool { return p.ID == id }) {
		e.errs[field] = fieldErr{key: "assign.err.employee", args: []any{id}}
	}
}

// setSchedule writes a list of the schedule ("assignments",
// "overrides") of n items into the configuration, the schedule's other
// fields kept as they came.
func setSchedule(cfg map[string]any, key string, n int, list any) {
	s, ok := cfg["schedule"].(map[string]any)
	if !ok {
		s = map[string]any{}
		cfg["schedule"] = s
	}
	if n == 0 {
		delete(s, key)
		return
	}
	s[key] = tree(list)
}

// values are the open form's text fields by element id.
func (e *assignEditor) values() map[string]*string {
	if f := e.form; f != nil {
		return map[string]*string{"assign-target": &f.target, "assign-from": &f.from, "assign-to": &f.to, "assign-anchor": &f.anchor}
	}
	if f := e.over; f != nil {
		return map[string]*string{"override-employee_id": &f.employee, "override-date": &f.date}
	}
	return nil
}

// openItem opens the form of item i of list ("assignments",
// "overrides"); i past the end makes a new one. The text fields are set
// on the page too (go-app keeps a reused input's old text when the new
// one is empty), and the first takes the keyboard's focus.
func (v *rulesView) openItem(c *Console, list string, i int) app.EventHandler {
	return func(app.Context, app.Event) {
		if v.cfg == nil {
			return
		}
		s, e := schedule(v.cfg.Config), &v.asg
		e.form, e.over, e.asking, e.errs = nil, nil, removal{}, map[string]fieldErr{}
		n, first := len(s.Assignments), "assign-scope"
		if list == "overrides" {
			n, first = len(s.Overrides), "override-employee_id"
			e.over = newOverrideForm(s, min(i, n))
		} else {
			e.form = newAssignForm(s, min(i, n))
		}
		if i < n {
			e.check(v.cfg.Config, c.matrix.people)
		}
		vals := e.values()
		c.ctx.Defer(func(app.Context) {
			for id, val := range vals {
				setValue(id, *val)
			}
			focus(first)
		})
	}
}

// onItem keeps what was typed or chosen into a field of the open form and
// checks it again; an assignment's new scope clears its target (a
// department is no employee).
func (v *rulesView) onItem(c *Console, field *string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if !v.asg.open() || v.cfg == nil {
			return
		}
		val := ctx.JSSrc().Get("value").String()
		if f := v.asg.form; f != nil && field == &f.scope && val != f.scope {
			f.target = ""
			ctx.Defer(func(app.Context) { setValue("assign-target", "") })
		}
		*field = val
		v.asg.check(v.cfg.Config, c.matrix.people)
	}
}

func (v *rulesView) closeAssign(app.Context, app.Event) {
	v.asg.form, v.asg.over, v.asg.errs = nil, nil, nil
}

// applyItem puts the checked assignment or override into the
// configuration.
func (v *rulesView) applyItem(c *Console) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		if v.cfg == nil || !v.asg.open() {
			return
		}
		s := v.asg.check(v.cfg.Config, c.matrix.people)
		if len(v.asg.errs) > 0 {
			return
		}
		if v.asg.over != nil {
			setSchedule(v.cfg.Config, "overrides", len(s.Overrides), s.Overrides)
		} else {
			setSchedule(v.cfg.Config, "assignments", len(s.Assignments), s.Assignments)
		}
		v.changed()
		v.closeAssign(ctx, e)
	}
}

// askRemove opens the confirmation of the removal of item i of list
// ("assignments", "overrides").
func (v *rulesView) askRemove(list string, i int) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		v.asg.asking, v.asg.form, v.asg.over = removal{list, i}, nil, nil
		ctx.Defer(func(app.Context) { focus("assign-remove-yes") })
	}
}

func (v *rulesView) cancelRemove(app.Context, app.Event) { v.asg.asking = removal{} }

// removeAsked takes the item asked about out of the configuration; it
// goes to punchd only with the save, after a preview.
func (v *rulesView) removeAsked(app.Context, app.Event) {
	r := v.asg.asking
	v.asg.asking = removal{}
	if v.cfg == nil {
		return
	}
	s := schedule(v.cfg.Config)
	switch {
	case r.list == "assignments" && r.index < len(s.Assignments):
		setSchedule(v.cfg.Config, r.list, len(s.Assignments)-1, slices.Delete(s.Assignments, r.index, r.index+1))
	case r.list == "overrides" && r.index < len(s.Overrides):
		setSchedule(v.cfg.Config, r.list, len(s.Overrides)-1, slices.Delete(s.Overrides, r.index, r.index+1))
	default:
		return
	}
	v.changed()
}

// open reports whether an assignment or override form is open.
func (e *assignEditor) open() bool { return e.form != nil || e.over != nil }
