// Package stats computes the console's dashboard charts from the same
// day records as GET /api/v1/attendance/record (package dayrec): the
// attendance rate by day, week and month, the late and early-leave top
// 10, the department comparison, the anomaly reasons (and the
// employee-days behind one), the punch locations on the site plans, the
// overtime by day type, person and department, and the punch methods and
// devices.
//
// A chart reads its employees a page at a time through dayrec, as the
// exports of package report do, and keeps only its aggregates (a few
// numbers per day, per department and per employee): a 10,000-employee
// month is never held as records. The employee-days behind an anomaly
// reason are handed to a callback as they are found, for the caller to
// stream.
package stats

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"punchclock/app/attendance"
	"punchclock/app/chart"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/report"
	"punchclock/server/internal/store"
)

// Page is how many employees a chart reads at once (fewer for ranges
// longer than 31 days).
const Page = 500

// pageSize is Page, smaller in a test that wants many pages of a small
// organisation.
var pageSize = Page

// TopN is how many people the rankings and the overtime table name.
const TopN = 10

// Query selects a chart's employee-days.
type Query struct {
	Chart string
	// EmployeeID or DepartmentID (with its sub-departments) selects the
	// employees, one of them.
	EmployeeID, DepartmentID string
	From, To                 rules.Date
	// Reason, for the anomalies chart, asks for the employee-days with
	// that anomaly in place of the counts.
	Reason rules.AnomalyCode
}

// Parse reads the Query of the chart name from a query string: the
// selection of the exports (report.ParseSelection) and, for the
// anomalies chart, reason. Bad values are wire.CodeInvalid; an
// unknown chart is wire.CodeNotFound.
func Parse(name string, q url.Values) (Query, error) {
	known := false
	for _, c := range chart.Charts {
		known = known || c == name
	}
	if !known {
		return Query{}, wire.Errorf(wire.CodeNotFound, "no chart %q", name)
	}
	sel, err := report.ParseSelection(q)
	if err != nil {
		return Query{}, err
	}
	s := Query{Chart: name, EmployeeID: sel.EmployeeID, DepartmentID: sel.DepartmentID, From: sel.From, To: sel.To, Reason: rules.AnomalyCode(q.Get("reason"))}
	if s.Reason != "" && (name != chart.Anomalies || !anomalyCode(s.Reason)) {
		return Query{}, wire.Errorf(wire.CodeInvalid, "reason must be an anomaly code of the anomalies chart")
	}
	return s, nil
}

// ParseAll reads the selection of the dashboard's charts from a query
// string: the exports' selection (report.ParseSelection) and charts, a
// comma-separated list of chart names (default: all of them).
func ParseAll(q url.Values) (Query, []string, error) {
	sel, err := report.ParseSelection(q)
	if err != nil {
		return Query{}, nil, err
	}
	names := chart.Charts
	if v := q.Get("charts"); v != "" {
		names = strings.Split(v, ",")
		for _, name := range names {
			if !slices.Contains(chart.Charts, name) {
				return Query{}, nil, wire.Errorf(wire.CodeInvalid, "charts: no chart %q", name)
			}
		}
	}
	return Query{EmployeeID: sel.EmployeeID, DepartmentID: sel.DepartmentID, From: sel.From, To: sel.To}, names, nil
}

// anomalyCodes are the reasons the anomalies chart counts: every finding
// but overtime, which is not a fault.
var anomalyCodes = []rules.AnomalyCode{rules.AnomalyLate, rules.AnomalySeriouslyLate, rules.AnomalyEarlyLeave, rules.AnomalyShortHours,
	rules.AnomalyMissingIn, rules.AnomalyMissingOut, rules.AnomalyAbsent, rules.AnomalyOutOfFence, rules.AnomalyLocUncertain,
	rules.AnomalyNoLocation, rules.AnomalyUnverified, rules.AnomalyClockCorrected}

func anomalyCode(c rules.AnomalyCode) bool {
	for _, x := range anomalyCodes {
		if x == c {
			return true
		}
	}
	return false
}

// Service computes charts.
type Service struct {
	Days  *dayrec.Service
	Store store.Store
}

// page is what a chart is handed of one page of employees: the
// employees, the punches their records were computed from (lean: see
// store.PunchFilter.Lean; the slice is reused), then their records.
type page struct {
	emps    map[string]attendance.Employee
	punches map[string]*store.StoredPunch
}

// aggregate accumulates one chart over the pages.
type aggregate interface {
	// records takes one employee's records (reused after it returns).
	records(pg *page, recs []rules.DayRecord) error
}

// each streams q's employees a page at a time through dayrec and hands
// every employee's records to c; with punches, the page's punches are
// kept for c to look up (by id) while their records are handed out.
func (s *Service) each(ctx context.Context, q Query, punches bool, c aggregate) error {
	f := dayrec.Filter{EmployeeID: q.EmployeeID, DepartmentID: q.DepartmentID, From: q.From, To: q.To, Lean: true,
		Limit: max(1, min(pageSize, pageSize*31/(q.To.Sub(q.From)+1)))}
	pg := &page{emps: map[string]attendance.Employee{}, punches: map[string]*store.StoredPunch{}}
	sink := dayrec.Sink{
		Employees: func(emps []attendance.Employee) error {
			clear(pg.emps)
			clear(pg.punches)
			for _, e := range emps {
				pg.emps[e.ID] = e
			}
			return nil
		},
		Punch: func(p *store.StoredPunch) error {
			if punches {
				cp := *p
				pg.punches[p.ID] = &cp
			}
			return nil
		},
		Records: func(recs []rules.DayRecord) error { return c.records(pg, recs) },
	}
	for {
		next, err := s.Days.Stream(ctx, f, sink)
		if err != nil || next == "" {
			return err
		}
		f.After = next
	}
}

// names are the departments' names by id.
func (s *Service) names(ctx context.Context) (map[string]string, error) {
	depts, err := s.Store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(depts))
	for _, d := range depts {
		out[d.ID] = d.Name
	}
	return out, nil
}

// Compute computes the chart q names (not the anomaly drill-down: see
// Reason) and returns its answer, one of the *Answer types.
func (s *Service) Compute(ctx context.Context, q Query) (any, error) {
	all, err := s.ComputeAll(ctx, q, []string{q.Chart})
	if err != nil {
		return nil, err
	}
	return all[q.Chart], nil
}

// ComputeAll computes the charts names (chart.Charts' names) of q's
// employee-days in one pass over their records, as the dashboard shows
// them together, and returns each answer by name.
func (s *Service) ComputeAll(ctx context.Context, q Query, names []string) (map[string]any, error) {
	depts, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	var all multi
	answers := map[string]func(chart.Base) any{}
	for _, name := range names {
		if answers[name] != nil {
			continue
		}
		var c aggregate
		switch name {
		case chart.Trend:
			t := &trend{days: map[rules.Date]*chart.Rate{}}
			c, answers[name] = t, func(b chart.Base) any { return t.answer(b) }
		case chart.Ranking:
			r := &ranking{people: people{depts: depts, by: map[string]*person{}}}
			c, answers[name] = r, func(b chart.Base) any { return r.answer(b) }
		case chart.Departments:
			d := &departments{names: depts, by: map[string]*chart.Department{}, seen: map[string]bool{}}
			c, answers[name] = d, func(b chart.Base) any { return d.answer(b) }
		case chart.Anomalies:
			a := &anomalies{by: map[rules.AnomalyCode]int{}}
			c, answers[name] = a, func(b chart.Base) any { return a.answer(b) }
		case chart.Locations:
			sites, err := s.Store.Sites(ctx)
			if err != nil {
				return nil, err
			}
			l := newLocations(sites)
			c, answers[name] = l, func(b chart.Base) any { return l.answer(b) }
			all.punches = true
		case chart.Overtime:
			o := &overtime{people: people{depts: depts, by: map[string]*person{}}, days: map[rules.Date]*chart.ByDayType{}, byDept: map[string]*chart.ByDayType{}}
			c, answers[name] = o, func(b chart.Base) any { return o.answer(b) }
		case chart.Methods:
			devs, err := s.Store.Devices(ctx)
			if err != nil {
				return nil, err
			}
			m := newMethods(devs)
			c, answers[name] = m, func(b chart.Base) any { return m.answer(b) }
			all.punches = true
		default:
			return nil, wire.Errorf(wire.CodeNotFound, "no chart %q", name)
		}
		all.charts = append(all.charts, c)
	}
	if err := s.each(ctx, q, all.punches, all); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(answers))
	for name, answer := range answers {
		out[name] = answer(chart.Base{Chart: name, From: q.From, To: q.To, EmployeeID: q.EmployeeID, DepartmentID: q.DepartmentID})
	}
	return out, nil
}

// multi hands every employee's records to each of its charts; punches
// says whether one of them looks punches up.
type multi struct {
	charts  []aggregate
	punches bool
}

func (m multi) records(pg *page, recs []rules.DayRecord) error {
	for _, c := range m.charts {
		if err := c.records(pg, recs); err != nil {
			return err
		}
	}
	return nil
}

// Reason hands fn, one at a time and as they are computed, the
// employee-days of q that have the anomaly q.Reason: employees in id
// order, days by date.
func (s *Service) Reason(ctx context.Context, q Query, fn func(chart.EmployeeDay) error) error {
	depts, err := s.names(ctx)
	if err != nil {
		return err
	}
	return s.each(ctx, q, false, chartFunc(func(pg *page, recs []rules.DayRecord) error {
		for i := range recs {
			rec := &recs[i]
			for _, a := range rec.Anomalies {
				if a.Code != q.Reason {
					continue
				}
				e := pg.emps[rec.EmployeeID]
				err := fn(chart.EmployeeDay{EmployeeID: rec.EmployeeID, Name: e.Name, DepartmentID: e.DepartmentID, Department: depts[e.DepartmentID],
					Date: rec.Date, Status: rec.Status, Minutes: a.Minutes, Approval: a.Approval.State})
				if err != nil {
					return err
				}
				break
			}
		}
		return nil
	}))
}

// chartFunc is an aggregate of one function.
type chartFunc func(pg *page, recs []rules.DayRecord) error

func (f chartFunc) records(pg *page, recs []rules.DayRecord) error { return f(pg, recs) }
