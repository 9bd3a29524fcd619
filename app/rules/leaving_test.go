package rules_test

import (
	"strings"
	"testing"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// TestLeavingDate: the days after an employee's leaving date are not
// working days: never absent, explained; the last day still is one. A
// colleague of the same schedule without a leaving date is absent
// every weekday (the engine's shared plans must not mix the two).
func TestLeavingDate(t *testing.T) {
	in := &rules.Input{Rules: baseRules(), Zone: "Asia/Shanghai", Employees: []attendance.Employee{
		{ID: "e1", Name: "Leaver", DepartmentID: "d1", Active: true, LeavingDate: "2026-03-03"},
		{ID: "e2", Name: "Stayer", DepartmentID: "d1", Active: true},
	}}
	recs, err := rules.Evaluate(in, date("2026-03-02"), date("2026-03-06"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[r.EmployeeID+" "+r.Date.String()] = string(r.Status)
		if r.EmployeeID == "e1" && r.Date.String() == "2026-03-05" {
			var codes []string
			for _, why := range r.Reasons {
				codes = append(codes, why.Code)
			}
			if !strings.Contains(strings.Join(codes, " "), "left") {
				t.Errorf("a day after leaving has reasons %v, want one coded left", codes)
			}
		}
	}
	for _, d := range []string{"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"} {
		want := string(rules.StatusAbsent)
		if got["e2 "+d] != want {
			t.Errorf("e2 on %s: %s, want %s", d, got["e2 "+d], want)
		}
		if d > "2026-03-03" {
			want = string(rules.StatusRest)
		}
		if got["e1 "+d] != want {
			t.Errorf("e1 on %s: %s, want %s", d, got["e1 "+d], want)
		}
	}
	in.Employees[0].LeavingDate = "2026-3-3"
	if _, err := rules.Evaluate(in, date("2026-03-02"), date("2026-03-06")); err == nil || !strings.Contains(err.Error(), "leaving_date") {
		t.Errorf("a malformed leaving date: %v", err)
	}
}
