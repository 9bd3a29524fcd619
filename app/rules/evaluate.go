package rules

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"punchclock/app/attendance"
)

// MaxRangeDays bounds one evaluation's date range.
const MaxRangeDays = 400

// pin is a punch or correction prepared for evaluation.
type pin struct {
	use      PunchUse
	unix     int64 // seconds, for cheap comparisons
	dir      attendance.Direction
	rejected *Approval
	leader   int // index of the duplicate group's first punch; itself if first
	inst     int // instance it belongs to, -1 for none
	day      int // index of the day whose record lists it, -1 for none
	pos      int // index in that record's Punches
	locCode  AnomalyCode
	note     string // location detail for reasons
	serial   bool   // an NFC card known by its serial alone (Punch.SerialOnly)
}

// inst is one scheduled shift of the employee.
type inst struct {
	day            int // index into plans
	start, end     time.Time
	s, e, ws, we   int64 // unix seconds of start, end, window start, window end
	in, out        int   // chosen pins, -1 for none
	brk0, brk1     int32 // its breaks: scratch.breaks[brk0:brk1]
	scheduledSecs  int64
	nominalMinutes int
}

// EvaluateEmployee evaluates one employee's days from..to (inclusive). It
// is pure: the result depends only on the Engine and the arguments, not on
// the order of punches, corrections or approvals. Punches of other
// employees are an error; punches far outside the range are ignored. The
// range is widened internally by two days on each side so that night shifts
// and punch windows crossing its ends are judged as in a longer range.
func (e *Engine) EvaluateEmployee(employeeID string, punches []Punch, corrections []Correction, approvals []Approval, from, to Date) ([]DayRecord, error) {
	return e.evaluate(newScratch(), nil, e.now, employeeID, batch{punches: punches, corrections: corrections, approvals: approvals}, from, to)
}

// EvaluateEmployeeAt is EvaluateEmployee with "now" given here instead of
// compiled in from Input.Now, so one compiled Engine serves evaluations at
// different times (the kiosk compiles once per pull and evaluates at every
// punch).
func (e *Engine) EvaluateEmployeeAt(now time.Time, employeeID string, punches []Punch, corrections []Correction, approvals []Approval, from, to Date) ([]DayRecord, error) {
	return e.evaluate(newScratch(), nil, now, employeeID, batch{punches: punches, corrections: corrections, approvals: approvals}, from, to)
}

// evaluate appends the records to dst (EvaluateAll hands each employee its
// slot of one big slice), working in sc.
func (e *Engine) evaluate(sc *scratch, dst []DayRecord, now time.Time, employeeID string, b batch, from, to Date) ([]DayRecord, error) {
	emp := e.emps[employeeID]
	if emp == nil {
		return nil, fmt.Errorf("rules: employee %q is not in the input", employeeID)
	}
	if from.IsZero() || to < from || to.Sub(from) >= MaxRangeDays {
		return nil, fmt.Errorf("rules: date range %s to %s: want from <= to within %d days", from, to, MaxRangeDays)
	}
	if err := e.ensureYears(from.AddDays(-3).Year(), to.AddDays(3).Year()); err != nil {
		return nil, err
	}
	idx := e.cal.Load()
	ev := evaluation{scratch: sc, e: e, now: now, emp: emp, approvals: b.approvals, from: from}

	// Plan every day, with two days of context on each side.
	nd := to.Sub(from) + 5
	ev.planDays(from, nd, idx)

	lo := from.AddDays(-2).At(0, e.loc).Unix()
	hi := to.AddDays(3).At(0, e.loc).Unix()
	if len(ev.insts) > 0 {
		lo = min(lo, ev.insts[0].ws)
		hi = max(hi, ev.insts[len(ev.insts)-1].we)
	}
	if err := ev.collect(b, lo, hi); err != nil {
		return nil, err
	}
	ev.reject()
	ev.merge()
	ev.attribute()

	if dst == nil {
		dst = make([]DayRecord, 0, to.Sub(from)+1)
	}
	// The records' punches share one array per employee.
	if n := int(ev.dayStart[nd-2] - ev.dayStart[2]); sc.stream {
		ev.outPunches = cut(&sc.arPunch, n)
	} else {
		ev.outPunches = make([]PunchUse, n)
	}
	for i := 2; i < nd-2; i++ {
		dst = append(dst, ev.record(i))
	}
	return dst, nil
}

// planDays fills plans, dayInst, insts and breaks for the nd days from
// from-2. Employees who share their schedule (same position and
// department, nothing of their own) share the result, computed once per
// scratch: a company has far fewer schedules than employees.
func (ev *evaluation) planDays(from Date, nd int, idx *calIndex) {
	var k planKey
	if ev.emp.shared {
		k = planKey{from: from, nd: nd, n: len(ev.emp.lists)}
		if k.n > 0 {
			k.lists = &ev.emp.lists[0]
		}
		if p := ev.planned[k]; p != nil {
			ev.plans = append(ev.plans[:0], p.plans...)
			ev.dayInst = append(ev.dayInst[:0], p.dayInst...)
			ev.insts = append(ev.insts[:0], p.insts...)
			ev.breaks = append(ev.breaks[:0], p.breaks...)
			return
		}
	}
	ev.plans = resize(ev.plans, nd)
	ev.dayInst = resize(ev.dayInst, nd)
	ev.insts = ev.insts[:0]
	ev.breaks = ev.breaks[:0]
	for i := range ev.plans {
		ev.plans[i] = ev.e.plan(ev.emp, from.AddDays(i-2), idx)
		ev.plans[i].why = ev.dayReason(&ev.plans[i])
		ev.plans[i].cycle, _ = ev.e.rules.Cycle(ev.plans[i].date)
		ev.dayInst[i] = -1
		if s := ev.plans[i].shift; s != nil {
			ev.dayInst[i] = len(ev.insts)
			ev.insts = append(ev.insts, ev.instance(i, ev.plans[i].date, s))
		}
	}
	if ev.emp.shared {
		ev.planned[k] = &planned{
			plans: slices.Clone(ev.plans), dayInst: slices.Clone(ev.dayInst),
			insts: slices.Clone(ev.insts), breaks: slices.Clone(ev.breaks),
		}
	}
}

// instance computes a shift's instants on date d.
func (ev *evaluation) instance(day int, d Date, s *shiftC) inst {
	e := ev.e
	in := inst{day: day, in: -1, out: -1, nominalMinutes: s.nominal}
	in.start = d.At(s.Start, e.loc)
	endDay := d
	if s.End <= s.Start {
		endDay = d.AddDays(1)
	}
	in.end = endDay.At(s.End, e.loc)
	in.s, in.e = in.start.Unix(), in.end.Unix()
	in.ws = in.s - int64(s.inEarly/time.Second)
	in.we = in.e + int64(s.outLate/time.Second)
	in.scheduledSecs = in.e - in.s
	in.brk0 = int32(len(ev.breaks))
	for _, b := range s.Breaks {
		bd := d
		if b.Start < s.Start {
			bd = d.AddDays(1)
		}
		bs := bd.At(b.Start, e.loc).Unix()
		ed := bd
		if b.End <= b.Start {
			ed = bd.AddDays(1)
		}
		be := ed.At(b.End, e.loc).Unix()
		ev.breaks = append(ev.breaks, [2]int64{bs, be})
		in.scheduledSecs -= overlap(in.s, in.e, bs, be)
	}
	in.brk1 = int32(len(ev.breaks))
	return in
}

func overlap(a0, a1, b0, b1 int64) int64 {
	return max(0, min(a1, b1)-max(a0, b0))
}

// evaluation is the working state of one EvaluateEmployee call. Its
// scratch holds the plans, shift instances and pins; the pins of day i's
// record are dayPins[dayStart[i]:dayStart[i+1]], in time order.
type evaluation struct {
	*scratch
	e         *Engine
	now       time.Time // Input.Now, or the time given to EvaluateEmployeeAt
	emp       *empC
	approvals []Approval
	from      Date
	// outPunches is what is left of the array the records' punches are
	// cut from.
	outPunches []PunchUse
}

// pinsOf returns the pins listed in day i's record.
func (ev *evaluation) pinsOf(i int) []int32 {
	return ev.dayPins[ev.dayStart[i]:ev.dayStart[i+1]]
}

func (ev *evaluation) collect(b batch, lo, hi int64) error {
	ev.pins = ev.pins[:0]
	n := len(b.punches)
	if b.idx != nil {
		n = len(b.idx)
	}
	for k := range n {
		p := &b.punches[k]
		if b.idx != nil {
			p = &b.punches[b.idx[k]]
		}
		if p.EmployeeID != ev.emp.e.ID {
			return fmt.Errorf("rules: punch %q belongs to employee %q, not %q", p.ID, p.EmployeeID, ev.emp.e.ID)
		}
		if p.Time.IsZero() {
			return fmt.Errorf("rules: punch %q has no time", p.ID)
		}
		u := p.Time.Unix()
		if u < lo || u > hi {
			continue
		}
		x := pin{unix: u, dir: p.Direction, inst: -1, serial: p.SerialOnly, use: PunchUse{
			ID: p.ID, Time: p.Time.In(ev.e.loc), Method: p.Method, ClockCorrected: p.ClockCorrected, Place: p.Place,
		}}
		ev.e.locate(p, ev.emp, &x)
		ev.pins = append(ev.pins, x)
	}
	for i := range b.corrections {
		c := &b.corrections[i]
		if c.EmployeeID != ev.emp.e.ID {
			return fmt.Errorf("rules: correction %q belongs to employee %q, not %q", c.ID, c.EmployeeID, ev.emp.e.ID)
		}
		if c.Time.IsZero() {
			return fmt.Errorf("rules: correction %q has no time", c.ID)
		}
		u := c.Time.Unix()
		if u < lo || u > hi {
			continue
		}
		ev.pins = append(ev.pins, pin{unix: u, dir: c.Direction, inst: -1, use: PunchUse{
			ID: c.ID, Time: c.Time.In(ev.e.loc), Method: attendance.MethodManual, Correction: true,
		}})
	}
	// Sort by instant, then by id: the result must not depend on the order
	// punches arrived in. They usually arrive sorted; checking is cheaper
	// than moving the structs.
	if !slices.IsSortedFunc(ev.pins, comparePins) {
		slices.SortFunc(ev.pins, comparePins)
	}
	return nil
}

func comparePins(a, b pin) int {
	if c := a.use.Time.Compare(b.use.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.use.ID, b.use.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.use.Method, b.use.Method)
}

// locate checks a punch against the sites' fences and networks.
func (e *Engine) locate(p *Punch, emp *empC, x *pin) {
	if !e.checkMethods[p.Method] || len(e.sites) == 0 {
		return
	}
	cands := e.sites
	if i, ok := e.siteIdx[p.SiteID]; ok {
		cands = e.sites[i : i+1]
	} else if i, ok := e.siteIdx[emp.e.SiteID]; ok {
		cands = e.sites[i : i+1]
	}
	if a, ok := parseAddr(p.Addr); ok {
		for i := range cands {
			if n, ok := cands[i].inNetwork(a); ok {
				x.use.Location, x.use.Network = Inside, n
				return
			}
		}
	}
	if p.Location == nil && p.Place != "" {
		// The weak-GPS route: no usable fix, a place typed instead.
		x.use.Location, x.locCode = Uncertain, AnomalyLocUncertain
		return
	}
	if p.Location == nil {
		x.use.Location, x.locCode = Outside, AnomalyNoLocation
		return
	}
	acc := p.Location.AccuracyM
	if acc <= 0 {
		acc = e.rules.Location.AssumedAccuracyM
	}
	pt := toWGS84(LatLng{Lat: p.Location.Lat, Lng: p.Location.Lng}, p.Location.Datum)
	best, fence := Outside, ""
	for i := range cands {
		v, f := cands[i].locate(pt, acc)
		if v == Inside {
			best, fence = Inside, f
			break
		}
		if v == Uncertain && best == Outside {
			best, fence = v, f
		}
	}
	x.use.Location, x.use.Fence = best, fence
	switch {
	case best == Outside:
		x.locCode = AnomalyOutOfFence
	case best == Uncertain && e.rules.Location.Uncertain != "inside":
		x.locCode = AnomalyLocUncertain
	case best == Uncertain && p.Place != "":
		// A typed place is the employee's word: never taken as inside.
		x.locCode = AnomalyLocUncertain
	}
}

// reject marks punches a manager rejected: they are kept in the record but
// used for nothing.
func (ev *evaluation) reject() {
	for i := range ev.approvals {
		a := &ev.approvals[i]
		if a.State != ApprovalRejected || a.PunchID == "" || a.EmployeeID != ev.emp.e.ID {
			continue
		}
		for j := range ev.pins {
			if ev.pins[j].use.ID == a.PunchID && !ev.pins[j].use.Correction {
				if r := ev.pins[j].rejected; r == nil || a.ID < r.ID {
					ev.pins[j].rejected = a
				}
			}
		}
	}
}

// merge folds punches within the duplicate window of a group's first punch
// into it.
func (ev *evaluation) merge() {
	win := int64(ev.e.dupWindow / time.Second)
	leader := -1
	for i := range ev.pins {
		p := &ev.pins[i]
		p.leader = i
		if p.rejected != nil {
			continue
		}
		if leader >= 0 && p.unix-ev.pins[leader].unix <= win {
			p.leader = leader
			p.use.Role = RoleMerged
			p.use.MergedInto = ev.pins[leader].use.ID
			continue
		}
		leader = i
	}
}

// attribute gives every punch to the shift whose window holds it, nearest
// to the shift's start or end when windows overlap, and picks each shift's
// in and out. Because the choice depends on the windows and not on an
// alternating in/out state, a forgotten out-punch leaves the next day's
// punches untouched.
func (ev *evaluation) attribute() {
	nd := len(ev.plans)
	counts := resize(ev.dayStart, nd+1)
	clear(counts)
	for i := range ev.pins {
		p := &ev.pins[i]
		if p.leader != i {
			p.inst = ev.pins[p.leader].inst
		} else {
			best, bestD := -1, int64(0)
			for j := range ev.insts {
				in := &ev.insts[j]
				if p.unix < in.ws || p.unix > in.we {
					continue
				}
				d := int64(0)
				if p.unix < in.s {
					d = in.s - p.unix
				} else if p.unix > in.e {
					d = p.unix - in.e
				}
				if best < 0 || d < bestD {
					best, bestD = j, d
				}
			}
			p.inst = best
		}
		p.day = -1
		if p.inst >= 0 {
			p.day = ev.insts[p.inst].day
		} else if d := DateOf(p.use.Time).Sub(ev.from) + 2; d >= 0 && d < nd {
			p.day = d
		}
		if p.day >= 0 {
			counts[p.day+1]++
		}
	}
	for i := 1; i <= nd; i++ {
		counts[i] += counts[i-1]
	}
	ev.dayStart = counts
	ev.dayPins = resize(ev.dayPins, int(counts[nd]))
	fill := resize(ev.fill, nd)
	ev.fill = fill
	copy(fill, counts[:nd])
	for i := range ev.pins {
		if d := ev.pins[i].day; d >= 0 {
			ev.dayPins[fill[d]] = int32(i)
			fill[d]++
		}
	}
	for j := range ev.insts {
		ev.choose(j)
	}
}

// choose picks the in and out among a shift's usable punches.
func (ev *evaluation) choose(j int) {
	in := &ev.insts[j]
	var buf [16]int
	use := buf[:0]
	for _, k := range ev.pinsOf(in.day) {
		i := int(k)
		if ev.pins[i].inst == j && ev.pins[i].leader == i && ev.pins[i].rejected == nil {
			use = append(use, i)
		}
	}
	flex := ev.plans[in.day].shift.Flex != nil
	switch len(use) {
	case 0:
		return
	case 1:
		p := &ev.pins[use[0]]
		isOut := p.unix-in.s > in.e-p.unix // nearer the end
		if !flex && p.unix > in.s && p.unix < in.e && p.dir != attendance.DirectionNone {
			isOut = p.dir == attendance.DirectionOut // the hint breaks the tie inside the shift
		}
		if flex {
			isOut = p.dir == attendance.DirectionOut
		}
		if isOut {
			in.out = use[0]
		} else {
			in.in = use[0]
		}
	default:
		first, last := use[0], use[len(use)-1]
		switch {
		case flex:
			in.in, in.out = first, last
		case ev.pins[first].unix >= in.e:
			in.out = last // everything after the end: no in-punch
		case ev.pins[last].unix <= in.s:
			in.in = first // everything before the start: no out-punch
		default:
			in.in, in.out = first, last
		}
	}
	for _, i := range use {
		switch i {
		case in.in:
			ev.pins[i].use.Role = RoleIn
		case in.out:
			ev.pins[i].use.Role = RoleOut
		default:
			ev.pins[i].use.Role = RoleExtra
		}
	}
}
