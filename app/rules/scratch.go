package rules

import "hash/maphash"

// scratch is the working memory of one goroutine's evaluations, reused
// from one employee to the next. EvaluateAll gives each worker one, so that
// a company-wide evaluation allocates little more than its records; a
// single EvaluateEmployee call uses a fresh one.
//
// It also interns what the records of its evaluations share. A month of a
// large company has a few thousand distinct reason texts and a few tens of
// thousands of distinct reason lists among hundreds of thousands of days,
// and its shifts differ only by date: records point to one copy of each.
type scratch struct {
	plans    []dayPlan
	dayInst  []int
	insts    []inst
	breaks   [][2]int64 // the breaks of insts (see inst.brk0)
	pins     []pin
	dayStart []int32
	dayPins  []int32
	fill     []int32
	use      []int
	anoms    []Anomaly // the current day's anomalies

	// The current day's reasons, items, written one after the other to
	// day: item i's code (or a shared reason's id), English and Chinese
	// texts end at day[segs[3i]], day[segs[3i+1]] and day[segs[3i+2]].
	day   []byte
	segs  []int32
	items []dayItem
	// shared numbers the shared reasons.
	shared map[Reason]uint32
	// The distinct texts and reason lists made so far; lists by the hash
	// of their day's buffer, spill holding any later list of equal hash.
	texts map[string]string
	seed  maphash.Seed
	lists map[uint64][]Reason
	spill map[uint64][][]Reason

	shifts map[shiftInfoKey]*shiftEntry

	planned map[planKey]*planned

	// In stream mode (EvaluateEach) the records of a chunk of employees,
	// and their punches, anomalies and reasons, are cut from these
	// arrays, reused from one chunk to the next; reason lists are not
	// interned.
	stream   bool
	recs     []DayRecord
	arPunch  []PunchUse
	arAnom   []Anomaly
	arReason []Reason
}

// arenaReset starts a chunk of records (n of them) in stream mode.
func (sc *scratch) arenaReset(n int) {
	sc.recs = resize(sc.recs, n)
	sc.arPunch, sc.arAnom, sc.arReason = sc.arPunch[:0], sc.arAnom[:0], sc.arReason[:0]
}

// cut returns n elements of arena, not overlapping any cut before since
// its last reset, with no room to append into the next. The elements are
// not cleared. An arena too small is replaced, the slices already cut
// keeping the old array.
func cut[T any](arena *[]T, n int) []T {
	a := *arena
	if a == nil || cap(a)-len(a) < n {
		a = make([]T, 0, max(2*cap(a), n, 256))
	}
	*arena = a[:len(a)+n]
	return a[len(a) : len(a)+n : len(a)+n]
}

// planKey identifies the days planned for the employees sharing the
// assignment lists that start at lists (nil when there are none).
type planKey struct {
	lists *scopedList
	n     int
	from  Date
	nd    int
}

// planned is a copy of the planning of some days, before any punch.
type planned struct {
	plans   []dayPlan
	dayInst []int
	insts   []inst
	breaks  [][2]int64
}

// shiftInfoKey identifies a ShiftInfo: the shift, its instants (in the
// engine's one zone) and where it came from determine every field.
type shiftInfoKey struct {
	shift      *shiftC
	start, end int64
	schedule   string
	source     string
}

func newScratch() *scratch {
	return &scratch{
		texts: map[string]string{}, seed: maphash.MakeSeed(), shared: map[Reason]uint32{},
		lists: map[uint64][]Reason{}, spill: map[uint64][][]Reason{},
		shifts:  map[shiftInfoKey]*shiftEntry{},
		planned: map[planKey]*planned{},
	}
}

// resize returns s with length n, reusing its array when it is large
// enough. The contents are not cleared.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// addReason adds a reason to the current day, its texts given as parts
// to concatenate. They are written to the day's buffer only: the strings
// exist once per distinct text (see dayReasons).
func (sc *scratch) addReason(code string, en, zh []string) {
	sc.day = append(sc.day, code...)
	sc.segs = append(sc.segs, int32(len(sc.day)))
	for _, p := range en {
		sc.day = append(sc.day, p...)
	}
	sc.segs = append(sc.segs, int32(len(sc.day)))
	for _, p := range zh {
		sc.day = append(sc.day, p...)
	}
	sc.segs = append(sc.segs, int32(len(sc.day)))
	sc.items = append(sc.items, dayItem{r: Reason{Code: code}})
}

// sharedReason is a reason that many days give (the day type's, the
// shift's), made once by reason; id numbers it in its scratch.
type sharedReason struct {
	Reason
	id uint32
}

// dayItem is a reason of the current day: r, when shared, else a reason
// with code r.Code whose texts are in the day's buffer.
type dayItem struct {
	r      Reason
	shared bool
}

// reason makes a shared reason, for add. Equal reasons get the same id,
// so that the days giving them have the same key.
func (sc *scratch) reason(code string, en, zh []string) sharedReason {
	day, segs, items := len(sc.day), len(sc.segs), len(sc.items)
	sc.addReason(code, en, zh)
	r := sc.reasonAt(items)
	sc.day, sc.segs, sc.items = sc.day[:day], sc.segs[:segs], sc.items[:items]
	id, ok := sc.shared[r]
	if !ok {
		id = uint32(len(sc.shared))
		sc.shared[r] = id
	}
	return sharedReason{Reason: r, id: id}
}

// add adds a shared reason to the current day. Only its id goes to the
// day's buffer: the texts are long, and they are known.
func (sc *scratch) add(r sharedReason) {
	sc.day = append(sc.day, 0xff, byte(r.id), byte(r.id>>8), byte(r.id>>16), byte(r.id>>24))
	n := int32(len(sc.day))
	sc.segs = append(sc.segs, n, n, n)
	sc.items = append(sc.items, dayItem{r: r.Reason, shared: true})
}

// reasonAt returns the current day's reason i with interned texts.
func (sc *scratch) reasonAt(i int) Reason {
	it := &sc.items[i]
	if it.shared {
		return it.r
	}
	c, e, z := sc.segs[3*i], sc.segs[3*i+1], sc.segs[3*i+2]
	return Reason{Code: it.r.Code, EN: sc.intern(sc.day[c:e]), ZH: sc.intern(sc.day[e:z])}
}

// intern returns b as a string, one string for equal texts.
func (sc *scratch) intern(b []byte) string {
	if t, ok := sc.texts[string(b)]; ok { // the conversion does not allocate
		return t
	}
	t := string(b)
	sc.texts[t] = t
	return t
}

// dayReasons returns the current day's reasons and starts the next day's.
// Days with the same reasons get the same slice: the day's buffer is
// hashed and compared with the reasons of earlier days with that hash, so
// a day like an earlier one costs one lookup and allocates nothing. The
// slice's capacity is its length, so appending to it never writes into
// another record's.
func (sc *scratch) dayReasons() []Reason {
	defer sc.nextDay()
	if len(sc.items) == 0 {
		return nil
	}
	if sc.stream {
		l := cut(&sc.arReason, len(sc.items))
		for i := range l {
			l[i] = sc.reasonAt(i)
		}
		return l
	}
	h := maphash.Bytes(sc.seed, sc.day)
	l, ok := sc.lists[h]
	if ok && sc.isDay(l) {
		return l
	}
	if ok { // another list has the same hash
		for _, l := range sc.spill[h] {
			if sc.isDay(l) {
				return l
			}
		}
	}
	l = make([]Reason, len(sc.items))
	for i := range l {
		l[i] = sc.reasonAt(i)
	}
	if ok {
		sc.spill[h] = append(sc.spill[h], l)
	} else {
		sc.lists[h] = l
	}
	return l
}

func (sc *scratch) nextDay() {
	sc.day, sc.segs, sc.items = sc.day[:0], sc.segs[:0], sc.items[:0]
}

// isDay reports whether l holds the current day's reasons.
func (sc *scratch) isDay(l []Reason) bool {
	if len(l) != len(sc.items) {
		return false
	}
	for i := range l {
		it := &sc.items[i]
		if it.shared {
			// Comparing a string with itself compares pointers.
			if l[i] != it.r {
				return false
			}
			continue
		}
		c, e, z := sc.segs[3*i], sc.segs[3*i+1], sc.segs[3*i+2]
		if l[i].Code != it.r.Code || l[i].EN != string(sc.day[c:e]) || l[i].ZH != string(sc.day[e:z]) {
			return false
		}
	}
	return true
}

// shiftEntry is an interned ShiftInfo with the reasons describing it.
type shiftEntry struct {
	si  *ShiftInfo
	why []sharedReason
}

// shiftEntry returns the interned shift of k, instance in.
func (ev *evaluation) shiftEntry(k shiftInfoKey, in *inst) *shiftEntry {
	if se, ok := ev.shifts[k]; ok {
		return se
	}
	s := k.shift
	se := &shiftEntry{si: &ShiftInfo{
		ID: s.ID, Name: s.Name, Start: in.start, End: in.end,
		ScheduledMin: int(in.scheduledSecs / 60), Flexible: s.Flex != nil,
		Schedule: k.schedule, Source: k.source,
	}}
	se.why = ev.shiftReason(se.si, in)
	ev.shifts[k] = se
	return se
}
