package pages

import (
	"context"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/kiosk/outbox"
)

// The states of the manager's board of the day.
const (
	BoardIn     = "in"      // punched in, on time
	BoardLate   = "late"    // punched in late
	BoardLeft   = "left"    // punched out
	BoardNotIn  = "not_in"  // a shift today, no punch in yet
	BoardAbsent = "absent"  // the day is over without a punch, or the in is missing
	BoardOff    = "off"     // rest day or holiday
	BoardNone   = "unknown" // the kiosk has no usable rules
)

// BoardRow is one employee's day so far, as this kiosk sees it.
type BoardRow struct {
	Employee attendance.Employee
	State    string
	In, Out  time.Time
	LateMin  int
}

// Board is today at this kiosk for the signed-in manager: every active
// employee of the roster they review, with what the rules engine makes of
// the punches recorded here today (yesterday's too, for night shifts),
// offline. Punches made at other kiosks are not seen: the server's
// records are the authority.
func (e *Env) Board(ctx context.Context, m ManagerSession, loc *time.Location) ([]BoardRow, error) {
	st, err := e.Outbox.Pull(ctx)
	if err != nil {
		return nil, err
	}
	now := e.Now(ctx).In(loc)
	today := rules.DateOf(now)
	es, err := e.Outbox.Store().List(ctx, outbox.Filter{Since: today.AddDays(-1).At(rules.Clock(0), loc)})
	if err != nil {
		return nil, err
	}
	byEmp := map[string][]rules.Punch{}
	for _, en := range es {
		if en.State == outbox.StateRejected || en.Punch.EmployeeID == "" {
			continue
		}
		p := en.Punch
		byEmp[p.EmployeeID] = append(byEmp[p.EmployeeID], rules.FromAttendance(&p, rulesTime(p), false, ""))
	}
	eng, engErr := e.ruleEngine(ctx, loc)
	var rows []BoardRow
	for _, emp := range st.Employees {
		if !emp.ActiveAt(now, loc) || !m.Reviews(emp.DepartmentID, st.Departments) {
			continue
		}
		row := BoardRow{Employee: emp, State: BoardNone}
		if engErr == nil {
			recs, err := eng.EvaluateEmployeeAt(now, emp.ID, byEmp[emp.ID], nil, nil, today, today)
			if err == nil && len(recs) == 1 {
				row = boardRow(emp, recs[0])
			}
		}
		rows = append(rows, row)
	}
	// Those who need a look first: absent, late, not in yet; then by id.
	order := []string{BoardAbsent, BoardLate, BoardNotIn, BoardIn, BoardLeft, BoardOff, BoardNone}
	slices.SortStableFunc(rows, func(a, b BoardRow) int {
		if d := slices.Index(order, a.State) - slices.Index(order, b.State); d != 0 {
			return d
		}
		return strings.Compare(a.Employee.ID, b.Employee.ID)
	})
	return rows, nil
}

func boardRow(emp attendance.Employee, r rules.DayRecord) BoardRow {
	row := BoardRow{Employee: emp, LateMin: r.LateMin}
	if r.In != nil {
		row.In = r.In.Time
	}
	if r.Out != nil {
		row.Out = r.Out.Time
	}
	switch {
	case r.Status == rules.StatusRest || r.Status == rules.StatusHoliday:
		row.State = BoardOff
	case r.Out != nil:
		row.State = BoardLeft
	case r.In != nil && r.LateMin > 0:
		row.State = BoardLate
	case r.In != nil:
		row.State = BoardIn
	case r.Status == rules.StatusAbsent || r.Status == rules.StatusMissingIn:
		row.State = BoardAbsent
	default:
		row.State = BoardNotIn
	}
	return row
}
