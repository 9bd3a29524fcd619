package rules_test

import (
	"errors"
	"slices"
	"testing"

	"punchclock/app/rules"
)

// TestScheduleValidate: each problem of an assignment or an override is
// named by the path of its field, as the console shows it next to it.
func TestScheduleValidate(t *testing.T) {
	rs := rules.RuleSet{
		Shifts:    []rules.Shift{{ID: "day", Start: 9 * 60, End: 18 * 60}, {ID: "night", Start: 22 * 60, End: 6 * 60}},
		Weekly:    []rules.WeeklySchedule{{ID: "std", Days: rules.WeekDays{Mon: "day"}}},
		Rotations: []rules.Rotation{{ID: "nights", Pattern: []string{"night", "night", "", ""}}},
	}
	good := func() rules.Schedule {
		return rules.Schedule{
			Assignments: []rules.Assignment{
				{Scope: rules.ScopeDepartment, Target: "workshop", Schedule: "nights", From: date("2026-11-02"), Anchor: date("2026-11-02")},
				{Scope: rules.ScopeEmployee, Target: "E005", Schedule: "std"},
				{Scope: rules.ScopePosition, Target: "cashier", Schedule: "nights", From: date("2026-11-01")}, // the anchor is from
			},
			Overrides: []rules.Override{{EmployeeID: "E005", Date: date("2026-11-03"), Shift: "night"}, {EmployeeID: "E005", Date: date("2026-11-04")}},
		}
	}
	tests := []struct {
		name   string
		change func(s *rules.Schedule)
		want   []string
	}{
		{"valid", func(*rules.Schedule) {}, nil},
		{"scope", func(s *rules.Schedule) { s.Assignments[1].Scope = "team" }, []string{"schedule.assignments[1].scope"}},
		{"target", func(s *rules.Schedule) { s.Assignments[0].Target = "" }, []string{"schedule.assignments[0].target"}},
		{"no schedule", func(s *rules.Schedule) { s.Assignments[1].Schedule = "" }, []string{"schedule.assignments[1].schedule"}},
		{"unknown schedule", func(s *rules.Schedule) { s.Assignments[1].Schedule = "nigths" }, []string{"schedule.assignments[1].schedule"}},
		{"rotation without anchor", func(s *rules.Schedule) { s.Assignments[0].Anchor, s.Assignments[0].From = 0, 0 }, []string{"schedule.assignments[0].anchor"}},
		{"weekly without dates", func(s *rules.Schedule) { s.Assignments[1].From, s.Assignments[1].Anchor = 0, 0 }, nil},
		{"to before from", func(s *rules.Schedule) { s.Assignments[0].To = date("2026-11-01") }, []string{"schedule.assignments[0].to"}},
		{"override employee", func(s *rules.Schedule) { s.Overrides[0].EmployeeID = "" }, []string{"schedule.overrides[0].employee_id"}},
		{"override date", func(s *rules.Schedule) { s.Overrides[1].Date = 0 }, []string{"schedule.overrides[1].date"}},
		{"override shift", func(s *rules.Schedule) { s.Overrides[0].Shift = "nihgt" }, []string{"schedule.overrides[0].shift"}},
	}
	for _, tt := range tests {
		s := good()
		tt.change(&s)
		err := s.Validate(&rs)
		var got []string
		for _, fe := range rules.FieldErrors(err) {
			got = append(got, fe.Path)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: paths %q, want %q (%v)", tt.name, got, tt.want, err)
		}
		if err != nil && !errors.Is(err, rules.ErrInvalidRules) {
			t.Errorf("%s: %v is not ErrInvalidRules", tt.name, err)
		}
		// Config.Validate and Compile refuse the same.
		c := rules.Config{Rules: rs, Schedule: s}
		if cerr := c.Validate(); (cerr != nil) != (tt.want != nil) {
			t.Errorf("%s: Config.Validate() = %v", tt.name, cerr)
		}
		in := rules.Input{Rules: rs, Schedule: s, Zone: "Asia/Shanghai"}
		if _, cerr := rules.Compile(&in); (cerr != nil) != (tt.want != nil) {
			t.Errorf("%s: Compile() = %v", tt.name, cerr)
		}
	}
}
