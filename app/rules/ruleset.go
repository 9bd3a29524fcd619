package rules

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"punchclock/app/attendance"
)

// RuleSet is the whole attendance configuration an admin edits, in the four
// layers users know from WeCom and DingTalk: basic (cycle, holidays),
// location (sites, fences, networks), scheduling (shifts, weekly schedules,
// rotations) and exceptions (grace, thresholds, duplicates, verification,
// overtime). It is plain data and JSON-serialisable; Validate checks it.
//
// Zero values mean "the default" wherever a default is documented, so an
// older rule set stays valid when fields are added.
type RuleSet struct {
	Basic      Basic            `json:"basic"`
	Sites      []Site           `json:"sites,omitempty"`
	Location   LocationRules    `json:"location,omitzero"`
	Shifts     []Shift          `json:"shifts"`
	Weekly     []WeeklySchedule `json:"weekly,omitempty"`
	Rotations  []Rotation       `json:"rotations,omitempty"`
	Exceptions Exceptions       `json:"exceptions,omitzero"`
	Overtime   OvertimeRules    `json:"overtime,omitzero"`
	// Makeup limits the make-up punches (补卡) employees under this rule
	// set may ask; absent, the approval settings' policy applies.
	Makeup *Makeup `json:"makeup,omitempty"`
}

// Makeup is a rule set's make-up punch policy.
type Makeup struct {
	// MonthlyCap is how many an employee may ask per month: -1
	// unlimited, 0 to 99.
	MonthlyCap int `json:"monthly_cap"`
	// WindowDays is how many days back one may be asked (1 to 180).
	WindowDays int `json:"window_days"`
	// CutoffDay is the day of the next month after which a month is
	// closed to them (1 to 28; 0: no cutoff).
	CutoffDay int `json:"cutoff_day,omitempty"`
}

// Basic is the basic layer.
type Basic struct {
	// CycleStartDay is the day of the month an attendance cycle starts: 1
	// (or 0) is the calendar month, 26 is "26th to 25th of the next month".
	// At most 28, so that every month has the day.
	CycleStartDay int `json:"cycle_start_day,omitempty"`
	// HolidayCountry selects the statutory holidays: "CN" uses the embedded
	// State Council data (with make-up workdays), other ISO 3166 codes the
	// github.com/rickar/cal data (see Countries); "" means no holidays but
	// those of the input's Calendar.
	HolidayCountry string `json:"holiday_country,omitempty"`
	// DefaultSchedule is the ID of the weekly schedule or rotation that
	// applies when no assignment matches an employee-day.
	DefaultSchedule string `json:"default_schedule,omitempty"`
}

// Site is a place where employees punch: its geofences and the address
// ranges its network shows to the server.
type Site struct {
	ID     string  `json:"id"`
	Name   string  `json:"name,omitempty"`
	Fences []Fence `json:"fences,omitempty"`
	// Networks are allowed client address ranges, as CIDR prefixes
	// ("203.0.113.0/24") or single addresses.
	Networks []string `json:"networks,omitempty"`
}

// Fence is a geofence: a circle (Center and RadiusM) or a polygon (at least
// three vertices, in order, not closed). Sites keep theirs too
// (attendance.Site), hence the one type.
type Fence = attendance.Fence

// The allowed range of a circle's radius, and the most vertices a
// polygon may have.
const (
	MinRadiusM  = 50
	MaxRadiusM  = 5000
	MaxVertices = 1000
)

// LocationRules says which punches are checked against the fences and
// networks, and how uncertain fixes are treated.
type LocationRules struct {
	// CheckMethods are the punch methods whose location is checked. Nil
	// means the default ["gps"]: kiosk punches (badge, face, NFC, terminal)
	// are made at the site, and a rotating QR scanned from the kiosk is the
	// proof of presence.
	CheckMethods []attendance.Method `json:"check_methods,omitempty"`
	// AssumedAccuracyM is used for fixes whose accuracy is unknown (0).
	AssumedAccuracyM float64 `json:"assumed_accuracy_m,omitempty"`
	// Uncertain says how a fix whose accuracy circle crosses a fence edge is
	// treated: "approval" (default: like outside, the direct manager
	// decides) or "inside" (accepted, noted in the record).
	Uncertain string `json:"uncertain,omitempty"`
}

// Shift is a working time pattern for one business day. A shift whose End
// is not after its Start ends on the next day (22:00 to 06:00); it belongs
// to the business day of its local start.
type Shift struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Start Clock  `json:"start"`
	End   Clock  `json:"end"`
	// Breaks are unpaid pauses inside the shift, by local wall time; a
	// break time before Start lies on the shift's second day.
	Breaks []Break `json:"breaks,omitempty"`
	// InEarliestMin is how long before Start a punch may count as the
	// shift's in-punch (default 120). OutLatestMin is how long after End a
	// punch may count as its out-punch (default 360). Together they are the
	// shift's punch window: punches outside it belong to no shift.
	InEarliestMin int `json:"in_earliest_min,omitempty"`
	OutLatestMin  int `json:"out_latest_min,omitempty"`
	// Flex, when set, makes the shift flexible: Start to End is the span
	// in which one may work, Flex the core hours and required duration.
	Flex *Flex `json:"flex,omitempty"`
}

// Break is an unpaid pause.
type Break struct {
	Start Clock `json:"start"`
	End   Clock `json:"end"`
}

// Flex are the rules of a flexible shift: arriving after CoreStart (plus
// grace) is late, leaving before CoreEnd early, and the time worked (breaks
// excluded) must reach RequiredMin.
type Flex struct {
	CoreStart   Clock `json:"core_start"`
	CoreEnd     Clock `json:"core_end"`
	RequiredMin int   `json:"required_min"`
}

// Default punch windows of a shift.
const (
	DefaultInEarliestMin = 120
	DefaultOutLatestMin  = 360
)

// WeeklySchedule is a fixed schedule: a shift (or rest) per weekday.
// Statutory holidays cancel its shifts and make-up workdays add MakeupShift.
type WeeklySchedule struct {
	ID   string   `json:"id"`
	Name string   `json:"name,omitempty"`
	Days WeekDays `json:"days"`
	// MakeupShift is worked on make-up workdays (China's adjusted working
	// days); default: the Monday shift, else the first weekday shift.
	MakeupShift string `json:"makeup_shift,omitempty"`
}

// WeekDays holds a shift ID per weekday; "" is a rest day.
type WeekDays struct {
	Mon string `json:"mon,omitempty"`
	Tue string `json:"tue,omitempty"`
	Wed string `json:"wed,omitempty"`
	Thu string `json:"thu,omitempty"`
	Fri string `json:"fri,omitempty"`
	Sat string `json:"sat,omitempty"`
	Sun string `json:"sun,omitempty"`
}

// byWeekday returns the days indexed by time.Weekday.
func (w WeekDays) byWeekday() [7]string {
	return [7]string{w.Sun, w.Mon, w.Tue, w.Wed, w.Thu, w.Fri, w.Sat}
}

// Rotation is a cycle of shifts and rest days: Pattern[i] is worked on the
// i-th day after the assignment's anchor (modulo the length), "" is rest. A
// cycle of N weeks is a pattern of 7N days.
type Rotation struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	Pattern []string `json:"pattern"`
	// ObserveHolidays cancels the rotation's shifts on statutory holidays.
	// By default a rotation (shops, plants) keeps running on holidays and the
	// time worked on a holiday counts as holiday overtime.
	ObserveHolidays bool `json:"observe_holidays,omitempty"`
}

// Exceptions is the exception layer.
type Exceptions struct {
	// LateGraceMin: arriving up to this many minutes after the start is on
	// time; beyond it, late minutes count from the start (09:00 with 10 min
	// grace: 09:10 is on time, 09:11 is 11 min late). Punch times are taken
	// to the minute, as the clock on the wall shows them.
	LateGraceMin int `json:"late_grace_min,omitempty"`
	// EarlyGraceMin is the same for leaving before the end.
	EarlyGraceMin int `json:"early_grace_min,omitempty"`
	// SeriousLateMin: late by at least this much is seriously late (0: off).
	SeriousLateMin int `json:"serious_late_min,omitempty"`
	// AbsentLateMin and AbsentEarlyMin: late (or early) by at least this
	// much counts as absent for the day (0: off).
	AbsentLateMin  int `json:"absent_late_min,omitempty"`
	AbsentEarlyMin int `json:"absent_early_min,omitempty"`
	// DuplicateMin merges punches within this many minutes of a group's
	// first punch into that punch (default 5; the merged ones stay in the
	// record for audit).
	DuplicateMin int `json:"duplicate_min,omitempty"`
	// Verification, when set, requires two methods for every in and out.
	Verification *Verification `json:"verification,omitempty"`
	// ClockCorrected says how punches whose device clock was corrected are
	// treated: "approval" (default: the direct manager confirms) or
	// "accept" (noted only).
	ClockCorrected string `json:"clock_corrected,omitempty"`
	// NFCSerial says what an NFC card read by its serial number alone
	// proves at this site (a punch whose tag carried no signed token,
	// Punch.SerialOnly): "accept" (default: it counts like a badge) or
	// "second_factor" (a serial can be cloned: the punch must be backed
	// by a punch of another kind within the verification window, or 15
	// minutes, else it is unverified and the direct manager decides).
	NFCSerial string `json:"nfc_serial,omitempty"`
}

// The values of Exceptions.NFCSerial.
const (
	NFCSerialAccept       = "accept"
	NFCSerialSecondFactor = "second_factor"
)

// DefaultSecondFactorMin is the window of a serial-only NFC punch's second
// factor when the rule set has no verification window.
const DefaultSecondFactorMin = 15

// DefaultDuplicateMin is the default duplicate window.
const DefaultDuplicateMin = 5

// Verification is mixed verification: an in or out punch must be backed by
// punches of at least two different Methods within WindowMin minutes of
// it (e.g. GPS then face within 15 minutes).
type Verification struct {
	Methods   []attendance.Method `json:"methods"`
	WindowMin int                 `json:"window_min"`
}

// OvertimeRules are the overtime rules per day type.
type OvertimeRules struct {
	Workday OvertimeRule `json:"workday,omitzero"`
	RestDay OvertimeRule `json:"rest_day,omitzero"`
	Holiday OvertimeRule `json:"holiday,omitzero"`
}

// OvertimeRule turns time worked beyond the schedule into overtime minutes.
type OvertimeRule struct {
	Enabled bool `json:"enabled,omitempty"`
	// StartAfterMin (workdays only): overtime counts from this many minutes
	// after the shift's end (a dinner break, say).
	StartAfterMin int `json:"start_after_min,omitempty"`
	// MinMin: less overtime than this counts as none.
	MinMin int `json:"min_min,omitempty"`
	// RoundMin rounds the overtime down to a multiple (0 or 1: minutes).
	RoundMin int `json:"round_min,omitempty"`
	// MaxMin caps the overtime of a day (0: no cap).
	MaxMin int `json:"max_min,omitempty"`
	// NeedsApproval asks the direct manager to approve the overtime.
	NeedsApproval bool `json:"needs_approval,omitempty"`
}

// ErrInvalidRules marks every error of RuleSet.Validate and of input
// validation; errors.Is(err, ErrInvalidRules) holds for them.
var ErrInvalidRules = errors.New("invalid rules")

// Validate checks the rule set and returns every problem found, each with
// the path of the offending field, joined (errors.Join) and wrapped so that
// errors.Is(err, ErrInvalidRules) holds.
func (rs *RuleSet) Validate() error {
	var v validator
	b := rs.Basic
	if b.CycleStartDay < 0 || b.CycleStartDay > 28 {
		v.add("basic.cycle_start_day", "%d is not between 1 and 28", b.CycleStartDay)
	}
	if b.HolidayCountry != "" && !knownCountry(b.HolidayCountry) {
		v.add("basic.holiday_country", "%q is not supported (supported: %s)", b.HolidayCountry, strings.Join(Countries(), ", "))
	}

	if m := rs.Makeup; m != nil {
		if m.MonthlyCap < -1 || m.MonthlyCap > 99 {
			v.add("makeup.monthly_cap", "%d is not -1 (unlimited) or 0 to 99", m.MonthlyCap)
		}
		if m.WindowDays < 1 || m.WindowDays > 180 {
			v.add("makeup.window_days", "%d is not between 1 and 180", m.WindowDays)
		}
		if m.CutoffDay < 0 || m.CutoffDay > 28 {
			v.add("makeup.cutoff_day", "%d is not 0 (none) or 1 to 28", m.CutoffDay)
		}
	}

	siteIDs := map[string]bool{}
	for i, s := range rs.Sites {
		p := fmt.Sprintf("sites[%d]", i)
		v.id(p+".id", s.ID, siteIDs)
		v.siteGeo(p, s.Fences, s.Networks)
	}
	for i, m := range rs.Location.CheckMethods {
		if !m.Valid() {
			v.add(fmt.Sprintf("location.check_methods[%d]", i), "unknown method %q", m)
		}
	}
	if a := rs.Location.AssumedAccuracyM; a < 0 || a > 10000 || math.IsNaN(a) {
		v.add("location.assumed_accuracy_m", "%v is not between 0 and 10000", a)
	}
	switch rs.Location.Uncertain {
	case "", "approval", "inside":
	default:
		v.add("location.uncertain", "%q is not \"approval\" or \"inside\"", rs.Location.Uncertain)
	}

	shiftIDs := map[string]bool{}
	for i, s := range rs.Shifts {
		p := fmt.Sprintf("shifts[%d]", i)
		v.id(p+".id", s.ID, shiftIDs)
		v.clock(p+".start", s.Start, false)
		v.clock(p+".end", s.End, true)
		if s.InEarliestMin < 0 || s.InEarliestMin > 720 {
			v.add(p+".in_earliest_min", "%d is not between 0 and 720", s.InEarliestMin)
		}
		if s.OutLatestMin < 0 || s.OutLatestMin > 720 {
			v.add(p+".out_latest_min", "%d is not between 0 and 720", s.OutLatestMin)
		}
		length := shiftLength(s.Start, s.End)
		for j, br := range s.Breaks {
			bp := fmt.Sprintf("%s.breaks[%d]", p, j)
			v.clock(bp+".start", br.Start, false)
			v.clock(bp+".end", br.End, true)
			bs, be := offsetIn(s.Start, br.Start), offsetIn(s.Start, br.End)
			if be <= bs || be > length {
				v.add(bp, "%s to %s is not inside the shift %s to %s", br.Start, br.End, s.Start, s.End)
			}
		}
		if f := s.Flex; f != nil {
			cs, ce := offsetIn(s.Start, f.CoreStart), offsetIn(s.Start, f.CoreEnd)
			if cs < 0 || ce > length || ce < cs {
				v.add(p+".flex", "core hours %s to %s are not inside the span %s to %s", f.CoreStart, f.CoreEnd, s.Start, s.End)
			}
			if f.RequiredMin <= 0 || f.RequiredMin > length {
				v.add(p+".flex.required_min", "%d is not between 1 and the span's %d minutes", f.RequiredMin, length)
			}
		}
	}
	known := func(path, id string) {
		if id != "" && !shiftIDs[id] {
			v.add(path, "unknown shift %q", id)
		}
	}
	schedIDs := map[string]bool{}
	for i, w := range rs.Weekly {
		p := fmt.Sprintf("weekly[%d]", i)
		v.id(p+".id", w.ID, schedIDs)
		names := [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
		for d, id := range w.Days.byWeekday() {
			known(p+".days."+names[d], id)
		}
		known(p+".makeup_shift", w.MakeupShift)
	}
	for i, r := range rs.Rotations {
		p := fmt.Sprintf("rotations[%d]", i)
		v.id(p+".id", r.ID, schedIDs)
		if len(r.Pattern) == 0 || len(r.Pattern) > 366 {
			v.add(p+".pattern", "has %d days; want 1 to 366", len(r.Pattern))
		}
		for j, id := range r.Pattern {
			known(fmt.Sprintf("%s.pattern[%d]", p, j), id)
		}
	}
	if id := rs.Basic.DefaultSchedule; id != "" && !schedIDs[id] {
		v.add("basic.default_schedule", "unknown weekly schedule or rotation %q", id)
	} else if id != "" && slices.ContainsFunc(rs.Rotations, func(r Rotation) bool { return r.ID == id }) {
		v.add("basic.default_schedule", "%q is a rotation; a default needs an anchor, assign it instead", id)
	}

	e := rs.Exceptions
	for _, f := range []struct {
		name string
		val  int
	}{
		{"late_grace_min", e.LateGraceMin}, {"early_grace_min", e.EarlyGraceMin},
		{"serious_late_min", e.SeriousLateMin}, {"absent_late_min", e.AbsentLateMin},
		{"absent_early_min", e.AbsentEarlyMin}, {"duplicate_min", e.DuplicateMin},
	} {
		if f.val < 0 || f.val > 1440 {
			v.add("exceptions."+f.name, "%d is not between 0 and 1440", f.val)
		}
	}
	if e.SeriousLateMin > 0 && e.SeriousLateMin <= e.LateGraceMin {
		v.add("exceptions.serious_late_min", "%d must exceed the grace of %d", e.SeriousLateMin, e.LateGraceMin)
	}
	if e.AbsentLateMin > 0 && e.AbsentLateMin <= max(e.LateGraceMin, e.SeriousLateMin) {
		v.add("exceptions.absent_late_min", "%d must exceed the grace and the seriously-late threshold", e.AbsentLateMin)
	}
	if vr := e.Verification; vr != nil {
		seen := map[attendance.Method]bool{}
		for i, m := range vr.Methods {
			if !m.Valid() {
				v.add(fmt.Sprintf("exceptions.verification.methods[%d]", i), "unknown method %q", m)
			}
			seen[m] = true
		}
		if len(seen) < 2 {
			v.add("exceptions.verification.methods", "needs at least two different methods")
		}
		if vr.WindowMin <= 0 || vr.WindowMin > 240 {
			v.add("exceptions.verification.window_min", "%d is not between 1 and 240", vr.WindowMin)
		}
	}
	switch e.NFCSerial {
	case "", NFCSerialAccept, NFCSerialSecondFactor:
	default:
		v.add("exceptions.nfc_serial", "%q is not \"accept\" or \"second_factor\"", e.NFCSerial)
	}
	switch e.ClockCorrected {
	case "", "approval", "accept":
	default:
		v.add("exceptions.clock_corrected", "%q is not \"approval\" or \"accept\"", e.ClockCorrected)
	}
	for _, o := range []struct {
		name string
		r    OvertimeRule
	}{{"workday", rs.Overtime.Workday}, {"rest_day", rs.Overtime.RestDay}, {"holiday", rs.Overtime.Holiday}} {
		p := "overtime." + o.name
		if o.r.StartAfterMin < 0 || o.r.StartAfterMin > 720 {
			v.add(p+".start_after_min", "%d is not between 0 and 720", o.r.StartAfterMin)
		}
		if o.r.MinMin < 0 || o.r.MinMin > 1440 {
			v.add(p+".min_min", "%d is not between 0 and 1440", o.r.MinMin)
		}
		if o.r.RoundMin < 0 || o.r.RoundMin > 240 {
			v.add(p+".round_min", "%d is not between 0 and 240", o.r.RoundMin)
		}
		if o.r.MaxMin < 0 || o.r.MaxMin > 1440 {
			v.add(p+".max_min", "%d is not between 0 and 1440", o.r.MaxMin)
		}
	}
	return v.err()
}

// shiftLength is the nominal (wall-clock) length of a shift in minutes; the
// real length on a DST night differs and is computed from instants.
func shiftLength(start, end Clock) int {
	if end <= start {
		return int(end) + 1440 - int(start)
	}
	return int(end - start)
}

// offsetIn is the nominal offset of wall time c after the shift's start,
// taking a time before the start to lie on the next day.
func offsetIn(start, c Clock) int {
	if c < start {
		return int(c) + 1440 - int(start)
	}
	return int(c - start)
}

// validator collects validation problems.
type validator struct{ errs []error }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// FieldError is one problem Validate found: the path of the field
// ("shifts[0].start") and what is wrong with it.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// FieldErrors lists the FieldErrors in err's tree (Validate's and
// CheckSiteGeo's), so that a form can show each next to its field.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

func (v *validator) id(path, id string, seen map[string]bool) {
	if err := attendance.ValidID("rule", id); err != nil {
		v.add(path, "%q must be 1 to 64 letters, digits or -_.:", id)
		return
	}
	if seen[id] {
		v.add(path, "%q is used twice", id)
	}
	seen[id] = true
}

func (v *validator) clock(path string, c Clock, allow24 bool) {
	if c < 0 || c > 1440 || c == 1440 && !allow24 {
		v.add(path, "%d minutes is not a time of day", int(c))
	}
}

// CheckSiteGeo checks a site's fences and networks (attendance.Site) as
// Validate checks a rule set's sites: every problem with its field path
// ("fences[0].radius_m"), errors.Is(err, ErrInvalidRules).
func CheckSiteGeo(fences []Fence, networks []string) error {
	var v validator
	v.siteGeo("", fences, networks)
	return v.err()
}

// siteGeo checks fences and networks under path p ("" for none).
func (v *validator) siteGeo(p string, fences []Fence, networks []string) {
	if p != "" {
		p += "."
	}
	for j, f := range fences {
		fp := fmt.Sprintf("%sfences[%d]", p, j)
		switch f.Datum {
		case "", DatumWGS84, DatumGCJ02:
		default:
			v.add(fp+".datum", "%q is not wgs84 or gcj02", f.Datum)
		}
		switch {
		case f.Center != nil && len(f.Polygon) > 0:
			v.add(fp, "has both a center and a polygon; give one")
		case f.Center != nil:
			v.latlng(fp+".center", *f.Center)
			if !(f.RadiusM >= MinRadiusM && f.RadiusM <= MaxRadiusM) {
				v.add(fp+".radius_m", "%v m is not between %d and %d m", f.RadiusM, MinRadiusM, MaxRadiusM)
			}
		case len(f.Polygon) >= 3:
			for k, pt := range f.Polygon {
				v.latlng(fmt.Sprintf("%s.polygon[%d]", fp, k), pt)
			}
			if len(f.Polygon) > MaxVertices {
				v.add(fp+".polygon", "%d vertices; at most %d", len(f.Polygon), MaxVertices)
			}
		case len(f.Polygon) > 0:
			v.add(fp+".polygon", "has %d vertices; a polygon needs at least 3", len(f.Polygon))
		default:
			v.add(fp, "has neither a center and radius nor a polygon")
		}
	}
	for j, n := range networks {
		if _, err := parseNetwork(n); err != nil {
			v.add(fmt.Sprintf("%snetworks[%d]", p, j), "%q is not a CIDR prefix or address", n)
		}
	}
}

func (v *validator) latlng(path string, p LatLng) {
	if !(p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180) {
		v.add(path, "%v,%v is not a coordinate", p.Lat, p.Lng)
	}
}

func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidRules, errors.Join(v.errs...))
}
