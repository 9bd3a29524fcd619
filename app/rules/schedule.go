package rules

import "fmt"

// Validate checks who works which schedule against the rule set rs and
// returns every problem with the path of its field
// ("schedule.assignments[0].anchor"), joined and wrapped so that
// errors.Is(err, ErrInvalidRules) holds: an assignment's scope, its
// target, a weekly schedule or rotation rs defines, a rotation's anchor
// (or from date: the anchor's default), dates in order; an override's
// employee, date and shift (a shift of rs, or "" for a rest day).
func (s *Schedule) Validate(rs *RuleSet) error {
	weekly, rotation, shifts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, w := range rs.Weekly {
		weekly[w.ID] = true
	}
	for _, r := range rs.Rotations {
		rotation[r.ID] = true
	}
	for _, sh := range rs.Shifts {
		shifts[sh.ID] = true
	}
	var v validator
	for i, a := range s.Assignments {
		p := fmt.Sprintf("schedule.assignments[%d]", i)
		switch a.Scope {
		case ScopeDepartment, ScopePosition, ScopeEmployee:
		default:
			v.add(p+".scope", "%q is not employee, position or department", a.Scope)
		}
		if a.Target == "" {
			v.add(p+".target", "missing")
		}
		switch {
		case a.Schedule == "":
			v.add(p+".schedule", "missing")
		case !weekly[a.Schedule] && !rotation[a.Schedule]:
			v.add(p+".schedule", "unknown weekly schedule or rotation %q", a.Schedule)
		case rotation[a.Schedule] && a.Anchor.IsZero() && a.From.IsZero():
			v.add(p+".anchor", "a rotation needs an anchor or a from date")
		}
		if !a.To.IsZero() && a.To < a.From {
			v.add(p+".to", "%s is before from %s", a.To, a.From)
		}
	}
	for i, o := range s.Overrides {
		p := fmt.Sprintf("schedule.overrides[%d]", i)
		if o.EmployeeID == "" {
			v.add(p+".employee_id", "missing")
		}
		if o.Date.IsZero() {
			v.add(p+".date", "missing")
		}
		if o.Shift != "" && !shifts[o.Shift] {
			v.add(p+".shift", "unknown shift %q", o.Shift)
		}
	}
	return v.err()
}
