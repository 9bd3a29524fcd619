package rules

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Evaluate compiles in and evaluates every employee of in.Employees from
// from to to (inclusive). Records come in the order of in.Employees, then by
// date.
func Evaluate(in *Input, from, to Date) ([]DayRecord, error) {
	return EvaluateParallel(in, from, to, 1)
}

// EvaluateParallel is Evaluate spread over workers goroutines (0: one per
// CPU). Each employee is evaluated by the pure EvaluateEmployee, so the
// result is the same for any number of workers.
func EvaluateParallel(in *Input, from, to Date, workers int) ([]DayRecord, error) {
	e, err := Compile(in)
	if err != nil {
		return nil, err
	}
	return e.EvaluateAll(in, from, to, workers)
}

// batch is one employee's share of the input. Its punches are
// punches[idx[0]], punches[idx[1]]... when idx is not nil (EvaluateAll
// indexes the input's punches rather than copying them), else all of
// punches.
type batch struct {
	punches     []Punch
	idx         []int32
	corrections []Correction
	approvals   []Approval
}

// EvaluateAll evaluates every employee of in.Employees with the compiled
// engine e (which must have been compiled from the same rules, schedule and
// organisation; in's punches, corrections and approvals are read here).
func (e *Engine) EvaluateAll(in *Input, from, to Date, workers int) ([]DayRecord, error) {
	if to < from {
		return nil, fmt.Errorf("rules: date range %s to %s: want from <= to", from, to)
	}
	batches, err := split(in)
	if err != nil {
		return nil, err
	}
	days := to.Sub(from) + 1
	out := make([]DayRecord, len(in.Employees)*days)
	err = e.run(batches, workers, false, func(sc *scratch, i int) error {
		_, err := e.evaluate(sc, out[i*days:i*days:(i+1)*days], e.now, in.Employees[i].ID, batches[i], from, to)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EvaluateStream compiles in and hands the records of every employee of
// in.Employees to fn: see Engine.EvaluateEach.
func EvaluateStream(in *Input, from, to Date, workers int, fn func(recs []DayRecord) error) error {
	e, err := Compile(in)
	if err != nil {
		return err
	}
	return e.EvaluateEach(in, from, to, workers, fn)
}

// EvaluateEach is EvaluateAll without the result: it hands each
// employee's records (from..to, by date) to fn, employee by employee in
// the order of in.Employees, one call at a time, and returns fn's first
// error. The records are the ones EvaluateAll returns, but their memory
// (the records, their Punches and Anomalies, and the slices of Reasons)
// is reused once fn returns: fn copies what it keeps. What records share
// (a ShiftInfo, the texts of reasons) is never changed and may be kept.
//
// Workers evaluate chunks of employees ahead of fn, so a company-wide
// evaluation holds a few chunks of records at a time, however large the
// company, and allocates little beyond the texts of its reasons.
func (e *Engine) EvaluateEach(in *Input, from, to Date, workers int, fn func(recs []DayRecord) error) error {
	if to < from {
		return fmt.Errorf("rules: date range %s to %s: want from <= to", from, to)
	}
	batches, err := split(in)
	if err != nil {
		return err
	}
	days := to.Sub(from) + 1
	return e.run(batches, workers, true, func(sc *scratch, i int) error {
		if i%evalChunk == 0 {
			sc.arenaReset(evalChunk * days)
		}
		dst := sc.recs[i%evalChunk*days : i%evalChunk*days : (i%evalChunk+1)*days]
		_, err := e.evaluate(sc, dst, e.now, in.Employees[i].ID, batches[i], from, to)
		return err
	}, func(sc *scratch, i int) error {
		return fn(sc.recs[i%evalChunk*days : (i%evalChunk+1)*days])
	})
}

// CloneRecords returns a copy of recs that shares no memory that
// EvaluateEach reuses: their Punches (In and Out pointing into the copy),
// Anomalies and Reasons are copied.
func CloneRecords(recs []DayRecord) []DayRecord {
	out := slices.Clone(recs)
	for i := range out {
		r := &out[i]
		old := r.Punches
		r.Punches = slices.Clip(slices.Clone(r.Punches))
		r.In, r.Out = repoint(r.In, old, r.Punches), repoint(r.Out, old, r.Punches)
		r.Anomalies = slices.Clip(slices.Clone(r.Anomalies))
		r.Reasons = slices.Clip(slices.Clone(r.Reasons))
	}
	return out
}

// repoint returns the element of to at p's index in from.
func repoint(p *PunchUse, from, to []PunchUse) *PunchUse {
	for i := range from {
		if p == &from[i] {
			return &to[i]
		}
	}
	return p
}

// split cuts in's punches, corrections and approvals into one batch per
// employee of in.Employees.
func split(in *Input) ([]batch, error) {
	pos := make(map[string]int, len(in.Employees))
	for i, emp := range in.Employees {
		pos[emp.ID] = i
	}
	batches := make([]batch, len(in.Employees))
	// Count first so that the employees' punch indexes share one
	// allocation.
	owner := make([]int32, len(in.Punches))
	counts := make([]int, len(in.Employees))
	for k := range in.Punches {
		p := &in.Punches[k]
		i, ok := pos[p.EmployeeID]
		if !ok {
			return nil, fmt.Errorf("rules: punch %q: employee %q is not in the input", p.ID, p.EmployeeID)
		}
		owner[k] = int32(i)
		counts[i]++
	}
	all := make([]int32, len(in.Punches))
	off := 0
	for i, n := range counts {
		batches[i].punches = in.Punches
		batches[i].idx = all[off : off : off+n]
		off += n
	}
	for k, i := range owner {
		batches[i].idx = append(batches[i].idx, int32(k))
	}
	for _, c := range in.Corrections {
		i, ok := pos[c.EmployeeID]
		if !ok {
			return nil, fmt.Errorf("rules: correction %q: employee %q is not in the input", c.ID, c.EmployeeID)
		}
		batches[i].corrections = append(batches[i].corrections, c)
	}
	for _, a := range in.Approvals {
		if i, ok := pos[a.EmployeeID]; ok {
			batches[i].approvals = append(batches[i].approvals, a)
		}
	}
	return batches, nil
}

// evalChunk is how many employees a worker takes at a time.
const evalChunk = 64

// run evaluates employee i with eval(sc, i) for every employee of in, on
// workers goroutines (0: one per CPU) taking chunks of evalChunk
// employees in order, each with its own scratch (in stream mode, with
// room for a chunk's records). When emit is not nil, it is called for
// the employees of each chunk once the chunk is evaluated, chunk after
// chunk in order, never concurrently. The first error stops the run.
func (e *Engine) run(batches []batch, workers int, stream bool, eval, emit func(sc *scratch, i int) error) error {
	n := len(batches)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(1, (n+evalChunk-1)/evalChunk))
	var (
		next   atomic.Int64 // the next chunk to take
		mu     sync.Mutex
		turn   int // the chunk whose records emit is waiting for
		failed error
		cond   = sync.NewCond(&mu)
	)
	fail := func(err error) {
		mu.Lock()
		if failed == nil {
			failed = err
		}
		cond.Broadcast()
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			sc := newScratch()
			sc.stream = stream
			for {
				k := int(next.Add(1) - 1)
				start := k * evalChunk
				if start >= n {
					return
				}
				end := min(start+evalChunk, n)
				for i := start; i < end; i++ {
					if err := eval(sc, i); err != nil {
						fail(err)
						return
					}
				}
				if emit == nil {
					continue
				}
				mu.Lock()
				for turn != k && failed == nil {
					cond.Wait()
				}
				stop := failed != nil
				mu.Unlock()
				if stop {
					return
				}
				for i := start; i < end; i++ {
					if err := emit(sc, i); err != nil {
						fail(err)
						return
					}
				}
				mu.Lock()
				turn++
				cond.Broadcast()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}

// Change is a difference between two evaluations of an employee-day: what
// an admin previews before saving a rule change.
type Change struct {
	EmployeeID string     `json:"employee_id"`
	Date       Date       `json:"date"`
	Fields     []string   `json:"fields"`
	Before     *DayRecord `json:"before,omitempty"`
	After      *DayRecord `json:"after,omitempty"`
}

// Diff lists the employee-days whose verdict differs between before and
// after (status, minutes, shift, day type or anomalies), ordered by
// employee and date.
func Diff(before, after []DayRecord) []Change {
	var out []Change
	if aligned(before, after) {
		// The common case, a recomputation of the same days: no maps.
		for i := range after {
			a, b := &after[i], &before[i]
			if f := diffFields(b, a); len(f) > 0 {
				out = append(out, Change{EmployeeID: a.EmployeeID, Date: a.Date, Fields: f, Before: b, After: a})
			}
		}
		sortChanges(out)
		return out
	}
	type key struct {
		emp  string
		date Date
	}
	old := make(map[key]*DayRecord, len(before))
	for i := range before {
		old[key{before[i].EmployeeID, before[i].Date}] = &before[i]
	}
	seen := make(map[key]bool, len(after))
	for i := range after {
		a := &after[i]
		k := key{a.EmployeeID, a.Date}
		seen[k] = true
		b := old[k]
		if b == nil {
			out = append(out, Change{EmployeeID: a.EmployeeID, Date: a.Date, Fields: []string{"added"}, After: a})
			continue
		}
		if f := diffFields(b, a); len(f) > 0 {
			out = append(out, Change{EmployeeID: a.EmployeeID, Date: a.Date, Fields: f, Before: b, After: a})
		}
	}
	for i := range before {
		b := &before[i]
		if !seen[key{b.EmployeeID, b.Date}] {
			out = append(out, Change{EmployeeID: b.EmployeeID, Date: b.Date, Fields: []string{"removed"}, Before: b})
		}
	}
	sortChanges(out)
	return out
}

func sortChanges(out []Change) {
	slices.SortFunc(out, func(x, y Change) int {
		if x.EmployeeID != y.EmployeeID {
			if x.EmployeeID < y.EmployeeID {
				return -1
			}
			return 1
		}
		return int(x.Date - y.Date)
	})
}

// aligned reports whether before and after list the same employee-days in
// the same order, each once (an employee's days in increasing order and
// in one run), so that Diff can pair them by index.
func aligned(before, after []DayRecord) bool {
	if len(before) != len(after) {
		return false
	}
	runs := map[string]bool{}
	for i := range after {
		a, b := &after[i], &before[i]
		if a.EmployeeID != b.EmployeeID || a.Date != b.Date {
			return false
		}
		if i > 0 && after[i-1].EmployeeID == a.EmployeeID {
			if after[i-1].Date >= a.Date {
				return false
			}
			continue
		}
		if runs[a.EmployeeID] {
			return false
		}
		runs[a.EmployeeID] = true
	}
	return true
}

func diffFields(a, b *DayRecord) []string {
	var f []string
	add := func(name string, differ bool) {
		if differ {
			f = append(f, name)
		}
	}
	add("status", a.Status != b.Status)
	add("day_type", a.DayType != b.DayType)
	add("shift", !sameShift(a.Shift, b.Shift))
	add("late_min", a.LateMin != b.LateMin)
	add("early_min", a.EarlyMin != b.EarlyMin)
	add("worked_min", a.WorkedMin != b.WorkedMin)
	add("overtime_min", a.OvertimeMin != b.OvertimeMin || a.OvertimeType != b.OvertimeType)
	add("anomalies", !slices.EqualFunc(a.Anomalies, b.Anomalies, func(x, y Anomaly) bool {
		return x.Code == y.Code && x.Minutes == y.Minutes && x.PunchID == y.PunchID && x.Approval.State == y.Approval.State
	}))
	return f
}

// sameShift reports whether a and b are the same shift at the same
// instants, as shown: the same ID, and start and end that print the same
// (formatting them all would cost more than the rest of Diff).
func sameShift(a, b *ShiftInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ID == b.ID && samePrint(a.Start, b.Start) && samePrint(a.End, b.End)
}

// samePrint reports whether x.String() == y.String().
func samePrint(x, y time.Time) bool {
	if x == y {
		return true
	}
	// The string shows the wall time to the nanosecond and the offset, so
	// it differs when the instants or the offsets do.
	xn, xo := x.Zone()
	yn, yo := y.Zone()
	if !x.Equal(y) || xo != yo {
		return false
	}
	// Equal then unless the zone names differ (an unnamed zone prints its
	// offset, which a name may spell too) or a monotonic reading, which
	// the string shows, is present.
	if xn == yn && x == x.Round(0) && y == y.Round(0) {
		return true
	}
	return x.String() == y.String()
}

// Summary totals an employee's attendance cycle, for payroll.
type Summary struct {
	EmployeeID         string `json:"employee_id"`
	CycleStart         Date   `json:"cycle_start"`
	Days               int    `json:"days"`
	Workdays           int    `json:"workdays"`
	Normal             int    `json:"normal"`
	Late               int    `json:"late"`
	SeriouslyLate      int    `json:"seriously_late"`
	EarlyLeave         int    `json:"early_leave"`
	Missing            int    `json:"missing"`
	Absent             int    `json:"absent"`
	LateMin            int    `json:"late_min"`
	EarlyMin           int    `json:"early_min"`
	WorkedMin          int    `json:"worked_min"`
	OvertimeWorkdayMin int    `json:"overtime_workday_min"`
	OvertimeRestDayMin int    `json:"overtime_rest_day_min"`
	OvertimeHolidayMin int    `json:"overtime_holiday_min"`
}

// Summarize totals records by employee and attendance cycle, in the order
// the pairs first appear.
func Summarize(records []DayRecord) []Summary {
	type key struct {
		emp   string
		cycle Date
	}
	idx := map[key]int{}
	var out []Summary
	for i := range records {
		r := &records[i]
		k := key{r.EmployeeID, r.CycleStart}
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, Summary{EmployeeID: r.EmployeeID, CycleStart: r.CycleStart})
		}
		s := &out[j]
		s.Days++
		if r.Shift != nil {
			s.Workdays++
		}
		switch r.Status {
		case StatusNormal:
			s.Normal++
		case StatusLate:
			s.Late++
		case StatusSeriouslyLate:
			s.SeriouslyLate++
		case StatusEarlyLeave:
			s.EarlyLeave++
		case StatusMissingIn, StatusMissingOut:
			s.Missing++
		case StatusAbsent:
			s.Absent++
		}
		s.LateMin += r.LateMin
		s.EarlyMin += r.EarlyMin
		s.WorkedMin += r.WorkedMin
		switch r.OvertimeType {
		case DayWorkday:
			s.OvertimeWorkdayMin += r.OvertimeMin
		case DayRest:
			s.OvertimeRestDayMin += r.OvertimeMin
		case DayHoliday:
			s.OvertimeHolidayMin += r.OvertimeMin
		}
	}
	return out
}
