package stats

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"punchclock/app/chart"
	"punchclock/app/rules"
)

type trend struct{ days map[rules.Date]*chart.Rate }

func (t *trend) records(_ *page, recs []rules.DayRecord) error {
	for i := range recs {
		if !chart.Expected(&recs[i]) {
			continue
		}
		r := t.days[recs[i].Date]
		if r == nil {
			r = &chart.Rate{}
			t.days[recs[i].Date] = r
		}
		r.Expected++
		if chart.Present(&recs[i]) {
			r.Present++
		}
	}
	return nil
}

func (t *trend) answer(b chart.Base) *chart.TrendAnswer {
	a := &chart.TrendAnswer{Base: b, Day: []chart.Rate{}, Week: []chart.Rate{}, Month: []chart.Rate{}}
	add := func(list []chart.Rate, period string, r *chart.Rate) []chart.Rate {
		if n := len(list); n == 0 || list[n-1].Period != period {
			list = append(list, chart.Rate{Period: period})
		}
		x := &list[len(list)-1]
		if r != nil {
			x.Expected += r.Expected
			x.Present += r.Present
		}
		x.RatePct = chart.Pct(x.Present, x.Expected)
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
	overtime            chart.ByDayType
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
func (p *people) top(key func(*person) (int, int)) []chart.Ranked {
	out := []chart.Ranked{}
	for id, x := range p.by {
		if d, m := key(x); d > 0 {
			out = append(out, chart.Ranked{EmployeeID: id, Name: x.name, DepartmentID: x.dept, Department: p.depts[x.dept], Days: d, Minutes: m})
		}
	}
	slices.SortFunc(out, func(a, b chart.Ranked) int {
		return cmp.Or(b.Days-a.Days, b.Minutes-a.Minutes, strings.Compare(a.EmployeeID, b.EmployeeID))
	})
	return out[:min(len(out), TopN)]
}

func (r *ranking) answer(b chart.Base) *chart.RankingAnswer {
	return &chart.RankingAnswer{Base: b,
		Late:  r.top(func(x *person) (int, int) { return x.lateDays, x.lateMin }),
		Early: r.top(func(x *person) (int, int) { return x.earlyDays, x.earlyMin }),
	}
}

type departments struct {
	names map[string]string
	by    map[string]*chart.Department
	seen  map[string]bool // employees counted
}

func (d *departments) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		rec := &recs[i]
		dept := pg.emps[rec.EmployeeID].DepartmentID
		x := d.by[dept]
		if x == nil {
			x = &chart.Department{ID: dept, Name: d.names[dept]}
			d.by[dept] = x
		}
		if !d.seen[rec.EmployeeID] {
			d.seen[rec.EmployeeID] = true
			x.Employees++
		}
		if chart.Expected(rec) {
			x.Expected++
			if chart.Present(rec) {
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

func (d *departments) answer(b chart.Base) *chart.DepartmentsAnswer {
	a := &chart.DepartmentsAnswer{Base: b, Departments: []chart.Department{}}
	for _, x := range d.by {
		x.RatePct = chart.Pct(x.Present, x.Expected)
		a.Departments = append(a.Departments, *x)
	}
	slices.SortFunc(a.Departments, func(x, y chart.Department) int { return strings.Compare(x.ID, y.ID) })
	return a
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

func (a *anomalies) answer(b chart.Base) *chart.AnomaliesAnswer {
	out := &chart.AnomaliesAnswer{Base: b, Reasons: []chart.ReasonCount{}, Days: a.days}
	for _, c := range anomalyCodes {
		if n := a.by[c]; n > 0 {
			out.Reasons = append(out.Reasons, chart.ReasonCount{Code: c, Count: n})
		}
	}
	return out
}
