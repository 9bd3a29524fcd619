package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"punchclock/app/attendance"
)

// Engine is an Input compiled for evaluation: rules validated, the zone
// loaded, shifts, schedules, sites and the organisation indexed. It holds
// no punches; EvaluateEmployee takes them. An Engine is safe for
// concurrent use.
type Engine struct {
	rules RuleSet
	loc   *time.Location
	now   time.Time

	shifts   map[string]*shiftC
	weekly   map[string]*weeklyC
	rotation map[string]*Rotation

	sites        []siteC
	siteIdx      map[string]int
	checkMethods map[attendance.Method]bool
	verify       map[attendance.Method]bool

	emps      map[string]*empC
	byEmp     map[string][]assignC
	byPos     map[string][]assignC
	byDept    map[string][]assignC
	overrides map[overrideKey]string
	def       assignC

	dupWindow time.Duration

	country  string
	extra    map[Date]calDay
	extraYrs map[int]bool
	calMu    sync.Mutex
	cal      atomic.Pointer[calIndex]
}

type shiftC struct {
	Shift
	inEarly, outLate time.Duration
	nominal          int
}

type weeklyC struct {
	id     string
	days   [7]*shiftC
	makeup *shiftC
}

type empC struct {
	e         attendance.Employee
	depts     []string // own department, then its ancestors; shared by the department's employees
	managerID string
	// lists are the assignment lists that can apply to the employee, most
	// specific first (employee, position, departments up the tree): resolved
	// once here, so that planning a day scans them instead of looking up
	// maps by id, position and every department.
	lists       []scopedList
	hasOverride bool
	// shared: the employee has no assignment or override of its own, so
	// its lists are those of everyone of its position and department.
	shared bool
	// lastDay is the employee's leaving date, when hasLastDay: the days
	// after it are no working days (they are not absent, they have left).
	lastDay    Date
	hasLastDay bool
}

// left reports whether d is after the employee's leaving date.
func (c *empC) left(d Date) bool { return c.hasLastDay && d > c.lastDay }

// scopedList is the assignments of one target and the source they give.
type scopedList struct {
	list   []assignC
	source string
}

type assignC struct {
	scope    Scope
	schedule string
	from, to Date
	anchor   Date
	order    int
	// The schedule resolved: a weekly schedule, or a rotation with its
	// pattern's shifts (nil for a day off), or neither when unknown.
	weekly *weeklyC
	rot    *Rotation
	rotPat []*shiftC
}

type overrideKey struct {
	emp  string
	date Date
}

type calIndex struct {
	years map[int]bool
	days  map[Date]calDay
}

// Compile validates in (except its punches, corrections and approvals,
// which EvaluateEmployee checks) and prepares an Engine.
func Compile(in *Input) (*Engine, error) {
	if err := in.Rules.Validate(); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if err := in.Calendar.Validate(); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if in.Zone == "" || in.Zone == "Local" {
		return nil, fmt.Errorf("rules: %w: zone %q is not an IANA zone name", ErrInvalidRules, in.Zone)
	}
	loc := in.Location
	if loc == nil || loc.String() != in.Zone {
		var err error
		if loc, err = time.LoadLocation(in.Zone); err != nil {
			return nil, fmt.Errorf("rules: %w: zone %q: %w", ErrInvalidRules, in.Zone, err)
		}
	}
	rs := in.Rules
	e := &Engine{
		rules: rs, loc: loc, now: in.Now,
		shifts: map[string]*shiftC{}, weekly: map[string]*weeklyC{}, rotation: map[string]*Rotation{},
		siteIdx: map[string]int{}, emps: make(map[string]*empC, len(in.Employees)),
		byEmp: map[string][]assignC{}, byPos: map[string][]assignC{}, byDept: map[string][]assignC{},
		overrides: map[overrideKey]string{},
		country:   rs.Basic.HolidayCountry,
		extra:     map[Date]calDay{}, extraYrs: map[int]bool{},
	}
	for i := range rs.Shifts {
		s := rs.Shifts[i]
		c := &shiftC{Shift: s, nominal: shiftLength(s.Start, s.End)}
		c.inEarly = minutes(orDefault(s.InEarliestMin, DefaultInEarliestMin))
		c.outLate = minutes(orDefault(s.OutLatestMin, DefaultOutLatestMin))
		e.shifts[s.ID] = c
	}
	for _, w := range rs.Weekly {
		c := &weeklyC{id: w.ID}
		for d, id := range w.Days.byWeekday() {
			c.days[d] = e.shifts[id]
		}
		switch {
		case w.MakeupShift != "":
			c.makeup = e.shifts[w.MakeupShift]
		case c.days[time.Monday] != nil:
			c.makeup = c.days[time.Monday]
		default:
			for d := time.Monday; d <= time.Saturday && c.makeup == nil; d++ {
				c.makeup = c.days[d]
			}
		}
		e.weekly[w.ID] = c
	}
	for i := range rs.Rotations {
		e.rotation[rs.Rotations[i].ID] = &rs.Rotations[i]
	}
	for i, s := range rs.Sites {
		c := siteC{id: s.ID}
		for _, f := range s.Fences {
			c.fences = append(c.fences, compileFence(f))
		}
		for _, n := range s.Networks {
			p, _ := parseNetwork(n) // validated above
			c.networks = append(c.networks, p)
			c.netNames = append(c.netNames, p.String())
		}
		e.sites = append(e.sites, c)
		e.siteIdx[s.ID] = i
	}
	e.checkMethods = map[attendance.Method]bool{attendance.MethodGPS: true}
	if rs.Location.CheckMethods != nil {
		e.checkMethods = map[attendance.Method]bool{}
		for _, m := range rs.Location.CheckMethods {
			e.checkMethods[m] = true
		}
	}
	if v := rs.Exceptions.Verification; v != nil {
		e.verify = map[attendance.Method]bool{}
		for _, m := range v.Methods {
			e.verify[m] = true
		}
	}
	e.dupWindow = minutes(orDefault(rs.Exceptions.DuplicateMin, DefaultDuplicateMin))

	if err := e.compileOrg(in); err != nil {
		return nil, err
	}
	if err := e.compileSchedule(&in.Schedule); err != nil {
		return nil, err
	}
	e.resolveSchedules()
	in.Calendar.expand(e.extra)
	for d := range e.extra {
		e.extraYrs[d.Year()] = true
	}
	e.cal.Store(&calIndex{years: map[int]bool{}, days: map[Date]calDay{}})
	return e, nil
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (e *Engine) compileOrg(in *Input) error {
	var v validator
	parent := map[string]string{}
	manager := map[string]string{}
	for _, d := range in.Departments {
		parent[d.ID] = d.ParentID
		manager[d.ID] = d.ManagerID
	}
	// One chain per department, shared by its employees, and one block of
	// employees: a company of 10,000 costs a handful of allocations here.
	chains := map[string][]string{}
	emps := make([]empC, len(in.Employees))
	for i, emp := range in.Employees {
		if err := attendance.ValidID("employee", emp.ID); err != nil {
			v.add(fmt.Sprintf("employees[%d].id", i), "%v", err)
			continue
		}
		if _, dup := e.emps[emp.ID]; dup {
			v.add(fmt.Sprintf("employees[%d].id", i), "%q is listed twice", emp.ID)
			continue
		}
		chain, ok := chains[emp.DepartmentID]
		if !ok {
			for d := emp.DepartmentID; d != "" && !slices.Contains(chain, d) && len(chain) < 64; d = parent[d] {
				chain = append(chain, d)
			}
			chain = slices.Clip(chain)
			chains[emp.DepartmentID] = chain
		}
		c := &emps[i]
		*c = empC{e: emp, depts: chain, managerID: emp.ManagerID}
		if emp.LeavingDate != "" {
			d, err := ParseDate(emp.LeavingDate)
			if err != nil {
				v.add(fmt.Sprintf("employees[%d].leaving_date", i), "%v", err)
				continue
			}
			c.lastDay, c.hasLastDay = d, true
		}
		for _, d := range chain {
			if c.managerID != "" {
				break
			}
			if manager[d] != "" && manager[d] != emp.ID {
				c.managerID = manager[d]
			}
		}
		e.emps[emp.ID] = c
	}
	if err := v.err(); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	return nil
}

func (e *Engine) compileSchedule(s *Schedule) error {
	for i, a := range s.Assignments {
		c := e.resolveAssign(assignC{scope: a.Scope, schedule: a.Schedule, from: a.From, to: a.To, anchor: a.Anchor, order: i})
		if c.anchor.IsZero() {
			c.anchor = a.From
		}
		switch a.Scope {
		case ScopeEmployee:
			e.byEmp[a.Target] = append(e.byEmp[a.Target], c)
		case ScopePosition:
			e.byPos[a.Target] = append(e.byPos[a.Target], c)
		case ScopeDepartment:
			e.byDept[a.Target] = append(e.byDept[a.Target], c)
		}
	}
	for _, o := range s.Overrides {
		e.overrides[overrideKey{o.EmployeeID, o.Date}] = o.Shift
	}
	var v validator
	if id := e.rules.Basic.DefaultSchedule; id != "" {
		e.def = e.resolveAssign(assignC{schedule: id})
		if _, rot := e.rotation[id]; rot {
			v.add("basic.default_schedule", "%q is a rotation; a default needs an anchor, assign it instead", id)
		}
	}
	if err := errors.Join(s.Validate(&e.rules), v.err()); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	return nil
}

// resolveAssign points a at its weekly schedule or rotation.
func (e *Engine) resolveAssign(a assignC) assignC {
	a.weekly = e.weekly[a.schedule]
	if r := e.rotation[a.schedule]; r != nil && a.weekly == nil {
		a.rot = r
		a.rotPat = make([]*shiftC, len(r.Pattern))
		for i, id := range r.Pattern {
			a.rotPat[i] = e.shifts[id]
		}
	}
	return a
}

// resolveSchedules fills each employee's assignment lists. Employees of
// one position and department share theirs.
func (e *Engine) resolveSchedules() {
	type groupKey struct{ position, dept string }
	shared := map[groupKey][]scopedList{}
	for _, c := range e.emps {
		k := groupKey{c.e.Position, c.e.DepartmentID}
		base, ok := shared[k]
		if !ok {
			if l := e.byPos[c.e.Position]; c.e.Position != "" && len(l) > 0 {
				base = append(base, scopedList{l, string(ScopePosition)})
			}
			for _, d := range c.depts {
				if l := e.byDept[d]; len(l) > 0 {
					base = append(base, scopedList{l, string(ScopeDepartment)})
				}
			}
			base = slices.Clip(base)
			shared[k] = base
		}
		c.lists, c.shared = base, true
		if own := e.byEmp[c.e.ID]; len(own) > 0 {
			c.lists, c.shared = append([]scopedList{{own, string(ScopeEmployee)}}, base...), false
		}
		if c.hasLastDay {
			c.shared = false // their days end before their colleagues'
		}
	}
	for k := range e.overrides {
		if c := e.emps[k.emp]; c != nil {
			c.hasOverride, c.shared = true, false
		}
	}
}

// ensureYears makes the holiday index cover the years y0..y1. The index is
// copied on write so that readers never lock.
func (e *Engine) ensureYears(y0, y1 int) error {
	idx := e.cal.Load()
	missing := false
	for y := y0; y <= y1; y++ {
		if !idx.years[y] {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	e.calMu.Lock()
	defer e.calMu.Unlock()
	idx = e.cal.Load()
	next := &calIndex{years: map[int]bool{}, days: make(map[Date]calDay, len(idx.days)+64)}
	for y := range idx.years {
		next.years[y] = true
	}
	for d, c := range idx.days {
		next.days[d] = c
	}
	for y := y0; y <= y1; y++ {
		if next.years[y] {
			continue
		}
		if e.country != "" {
			c, err := BuiltinCalendar(e.country, y)
			switch {
			case errors.Is(err, ErrNoHolidayData) && e.extraYrs[y]:
				// The imported calendar covers the year.
			case err != nil:
				return fmt.Errorf("rules: %w", err)
			default:
				c.expand(next.days)
			}
		}
		for d, c := range e.extra {
			if d.Year() == y {
				next.days[d] = c
			}
		}
		next.years[y] = true
	}
	e.cal.Store(next)
	return nil
}

// dayPlan is what the schedule and the calendar make of one employee-day.
type dayPlan struct {
	date     Date
	shift    *shiftC
	dayType  DayType
	dayName  string
	makeup   bool
	schedule string
	source   string
	why      sharedReason // the day type's reason, if any
	cycle    Date         // the first day of its attendance cycle
}

// plan resolves the shift and day type of an employee-day.
func (e *Engine) plan(emp *empC, d Date, idx *calIndex) dayPlan {
	p := dayPlan{date: d, dayType: DayRest}
	if emp.left(d) {
		p.source = sourceLeft
		return p
	}
	cd, special := idx.days[d]
	if special {
		p.dayName = cd.name
	}
	if emp.hasOverride {
		if id, ok := e.overrides[overrideKey{emp.e.ID, d}]; ok {
			p.source = "override"
			p.shift = e.shifts[id]
			p.dayType = dayTypeOf(p.shift != nil, special && cd.kind == Holiday)
			p.makeup = special && cd.kind == Workday
			return p
		}
	}
	a, source := e.assignment(emp, d)
	p.source, p.schedule = source, a.schedule
	if w := a.weekly; w != nil {
		switch {
		case special && cd.kind == Holiday:
			p.dayType = DayHoliday
		case special && cd.kind == Workday:
			p.shift, p.makeup = w.makeup, true
			if p.shift != nil {
				p.dayType = DayWorkday
			}
		default:
			p.shift = w.days[d.Weekday()]
			if p.shift != nil {
				p.dayType = DayWorkday
			}
		}
		return p
	}
	if r := a.rot; r != nil {
		holiday := special && cd.kind == Holiday
		n := len(a.rotPat)
		i := ((d.Sub(a.anchor) % n) + n) % n
		p.shift = a.rotPat[i]
		if holiday && r.ObserveHolidays {
			p.shift = nil
		}
		p.dayType = dayTypeOf(p.shift != nil, holiday)
		return p
	}
	if special && cd.kind == Holiday {
		p.dayType = DayHoliday
	}
	return p
}

// sourceLeft is the plan's source of a day after the leaving date.
const sourceLeft = "left"

func dayTypeOf(hasShift, holiday bool) DayType {
	switch {
	case holiday:
		return DayHoliday
	case hasShift:
		return DayWorkday
	}
	return DayRest
}

// assignment finds the most specific assignment covering d.
func (e *Engine) assignment(emp *empC, d Date) (assignC, string) {
	for _, l := range emp.lists {
		if a, ok := pick(l.list, d); ok {
			return a, l.source
		}
	}
	if e.def.schedule != "" {
		return e.def, "default"
	}
	return assignC{}, ""
}

// pick returns the assignment covering d; when several do, the one that
// started last wins (a newer assignment replaces an older open-ended one),
// then the one listed last.
func pick(list []assignC, d Date) (assignC, bool) {
	var best assignC
	found := false
	for _, a := range list {
		if (!a.from.IsZero() && d < a.from) || (!a.to.IsZero() && d > a.to) {
			continue
		}
		if !found || a.from > best.from || a.from == best.from && a.order > best.order {
			best, found = a, true
		}
	}
	return best, found
}

// Cycle returns the attendance cycle containing d: the calendar month, or
// from CycleStartDay of one month to the day before it in the next.
func (rs *RuleSet) Cycle(d Date) (start, end Date) {
	sd := rs.Basic.CycleStartDay
	if sd <= 1 {
		sd = 1
	}
	y, m, day := d.Date()
	if day < sd {
		m--
	}
	start = NewDate(y, m, sd)
	sy, smon, _ := start.Date()
	end = NewDate(sy, smon+1, sd).AddDays(-1)
	return start, end
}

// parseAddr reads a client address, unmapping IPv4-in-IPv6.
func parseAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(s); err2 == nil {
			a = ap.Addr()
		} else {
			return netip.Addr{}, false
		}
	}
	return a.Unmap(), true
}
