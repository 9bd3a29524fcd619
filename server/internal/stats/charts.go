package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"punchclock/app/rules"
)

// Base is what every answer says of its selection.
type Base struct {
	Chart        string     `json:"chart"`
	From         rules.Date `json:"from"`
	To           rules.Date `json:"to"`
	EmployeeID   string     `json:"employee_id,omitempty"`
	DepartmentID string     `json:"department_id,omitempty"`
}

// Expected reports whether rec counts towards the attendance rate: a
// workday with a shift whose verdict is in (not scheduled, not in
// progress).
func Expected(rec *rules.DayRecord) bool {
	return rec.DayType == rules.DayWorkday && rec.Shift != nil && rec.Status != rules.StatusScheduled && rec.Status != rules.StatusInProgress
}

// Present reports whether an expected day was attended: any verdict but
// absent (a missing punch is a fault of a day attended).
func Present(rec *rules.DayRecord) bool { return Expected(rec) && rec.Status != rules.StatusAbsent }

// Pct is present out of expected as a percentage to one decimal (0 when
// nothing was expected).
func Pct(present, expected int) float64 {
	if expected == 0 {
		return 0
	}
	return math.Round(1000*float64(present)/float64(expected)) / 10
}

// Rate is the attendance of one period: expected employee-days, those
// attended and the rate in percent.
type Rate struct {
	Period   string  `json:"period"`
	Expected int     `json:"expected"`
	Present  int     `json:"present"`
	RatePct  float64 `json:"rate_pct"`
}

// TrendAnswer is the attendance rate by day (every day of the range),
// by ISO week (period "2026-W11") and by month ("2026-03").
type TrendAnswer struct {
	Base
	Day   []Rate `json:"day"`
	Week  []Rate `json:"week"`
	Month []Rate `json:"month"`
}

type trend struct{ days map[rules.Date]*Rate }

func (t *trend) records(_ *page, recs []rules.DayRecord) error {
	for i := range recs {
		if !Expected(&recs[i]) {
			continue
		}
		r := t.days[recs[i].Date]
		if r == nil {
			r = &Rate{}
			t.days[recs[i].Date] = r
		}
		r.Expected++
		if Present(&recs[i]) {
			r.Present++
		}
	}
	return nil
}

func (t *trend) answer(b Base) *TrendAnswer {
	a := &TrendAnswer{Base: b, Day: []Rate{}, Week: []Rate{}, Month: []Rate{}}
	add := func(list []Rate, period string, r *Rate) []Rate {
		if n := len(list); n == 0 || list[n-1].Period != period {
			list = append(list, Rate{Period: period})
		}
		x := &list[len(list)-1]
		if r != nil {
			x.Expected += r.Expected
			x.Present += r.Present
		}
		x.RatePct = Pct(x.Present, x.Expected)
		return list
	}
	for d := b.From; d <= b.To; d = d.AddDays(1) {
		r := t.days[d]
		a.Day = add(a.Day, d.String(), r)
		y, w := d.At(0, time.UTC).ISOWeek()
		a.Week = add(a.Week, fmt.Sprintf("%d-W%02d", y, w), r)
		a.Month = add(a.Month, d.String()[:7], r)
	}
	return a
}

// person is what the rankings and the overtime table keep of an
// employee.
type person struct {
	name, dept          string
	lateDays, lateMin   int
	earlyDays, earlyMin int
	overtime            ByDayType
}

// people keeps the employees the records name.
type people struct {
	depts map[string]string
	by    map[string]*person
}

func (p *people) of(pg *page, id string) *person {
	x := p.by[id]
	if x == nil {
		e := pg.emps[id]
		x = &person{name: e.Name, dept: e.DepartmentID}
		p.by[id] = x
	}
	return x
}

// Ranked is an employee's place in a ranking: the days and the minutes.
type Ranked struct {
	EmployeeID   string `json:"employee_id"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id"`
	Department   string `json:"department"`
	Days         int    `json:"days"`
	Minutes      int    `json:"minutes"`
}

// RankingAnswer is the late and early-leave top 10: the employees with
// the most days late (early), then the most minutes, then by id.
type RankingAnswer struct {
	Base
	Late  []Ranked `json:"late"`
	Early []Ranked `json:"early"`
}

type ranking struct{ people }

func (r *ranking) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		rec := &recs[i]
		if rec.LateMin > 0 || rec.EarlyMin > 0 {
			p := r.of(pg, rec.EmployeeID)
			if rec.LateMin > 0 {
				p.lateDays, p.lateMin = p.lateDays+1, p.lateMin+rec.LateMin
			}
			if rec.EarlyMin > 0 {
				p.earlyDays, p.earlyMin = p.earlyDays+1, p.earlyMin+rec.EarlyMin
			}
		}
	}
	return nil
}

// top is the first TopN of the ranking by key (days, minutes), without
// those at zero days.
func (p *people) top(key func(*person) (int, int)) []Ranked {
	out := []Ranked{}
	for id, x := range p.by {
		if d, m := key(x); d > 0 {
			out = append(out, Ranked{EmployeeID: id, Name: x.name, DepartmentID: x.dept, Department: p.depts[x.dept], Days: d, Minutes: m})
		}
	}
	slices.SortFunc(out, func(a, b Ranked) int {
		return cmp.Or(b.Days-a.Days, b.Minutes-a.Minutes, strings.Compare(a.EmployeeID, b.EmployeeID))
	})
	return out[:min(len(out), TopN)]
}

func (r *ranking) answer(b Base) *RankingAnswer {
	return &RankingAnswer{Base: b,
		Late:  r.top(func(x *person) (int, int) { return x.lateDays, x.lateMin }),
		Early: r.top(func(x *person) (int, int) { return x.earlyDays, x.earlyMin }),
	}
}

// Department is one department's measures for the comparison: its
// employees (those with records, not its sub-departments'), their
// expected and attended days and rate, days late, early, absent and
// with any anomaly, and overtime minutes.
type Department struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Employees   int     `json:"employees"`
	Expected    int     `json:"expected"`
	Present     int     `json:"present"`
	RatePct     float64 `json:"rate_pct"`
	LateDays    int     `json:"late_days"`
	EarlyDays   int     `json:"early_days"`
	AbsentDays  int     `json:"absent_days"`
	AnomalyDays int     `json:"anomaly_days"`
	OvertimeMin int     `json:"overtime_min"`
}

// DepartmentsAnswer is the department comparison, departments by id.
type DepartmentsAnswer struct {
	Base
	Departments []Department `json:"departments"`
}

type departments struct {
	names map[string]string
	by    map[string]*Department
	seen  map[string]bool // employees counted
}

func (d *departments) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		rec := &recs[i]
		dept := pg.emps[rec.EmployeeID].DepartmentID
		x := d.by[dept]
		if x == nil {
			x = &Department{ID: dept, Name: d.names[dept]}
			d.by[dept] = x
		}
		if !d.seen[rec.EmployeeID] {
			d.seen[rec.EmployeeID] = true
			x.Employees++
		}
		if Expected(rec) {
			x.Expected++
			if Present(rec) {
				x.Present++
			}
		}
		x.LateDays += b2i(rec.LateMin > 0)
		x.EarlyDays += b2i(rec.EarlyMin > 0)
		x.AbsentDays += b2i(rec.Status == rules.StatusAbsent)
		x.AnomalyDays += b2i(slices.ContainsFunc(rec.Anomalies, func(a rules.Anomaly) bool { return anomalyCode(a.Code) }))
		x.OvertimeMin += rec.OvertimeMin
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (d *departments) answer(b Base) *DepartmentsAnswer {
	a := &DepartmentsAnswer{Base: b, Departments: []Department{}}
	for _, x := range d.by {
		x.RatePct = Pct(x.Present, x.Expected)
		a.Departments = append(a.Departments, *x)
	}
	slices.SortFunc(a.Departments, func(x, y Department) int { return strings.Compare(x.ID, y.ID) })
	return a
}

// ReasonCount is how many employee-days have an anomaly.
type ReasonCount struct {
	Code  rules.AnomalyCode `json:"code"`
	Count int               `json:"count"`
}

// AnomaliesAnswer is the employee-days by anomaly reason (those with
// any, in a fixed order; overtime is not a fault and not counted), and
// the employee-days with any anomaly.
type AnomaliesAnswer struct {
	Base
	Reasons []ReasonCount `json:"reasons"`
	Days    int           `json:"days"`
}

// EmployeeDay is an employee-day behind an anomaly reason.
type EmployeeDay struct {
	EmployeeID   string              `json:"employee_id"`
	Name         string              `json:"name"`
	DepartmentID string              `json:"department_id"`
	Department   string              `json:"department"`
	Date         rules.Date          `json:"date"`
	Status       rules.Status        `json:"status"`
	Minutes      int                 `json:"minutes,omitempty"`
	Approval     rules.ApprovalState `json:"approval,omitempty"`
}

type anomalies struct {
	by   map[rules.AnomalyCode]int
	days int
}

func (a *anomalies) records(_ *page, recs []rules.DayRecord) error {
	for i := range recs {
		var seen []rules.AnomalyCode
		for _, x := range recs[i].Anomalies {
			if anomalyCode(x.Code) && !slices.Contains(seen, x.Code) {
				seen = append(seen, x.Code)
				a.by[x.Code]++
			}
		}
		a.days += b2i(len(seen) > 0)
	}
	return nil
}

func (a *anomalies) answer(b Base) *AnomaliesAnswer {
	out := &AnomaliesAnswer{Base: b, Reasons: []ReasonCount{}, Days: a.days}
	for _, c := range anomalyCodes {
		if n := a.by[c]; n > 0 {
			out.Reasons = append(out.Reasons, ReasonCount{Code: c, Count: n})
		}
	}
	return out
}
