// Package statstest computes what the dashboard's charts should show
// from day records as GET /api/v1/attendance/record answers them, on its
// own (it does not import package stats), for the tests of the charts'
// endpoint and of the console's dashboard to check them against.
package statstest

import (
	"punchclock/app/rules"
)

// Figures are a selection's numbers, by chart.
type Figures struct {
	// Expected and Present count employee-days by date: an expected day
	// is a workday with a shift whose verdict is in; a present one is
	// not absent.
	Expected, Present map[rules.Date]int
	// Late and Early are days and minutes by employee.
	Late, Early map[string][2]int
	// Reasons counts the employee-days with each anomaly (overtime
	// aside); ReasonDays lists them by reason.
	Reasons    map[rules.AnomalyCode]int
	ReasonDays map[rules.AnomalyCode][]string // "employee date"
	// Overtime is minutes by day type (the overtime's, else the day's),
	// OvertimeByDay by date and type, OvertimeByEmployee by employee.
	Overtime           map[rules.DayType]int
	OvertimeByDay      map[rules.Date]map[rules.DayType]int
	OvertimeByEmployee map[string]int
	// Methods counts the punches the records use, by method; Punches is
	// their number.
	Methods map[string]int
	Punches int
	// Located counts the used punches with a location (located says
	// which), Verdicts theirs by location verdict.
	Located  int
	Verdicts map[rules.Verdict]int
	// ByDept are a department's expected, present, late, early and
	// absent days and overtime minutes (deptOf maps employees).
	ByDept map[string]*Dept
}

// Dept is a department's counts.
type Dept struct {
	Employees                                  map[string]bool
	Expected, Present, Late, Early, Absent, OT int
}

// Compute computes the figures of recs; located names the punches that
// carry a location, deptOf each employee's department.
func Compute(recs []rules.DayRecord, located map[string]bool, deptOf map[string]string) Figures {
	f := Figures{Expected: map[rules.Date]int{}, Present: map[rules.Date]int{}, Late: map[string][2]int{}, Early: map[string][2]int{},
		Reasons: map[rules.AnomalyCode]int{}, ReasonDays: map[rules.AnomalyCode][]string{}, Overtime: map[rules.DayType]int{},
		OvertimeByDay: map[rules.Date]map[rules.DayType]int{}, OvertimeByEmployee: map[string]int{}, Methods: map[string]int{},
		Verdicts: map[rules.Verdict]int{}, ByDept: map[string]*Dept{}}
	for _, r := range recs {
		d := f.ByDept[deptOf[r.EmployeeID]]
		if d == nil {
			d = &Dept{Employees: map[string]bool{}}
			f.ByDept[deptOf[r.EmployeeID]] = d
		}
		d.Employees[r.EmployeeID] = true
		if r.DayType == rules.DayWorkday && r.Shift != nil && r.Status != rules.StatusScheduled && r.Status != rules.StatusInProgress {
			f.Expected[r.Date]++
			d.Expected++
			if r.Status != rules.StatusAbsent {
				f.Present[r.Date]++
				d.Present++
			}
		}
		if r.Status == rules.StatusAbsent {
			d.Absent++
		}
		if r.LateMin > 0 {
			x := f.Late[r.EmployeeID]
			f.Late[r.EmployeeID] = [2]int{x[0] + 1, x[1] + r.LateMin}
			d.Late++
		}
		if r.EarlyMin > 0 {
			x := f.Early[r.EmployeeID]
			f.Early[r.EmployeeID] = [2]int{x[0] + 1, x[1] + r.EarlyMin}
			d.Early++
		}
		seen := map[rules.AnomalyCode]bool{}
		for _, a := range r.Anomalies {
			if a.Code == rules.AnomalyOvertime || seen[a.Code] {
				continue
			}
			seen[a.Code] = true
			f.Reasons[a.Code]++
			f.ReasonDays[a.Code] = append(f.ReasonDays[a.Code], r.EmployeeID+" "+r.Date.String())
		}
		if r.OvertimeMin > 0 {
			t := r.OvertimeType
			if t == "" {
				t = r.DayType
			}
			f.Overtime[t] += r.OvertimeMin
			if f.OvertimeByDay[r.Date] == nil {
				f.OvertimeByDay[r.Date] = map[rules.DayType]int{}
			}
			f.OvertimeByDay[r.Date][t] += r.OvertimeMin
			f.OvertimeByEmployee[r.EmployeeID] += r.OvertimeMin
			d.OT += r.OvertimeMin
		}
		for _, u := range r.Punches {
			f.Punches++
			f.Methods[string(u.Method)]++
			if located[u.ID] {
				f.Located++
				f.Verdicts[u.Location]++
			}
		}
	}
	return f
}
