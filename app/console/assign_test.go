package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"testing"

	"punchclock/app/rules"
)

// TestAssignEditor: an assignment is checked by the rules' own
// validation, each problem on its field (a rotation without its anchor,
// an end before the start, no target, a date that is not one, an
// employee the console does not list), applied into the configuration
// with the overrides kept, changed in place, and removed.
func TestAssignEditor(t *testing.T) {
	cfg := demoConfig(t)
	r := cfg["rules"].(map[string]any)
	r["shifts"] = tree(append(ruleSet(cfg).Shifts, rules.Shift{ID: "night", Start: rules.NewClock(22, 0), End: rules.NewClock(6, 0)}))
	r["rotations"] = tree([]rules.Rotation{{ID: "nights", Pattern: []string{"night", "night", "", ""}}})
	cfg["schedule"] = map[string]any{"overrides": []any{map[string]any{"employee_id": "E005", "date": "2026-11-03", "shift": ""}}}
	people := []person{{ID: "E005", Name: "Zhao Min"}}

	e := assignEditor{form: newAssignForm(schedule(cfg), 0)}
	if e.form.scope != "department" || e.form.index != 0 {
		t.Fatalf("a new form: %+v", e.form)
	}
	e.form.schedule = "nights"
	e.check(cfg, people)
	if e.errs["target"].key != "assign.err.target" || e.errs["anchor"].key != "assign.err.anchor" || len(e.errs) != 2 || e.words["anchor"] == "" {
		t.Errorf("no target, a rotation without anchor: %+v", e.errs)
	}
	e.form.target, e.form.from, e.form.to, e.form.anchor = "workshop", "2026-11-02", "2026-11-01", "2026-11-31"
	e.check(cfg, people)
	if e.errs["to"].key != "assign.err.to" || e.errs["anchor"].key != "assign.err.date" || len(e.errs) != 2 {
		t.Errorf("an end before the start, a bad anchor: %+v", e.errs)
	}
	e.form.to, e.form.anchor = "", "2026-11-02"
	s := e.check(cfg, people)
	if len(e.errs) != 0 {
		t.Fatalf("a good assignment: %+v", e.errs)
	}
	setSchedule(cfg, "assignments", len(s.Assignments), s.Assignments)
	got := schedule(cfg)
	want := rules.Assignment{Scope: rules.ScopeDepartment, Target: "workshop", Schedule: "nights"}
	want.From, _ = rules.ParseDate("2026-11-02")
	want.Anchor = want.From
	if len(got.Assignments) != 1 || got.Assignments[0] != want || len(got.Overrides) != 1 {
		t.Fatalf("applied: %+v", got)
	}
	if c := (rules.Config{}); decodeTree(cfg, &c) != nil || c.Validate() != nil {
		t.Errorf("the configuration applied does not validate: %v", c.Validate())
	}

	// An employee's assignment: one the console lists.
	e.form = newAssignForm(got, 1)
	e.form.scope, e.form.target, e.form.schedule = "employee", "E099", "office"
	e.check(cfg, people)
	if e.errs["target"].key != "assign.err.employee" || len(e.errs) != 1 {
		t.Errorf("an unknown employee: %+v", e.errs)
	}
	e.form.target = "E005"
	s = e.check(cfg, people)
	setSchedule(cfg, "assignments", len(s.Assignments), s.Assignments)
	if got := schedule(cfg).Assignments; len(got) != 2 || got[1].Target != "E005" {
		t.Fatalf("two assignments: %+v", got)
	}

	// Changed in place: the form of an existing one holds its values.
	e.form = newAssignForm(schedule(cfg), 0)
	if e.form.target != "workshop" || e.form.anchor != "2026-11-02" || e.form.to != "" {
		t.Errorf("the first one's form: %+v", e.form)
	}
	e.form.to = "2026-12-31"
	s = e.check(cfg, people)
	setSchedule(cfg, "assignments", len(s.Assignments), s.Assignments)
	if got := schedule(cfg).Assignments; len(got) != 2 || got[0].To.String() != "2026-12-31" {
		t.Errorf("changed: %+v", got)
	}

	// Removed, through the confirmation, both.
	v := &rulesView{cfg: &ruleConfig{Config: cfg}}
	for range 2 {
		v.asg.asking = removal{"assignments", 0} // askRemove, confirmed
		v.removeAsked(app.Context{}, app.Event{})
	}
	if s := schedule(cfg); len(s.Assignments) != 0 || len(s.Overrides) != 1 || v.sched.pending != 2 {
		t.Errorf("removed: %+v, %d pending", s, v.sched.pending)
	}
}

// TestOverrideEditor: a one-day change is checked by the rules' own
// validation (an unknown shift, no date, an employee the console does not
// list), applied beside the assignments, and removed through the
// confirmation, the assignments kept.
func TestOverrideEditor(t *testing.T) {
	cfg := demoConfig(t)
	setSchedule(cfg, "assignments", 1, []rules.Assignment{{Scope: rules.ScopeEmployee, Target: "E005", Schedule: "office"}})
	people := []person{{ID: "E005", Name: "Zhao Min"}}
	e := assignEditor{over: newOverrideForm(schedule(cfg), 0)}
	e.over.employee, e.over.shift = "E099", "nihgt"
	e.check(cfg, people)
	if e.errs["employee_id"].key != "assign.err.employee" || e.errs["date"].key != "override.err.date" || e.errs["shift"].key != "override.err.shift" || len(e.errs) != 3 {
		t.Errorf("an unknown employee and shift, no date: %+v", e.errs)
	}
	e.over.employee, e.over.date, e.over.shift = "E005", "2026-03-12", ""
	s := e.check(cfg, people)
	if len(e.errs) != 0 {
		t.Fatalf("a rest day: %+v", e.errs)
	}
	setSchedule(cfg, "overrides", len(s.Overrides), s.Overrides)
	got := schedule(cfg)
	if len(got.Overrides) != 1 || got.Overrides[0].EmployeeID != "E005" || got.Overrides[0].Date.String() != "2026-03-12" || got.Overrides[0].Shift != "" || len(got.Assignments) != 1 {
		t.Fatalf("applied: %+v", got)
	}
	if f := newOverrideForm(got, 0); f.employee != "E005" || f.date != "2026-03-12" {
		t.Errorf("its form: %+v", f)
	}
	v := &rulesView{cfg: &ruleConfig{Config: cfg}}
	v.asg.asking = removal{"overrides", 0}
	v.removeAsked(app.Context{}, app.Event{})
	if s := schedule(cfg); len(s.Overrides) != 0 || len(s.Assignments) != 1 {
		t.Errorf("removed: %+v", s)
	}
}
