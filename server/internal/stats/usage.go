package stats

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"punchclock/app/attendance"
	"punchclock/app/chart"
	"punchclock/app/rules"
)

type overtime struct {
	people
	days   map[rules.Date]*chart.ByDayType
	byDept map[string]*chart.ByDayType
	total  chart.ByDayType
}

func (o *overtime) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		rec := &recs[i]
		if rec.OvertimeMin <= 0 {
			continue
		}
		p := o.of(pg, rec.EmployeeID)
		p.overtime.Add(rec)
		if o.days[rec.Date] == nil {
			o.days[rec.Date] = &chart.ByDayType{}
		}
		o.days[rec.Date].Add(rec)
		if o.byDept[p.dept] == nil {
			o.byDept[p.dept] = &chart.ByDayType{}
		}
		o.byDept[p.dept].Add(rec)
		o.total.Add(rec)
	}
	return nil
}

func (o *overtime) answer(b chart.Base) *chart.OvertimeAnswer {
	a := &chart.OvertimeAnswer{Base: b, Days: []chart.OvertimeDay{}, People: []chart.OvertimePerson{}, Departments: []chart.OvertimeDepartment{}, Total: o.total}
	for d := b.From; d <= b.To; d = d.AddDays(1) {
		x := chart.OvertimeDay{Date: d}
		if v := o.days[d]; v != nil {
			x.ByDayType = *v
		}
		a.Days = append(a.Days, x)
	}
	for id, p := range o.by {
		a.People = append(a.People, chart.OvertimePerson{EmployeeID: id, Name: p.name, DepartmentID: p.dept, Department: o.depts[p.dept], ByDayType: p.overtime})
	}
	slices.SortFunc(a.People, func(x, y chart.OvertimePerson) int {
		return cmp.Or(y.Total-x.Total, strings.Compare(x.EmployeeID, y.EmployeeID))
	})
	a.WithAny, a.People = len(a.People), a.People[:min(len(a.People), TopN)]
	for id, v := range o.byDept {
		a.Departments = append(a.Departments, chart.OvertimeDepartment{ID: id, Name: o.depts[id], ByDayType: *v})
	}
	slices.SortFunc(a.Departments, func(x, y chart.OvertimeDepartment) int { return strings.Compare(x.ID, y.ID) })
	return a
}

type methods struct {
	kind     map[string]string // device id -> kind
	byMethod map[attendance.Method]int
	byDevice map[string]int
	total    int
}

func newMethods(devs []attendance.Device) *methods {
	m := &methods{kind: map[string]string{}, byMethod: map[attendance.Method]int{}, byDevice: map[string]int{}}
	for _, d := range devs {
		m.kind[d.ID] = d.Kind
	}
	return m
}

func (m *methods) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		for _, u := range recs[i].Punches {
			m.total++
			m.byMethod[u.Method]++
			kind := chart.DeviceOther
			switch p := pg.punches[u.ID]; {
			case u.Correction:
				kind = chart.DeviceManual
			case u.Method == attendance.MethodTerminal, p != nil && strings.HasPrefix(p.DeviceID, attendance.TerminalDevicePrefix):
				kind = chart.DeviceTerminal
			case p != nil && m.kind[p.DeviceID] != "":
				kind = m.kind[p.DeviceID]
			}
			m.byDevice[kind]++
		}
	}
	return nil
}

func (m *methods) answer(b chart.Base) *chart.MethodsAnswer {
	a := &chart.MethodsAnswer{Base: b, Total: m.total}
	for _, x := range attendance.Methods {
		a.Methods = append(a.Methods, chart.Count{Key: string(x), Count: m.byMethod[x]})
	}
	for _, k := range []string{attendance.DeviceKiosk, attendance.DevicePhone, chart.DeviceTerminal, chart.DeviceManual, chart.DeviceOther} {
		a.Devices = append(a.Devices, chart.Count{Key: k, Count: m.byDevice[k]})
	}
	return a
}

// metresPerDegree is a degree of latitude (and of longitude at the
// equator) on the console's site plan.
const metresPerDegree = 111_320

type cellKey struct{ e, n int }

type locations struct {
	sites    map[string]*chart.PlanSite
	cells    map[string]map[cellKey]*chart.Cell
	seen     map[string]bool // sites of the employees
	unplaced int
}

func newLocations(sites []attendance.Site) *locations {
	l := &locations{sites: map[string]*chart.PlanSite{}, cells: map[string]map[cellKey]*chart.Cell{}, seen: map[string]bool{}}
	for _, s := range sites {
		p := &chart.PlanSite{ID: s.ID, Name: s.Name, Point: s.Point, Fences: s.Fences, Cells: []chart.Cell{}}
		if p.Fences == nil {
			p.Fences = []attendance.Fence{}
		}
		l.sites[s.ID] = p
	}
	return l
}

// plane is p's metres east and north of o (the console's site plan).
func plane(o attendance.LatLng, p attendance.Location) (e, n float64) {
	return (p.Lng - o.Lng) * metresPerDegree * math.Cos(o.Lat*math.Pi/180), (p.Lat - o.Lat) * metresPerDegree
}

func (l *locations) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		l.seen[pg.emps[recs[i].EmployeeID].SiteID] = true
		for _, u := range recs[i].Punches {
			p := pg.punches[u.ID]
			if p == nil || p.Location == nil {
				continue
			}
			site := p.SiteID
			if site == "" {
				site = pg.emps[p.EmployeeID].SiteID
			}
			s := l.sites[site]
			if s == nil || s.Point == nil {
				l.unplaced++
				continue
			}
			e, n := plane(*s.Point, *p.Location)
			k := cellKey{int(math.Floor(e / chart.CellM)), int(math.Floor(n / chart.CellM))}
			if l.cells[site] == nil {
				l.cells[site] = map[cellKey]*chart.Cell{}
			}
			c := l.cells[site][k]
			if c == nil {
				c = &chart.Cell{E: (float64(k.e) + 0.5) * chart.CellM, N: (float64(k.n) + 0.5) * chart.CellM}
				l.cells[site][k] = c
			}
			c.Count++
			s.Counts.Punches++
			switch u.Location {
			case rules.Inside:
				c.Inside++
				s.Counts.Inside++
			case rules.Outside:
				c.Outside++
				s.Counts.Outside++
			case rules.Uncertain:
				c.Uncertain++
				s.Counts.Uncertain++
			}
		}
	}
	return nil
}

func (l *locations) answer(b chart.Base) *chart.LocationsAnswer {
	a := &chart.LocationsAnswer{Base: b, CellM: chart.CellM, Sites: []chart.PlanSite{}, Unplaced: l.unplaced}
	for id, s := range l.sites {
		if s.Counts.Punches == 0 && !l.seen[id] {
			continue
		}
		for _, c := range l.cells[id] {
			s.Cells = append(s.Cells, *c)
		}
		slices.SortFunc(s.Cells, func(x, y chart.Cell) int { return cmp.Or(cmp.Compare(x.N, y.N), cmp.Compare(x.E, y.E)) })
		a.Sites = append(a.Sites, *s)
	}
	slices.SortFunc(a.Sites, func(x, y chart.PlanSite) int { return strings.Compare(x.ID, y.ID) })
	return a
}
