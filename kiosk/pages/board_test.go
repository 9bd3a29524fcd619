package pages

import (
	"context"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
)

// TestBoard: the manager's board of the day, from this kiosk's punches
// and the rules engine, offline: late, not in yet, gone home, a rest day;
// only the employees the manager reviews.
func TestBoard(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 20, 1, 12, 0, 0, time.UTC)} // Friday 09:12 in Shanghai
	env, st := officeKiosk(t, clk)
	ctx := context.Background()
	st.Departments = []attendance.Department{{ID: "retail"}, {ID: "works"}}
	st.Employees = []attendance.Employee{
		{ID: "E004", Name: "Li Na", BadgeCode: "PC-0004", DepartmentID: "retail", Active: true},
		{ID: "E005", Name: "Liu Yang", BadgeCode: "PC-0005", DepartmentID: "retail", Active: true},
		{ID: "E021", Name: "Max", BadgeCode: "PC-0021", DepartmentID: "works", Active: true},
		{ID: "E009", Name: "Left Already", BadgeCode: "PC-0009", DepartmentID: "retail", Active: false},
	}
	if err := env.Outbox.SetPull(ctx, st); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	m := ManagerSession{EmployeeID: "E002", DepartmentID: "retail"}
	board := func() string {
		t.Helper()
		rows, err := env.Board(ctx, m, loc)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, r := range rows {
			s += r.Employee.ID + ":" + r.State + " "
		}
		return s
	}
	env.Punch(ctx, "PC-0004", attendance.MethodBadge) // 09:12, 2 minutes past the grace
	if got := board(); got != "E004:late E005:not_in " {
		t.Errorf("at 09:12: %q", got)
	}
	clk.add(9 * time.Hour) // 18:12
	env.Punch(ctx, "PC-0004", attendance.MethodBadge)
	if got := board(); got != "E005:not_in E004:left " {
		t.Errorf("at 18:12: %q", got)
	}
	clk.add(6 * time.Hour) // 00:12, Saturday
	if got := board(); got != "E004:off E005:off " {
		t.Errorf("on Saturday: %q", got)
	}
	m.DepartmentID = "*"
	if got := board(); !strings.Contains(got, "E021:") || strings.Contains(got, "E009") {
		t.Errorf("head office sees: %q", got)
	}
}
