package rules_test

import (
	"math/rand/v2"
	"strconv"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// genRules is a realistic rule set: office hours, an early/night rotation,
// a shop rotation that works through holidays, flexible hours, China's
// holidays, a geofence and overtime on every day type.
func genRules() rules.RuleSet {
	hm := func(h, m int) rules.Clock { return rules.NewClock(h, m) }
	return rules.RuleSet{
		Basic: rules.Basic{HolidayCountry: "CN", CycleStartDay: 26},
		Sites: []rules.Site{{ID: "s1", Fences: []rules.Fence{{Center: &rules.LatLng{Lat: 31.2304, Lng: 121.4737}, RadiusM: 300}},
			Networks: []string{"203.0.113.0/24"}}},
		Shifts: []rules.Shift{
			{ID: "day", Start: hm(9, 0), End: hm(18, 0), Breaks: []rules.Break{{Start: hm(12, 0), End: hm(13, 0)}}},
			{ID: "early", Start: hm(7, 0), End: hm(15, 0)},
			{ID: "night", Start: hm(22, 0), End: hm(6, 0), Breaks: []rules.Break{{Start: hm(2, 0), End: hm(2, 30)}}},
			{ID: "flex", Start: hm(7, 0), End: hm(22, 0), Flex: &rules.Flex{CoreStart: hm(10, 0), CoreEnd: hm(16, 0), RequiredMin: 480}},
		},
		Weekly: []rules.WeeklySchedule{
			{ID: "std", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}},
			{ID: "flexwk", Days: rules.WeekDays{Mon: "flex", Tue: "flex", Wed: "flex", Thu: "flex", Fri: "flex"}},
		},
		Rotations: []rules.Rotation{
			{ID: "en", Pattern: []string{"early", "early", "night", "night", "", ""}, ObserveHolidays: true},
			{ID: "shop", Pattern: []string{"day", "day", "day", "day", "day", ""}},
		},
		Exceptions: rules.Exceptions{LateGraceMin: 5, SeriousLateMin: 30, AbsentLateMin: 240, EarlyGraceMin: 0},
		Overtime: rules.OvertimeRules{
			Workday: rules.OvertimeRule{Enabled: true, StartAfterMin: 30, MinMin: 30, RoundMin: 30},
			RestDay: rules.OvertimeRule{Enabled: true, MinMin: 60, RoundMin: 30, NeedsApproval: true},
			Holiday: rules.OvertimeRule{Enabled: true, RoundMin: 15},
		},
	}
}

// genInput makes n employees in 50 departments with their schedules but no
// punches yet.
func genInput(n int) *rules.Input {
	in := &rules.Input{Rules: genRules(), Zone: "Asia/Shanghai"}
	for g := range 10 {
		in.Departments = append(in.Departments, attendance.Department{ID: "g" + strconv.Itoa(g), Name: "Group", ManagerID: "boss" + strconv.Itoa(g)})
	}
	scheds := []string{"std", "en", "shop", "std", "en"}
	for d := range 50 {
		id := "d" + strconv.Itoa(d)
		in.Departments = append(in.Departments, attendance.Department{ID: id, Name: "Dept", ParentID: "g" + strconv.Itoa(d%10)})
		in.Schedule.Assignments = append(in.Schedule.Assignments, rules.Assignment{
			Scope: rules.ScopeDepartment, Target: id, Schedule: scheds[d%len(scheds)], From: rules.NewDate(2026, 1, 1) + rules.Date(d%6),
		})
	}
	in.Rules.Basic.DefaultSchedule = "std"
	in.Schedule.Assignments = append(in.Schedule.Assignments, rules.Assignment{Scope: rules.ScopePosition, Target: "designer", Schedule: "flexwk"})
	for i := range n {
		e := attendance.Employee{ID: "e" + strconv.Itoa(i), Name: "Employee", DepartmentID: "d" + strconv.Itoa(i%50), SiteID: "s1", Active: true}
		if i%10 == 3 {
			e.Position = "designer"
		}
		in.Employees = append(in.Employees, e)
		if i%97 == 5 {
			in.Schedule.Assignments = append(in.Schedule.Assignments, rules.Assignment{
				Scope: rules.ScopeEmployee, Target: e.ID, Schedule: "shop", From: rules.NewDate(2026, 10, 10),
			})
		}
	}
	return in
}

// addPunches evaluates the schedule without punches to learn each shift,
// then makes plausible punches around it: early and late arrivals, some
// overtime, forgotten out-punches, double taps, phone punches with GPS,
// some rest-day work.
func addPunches(in *rules.Input, from, to rules.Date, seed uint64) error {
	recs, err := rules.EvaluateParallel(in, from, to, 0)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 42))
	n := 0
	add := func(emp string, t time.Time, m attendance.Method) {
		p := rules.Punch{ID: "p" + strconv.Itoa(n), EmployeeID: emp, Time: t, Method: m}
		if m == attendance.MethodGPS {
			p.Location = &attendance.Location{Lat: 31.2304 + rng.Float64()*0.004, Lng: 121.4737, AccuracyM: 30}
		}
		n++
		in.Punches = append(in.Punches, p)
	}
	min := func(k int) time.Duration { return time.Duration(k) * time.Minute }
	for _, r := range recs {
		method := attendance.MethodBadge
		if rng.IntN(20) == 0 {
			method = attendance.MethodGPS
		}
		if r.Shift == nil {
			if rng.IntN(50) == 0 {
				start := r.Date.At(rules.NewClock(10, 0), time.UTC).Add(-8 * time.Hour)
				add(r.EmployeeID, start.Add(min(rng.IntN(30))), method)
				add(r.EmployeeID, start.Add(min(240+rng.IntN(200))), method)
			}
			continue
		}
		if rng.IntN(50) == 0 {
			continue // absent
		}
		start, end := r.Shift.Start, r.Shift.End
		if r.Shift.Flexible {
			start, end = start.Add(min(60+rng.IntN(120))), start.Add(min(600+rng.IntN(180)))
		}
		in := start.Add(min(-25 + rng.IntN(30)))
		if rng.IntN(10) == 0 {
			in = in.Add(min(rng.IntN(45)))
		}
		add(r.EmployeeID, in, method)
		if rng.IntN(20) == 0 {
			add(r.EmployeeID, in.Add(min(1)), attendance.MethodFace)
		}
		if rng.IntN(33) == 0 {
			continue // forgot to punch out
		}
		add(r.EmployeeID, end.Add(min(-5+rng.IntN(120))), method)
	}
	return nil
}
