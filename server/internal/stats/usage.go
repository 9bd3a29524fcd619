package stats

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// ByDayType is overtime minutes by the overtime's day type (the day's
// when the record names none, as the overtime export counts), and their
// total.
type ByDayType struct {
	Workday int `json:"workday"`
	RestDay int `json:"rest_day"`
	Holiday int `json:"holiday"`
	Total   int `json:"total"`
}

func (b *ByDayType) add(rec *rules.DayRecord) {
	t := rec.OvertimeType
	if t == "" {
		t = rec.DayType
	}
	switch t {
	case rules.DayRest:
		b.RestDay += rec.OvertimeMin
	case rules.DayHoliday:
		b.Holiday += rec.OvertimeMin
	default:
		b.Workday += rec.OvertimeMin
	}
	b.Total += rec.OvertimeMin
}

// OvertimeDay is a day's overtime.
type OvertimeDay struct {
	Date rules.Date `json:"date"`
	ByDayType
}

// OvertimePerson is an employee's overtime over the range.
type OvertimePerson struct {
	EmployeeID   string `json:"employee_id"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id"`
	Department   string `json:"department"`
	ByDayType
}

// OvertimeDepartment is a department's overtime over the range (its own
// employees').
type OvertimeDepartment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	ByDayType
}

// OvertimeAnswer is the overtime by day (every day of the range), the
// TopN employees with the most, how many had any, the departments' and
// the total.
type OvertimeAnswer struct {
	Base
	Days        []OvertimeDay        `json:"days"`
	People      []OvertimePerson     `json:"people"`
	WithAny     int                  `json:"people_with_overtime"`
	Departments []OvertimeDepartment `json:"departments"`
	Total       ByDayType            `json:"total"`
}

type overtime struct {
	people
	days   map[rules.Date]*ByDayType
	byDept map[string]*ByDayType
	total  ByDayType
}

func (o *overtime) records(pg *page, recs []rules.DayRecord) error {
	for i := range recs {
		rec := &recs[i]
		if rec.OvertimeMin <= 0 {
			continue
		}
		p := o.of(pg, rec.EmployeeID)
		p.overtime.add(rec)
		if o.days[rec.Date] == nil {
			o.days[rec.Date] = &ByDayType{}
		}
		o.days[rec.Date].add(rec)
		if o.byDept[p.dept] == nil {
			o.byDept[p.dept] = &ByDayType{}
		}
		o.byDept[p.dept].add(rec)
		o.total.add(rec)
	}
	return nil
}

func (o *overtime) answer(b Base) *OvertimeAnswer {
	a := &OvertimeAnswer{Base: b, Days: []OvertimeDay{}, People: []OvertimePerson{}, Departments: []OvertimeDepartment{}, Total: o.total}
	for d := b.From; d <= b.To; d = d.AddDays(1) {
		x := OvertimeDay{Date: d}
		if v := o.days[d]; v != nil {
			x.ByDayType = *v
		}
		a.Days = append(a.Days, x)
	}
	for id, p := range o.by {
		a.People = append(a.People, OvertimePerson{EmployeeID: id, Name: p.name, DepartmentID: p.dept, Department: o.depts[p.dept], ByDayType: p.overtime})
	}
	slices.SortFunc(a.People, func(x, y OvertimePerson) int {
		return cmp.Or(y.Total-x.Total, strings.Compare(x.EmployeeID, y.EmployeeID))
	})
	a.WithAny, a.People = len(a.People), a.People[:min(len(a.People), TopN)]
	for id, v := range o.byDept {
		a.Departments = append(a.Departments, OvertimeDepartment{ID: id, Name: o.depts[id], ByDayType: *v})
	}
	slices.SortFunc(a.Departments, func(x, y OvertimeDepartment) int { return strings.Compare(x.ID, y.ID) })
	return a
}

// Count is how many punches had a method or came from a kind of device.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Device kinds of the methods chart, beside attendance.DeviceKiosk and
// DevicePhone.
const (
	DeviceTerminal = "terminal" // a hardware terminal's punch
	DeviceOther    = "other"    // a device punchd does not know (any more)
	DeviceManual   = "manual"   // an approved make-up punch: no device
)

// MethodsAnswer is the punches the records use (merged duplicates
// included) by method (every method, in attendance.Methods' order) and
// by the kind of device that took them, and their total.
type MethodsAnswer struct {
	Base
	Methods []Count `json:"methods"`
	Devices []Count `json:"devices"`
	Total   int     `json:"total"`
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
			kind := DeviceOther
			switch p := pg.punches[u.ID]; {
			case u.Correction:
				kind = DeviceManual
			case u.Method == attendance.MethodTerminal:
				kind = DeviceTerminal
			case p != nil && m.kind[p.DeviceID] != "":
				kind = m.kind[p.DeviceID]
			}
			m.byDevice[kind]++
		}
	}
	return nil
}

func (m *methods) answer(b Base) *MethodsAnswer {
	a := &MethodsAnswer{Base: b, Total: m.total}
	for _, x := range attendance.Methods {
		a.Methods = append(a.Methods, Count{Key: string(x), Count: m.byMethod[x]})
	}
	for _, k := range []string{attendance.DeviceKiosk, attendance.DevicePhone, DeviceTerminal, DeviceManual, DeviceOther} {
		a.Devices = append(a.Devices, Count{Key: k, Count: m.byDevice[k]})
	}
	return a
}

// CellM is the side of a location cell on the site plan, in metres.
const CellM = 10

// metresPerDegree is a degree of latitude (and of longitude at the
// equator) on the console's site plan.
const metresPerDegree = 111_320

// Cell is a square of the site plan, CellM a side, centred E metres
// east and N north of the site's point, with the punches made in it and
// the location verdicts of theirs that were checked.
type Cell struct {
	E         float64 `json:"e"`
	N         float64 `json:"n"`
	Count     int     `json:"count"`
	Inside    int     `json:"inside"`
	Outside   int     `json:"outside"`
	Uncertain int     `json:"uncertain"`
}

// PlanSite is a site's plan: its point and fences (as the sites section
// draws them) and the cells its located punches fall in.
type PlanSite struct {
	ID     string             `json:"id"`
	Name   string             `json:"name"`
	Point  *attendance.LatLng `json:"point,omitempty"`
	Fences []attendance.Fence `json:"fences"`
	Cells  []Cell             `json:"cells"`
	Counts struct {
		Punches   int `json:"punches"`
		Inside    int `json:"inside"`
		Outside   int `json:"outside"`
		Uncertain int `json:"uncertain"`
	} `json:"counts"`
}

// LocationsAnswer is the punches with a location that the records use,
// on the plans of the sites they were made for (the employee's site when
// the punch names none); those of a site without a point are Unplaced.
type LocationsAnswer struct {
	Base
	CellM    int        `json:"cell_m"`
	Sites    []PlanSite `json:"sites"`
	Unplaced int        `json:"unplaced"`
}

type cellKey struct{ e, n int }

type locations struct {
	sites    map[string]*PlanSite
	cells    map[string]map[cellKey]*Cell
	seen     map[string]bool // sites of the employees
	unplaced int
}

func newLocations(sites []attendance.Site) *locations {
	l := &locations{sites: map[string]*PlanSite{}, cells: map[string]map[cellKey]*Cell{}, seen: map[string]bool{}}
	for _, s := range sites {
		p := &PlanSite{ID: s.ID, Name: s.Name, Point: s.Point, Fences: s.Fences, Cells: []Cell{}}
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
			k := cellKey{int(math.Floor(e / CellM)), int(math.Floor(n / CellM))}
			if l.cells[site] == nil {
				l.cells[site] = map[cellKey]*Cell{}
			}
			c := l.cells[site][k]
			if c == nil {
				c = &Cell{E: (float64(k.e) + 0.5) * CellM, N: (float64(k.n) + 0.5) * CellM}
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

func (l *locations) answer(b Base) *LocationsAnswer {
	a := &LocationsAnswer{Base: b, CellM: CellM, Sites: []PlanSite{}, Unplaced: l.unplaced}
	for id, s := range l.sites {
		if s.Counts.Punches == 0 && !l.seen[id] {
			continue
		}
		for _, c := range l.cells[id] {
			s.Cells = append(s.Cells, *c)
		}
		slices.SortFunc(s.Cells, func(x, y Cell) int { return cmp.Or(cmp.Compare(x.N, y.N), cmp.Compare(x.E, y.E)) })
		a.Sites = append(a.Sites, *s)
	}
	slices.SortFunc(a.Sites, func(x, y PlanSite) int { return strings.Compare(x.ID, y.ID) })
	return a
}
