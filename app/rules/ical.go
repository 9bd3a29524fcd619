package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseICal reads the VEVENTs of an iCalendar (RFC 5545) file as holidays,
// each day as the file writes it (ParseICalIn with no zone).
func ParseICal(r io.Reader) (Calendar, error) { return ParseICalIn(r, nil) }

// ParseICalIn reads the VEVENTs of an iCalendar (RFC 5545) file as
// holidays: DTSTART, DTEND and SUMMARY. An all-day event (VALUE=DATE, or
// a bare YYYYMMDD) covers DTSTART up to the day before DTEND (exclusive,
// as the RFC says; absent: one day). A timed event covers the days its
// start and its last moment fall on: in loc when loc is set (an instant
// in UTC, or in the event's TZID, is taken to the site's zone), else as
// written. An event is a make-up workday when its CATEGORIES contain
// "WORKDAY" or its summary contains 补班, 上班 or "workday"
// (case-insensitive), which is how the published Chinese holiday feeds
// mark them. Recurring events (RRULE) are refused rather than misread, and
// so is a file that is not UTF-8 text.
//
// No iCalendar library is in the module proxy's list this project may
// use; the subset a holiday feed needs is small enough to read here.
func ParseICalIn(r io.Reader, loc *time.Location) (Calendar, error) {
	var c Calendar
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var lines []string
	last := -1 // the line continuation lines belong to
	for n := 1; sc.Scan(); n++ {
		raw := sc.Bytes()
		if !utf8.Valid(raw) || bytes.IndexByte(raw, 0) >= 0 {
			return c, fmt.Errorf("ical line %d: %w: not UTF-8 text", n, ErrInvalidRules)
		}
		l := strings.TrimRight(string(raw), "\r")
		// Unfold continuation lines (RFC 5545 3.1).
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && last >= 0 {
			lines[last] += l[1:]
			lines = append(lines, "") // keeps the line numbers
			continue
		}
		last = len(lines)
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("ical: %w: %w", ErrInvalidRules, err)
	}
	var (
		in                bool
		ev                icalEvent
		summary, category string
		n                 int
	)
	for i, l := range lines {
		head, value, _ := strings.Cut(l, ":")
		name, params := icalParams(head)
		switch name {
		case "BEGIN":
			if strings.EqualFold(value, "VEVENT") {
				in, ev, summary, category = true, icalEvent{}, "", ""
			}
		case "X-WR-CALNAME":
			c.Name = icalText(value)
		case "DTSTART", "DTEND":
			if !in {
				continue
			}
			t, err := icalTime(value, params, loc)
			if err != nil {
				return c, fmt.Errorf("ical line %d: %w: %w", i+1, ErrInvalidRules, err)
			}
			if name == "DTSTART" {
				ev.start = t
			} else {
				ev.end = t
			}
		case "SUMMARY":
			summary = icalText(value)
		case "CATEGORIES":
			category = strings.ToUpper(value)
		case "RRULE", "RDATE":
			if in {
				return c, fmt.Errorf("ical line %d: %w: recurring events are not supported", i+1, ErrInvalidRules)
			}
		case "END":
			if !strings.EqualFold(value, "VEVENT") || !in {
				continue
			}
			in = false
			n++
			e, err := ev.entry()
			if err != nil {
				return c, fmt.Errorf("ical event %d (%q): %w: %w", n, summary, ErrInvalidRules, err)
			}
			e.Name = summary
			low := strings.ToLower(summary)
			if strings.Contains(category, "WORKDAY") || strings.Contains(summary, "补班") || strings.Contains(summary, "上班") || strings.Contains(low, "workday") {
				e.Kind = Workday
			}
			c.Days = append(c.Days, e)
		}
	}
	if in {
		return c, fmt.Errorf("ical: %w: an event has no END:VEVENT", ErrInvalidRules)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("ical: %w", err)
	}
	return c, nil
}

// icalParams splits a property's name from its parameters
// ("DTSTART;TZID=Asia/Shanghai"), upper-casing the names.
func icalParams(head string) (string, map[string]string) {
	parts := strings.Split(head, ";")
	params := map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return strings.ToUpper(parts[0]), params
}

// icalStamp is a DTSTART or DTEND: a date, or the date and time of day of
// a timed one as the site's wall clock shows it.
type icalStamp struct {
	date  Date
	timed bool
	clock int // seconds after midnight
}

// icalTime reads a DATE (20260101) or a DATE-TIME (20260101T090000, with
// Z for UTC or in its TZID), taking a DATE-TIME to loc when loc is set.
func icalTime(v string, params map[string]string, loc *time.Location) (icalStamp, error) {
	v = strings.TrimSpace(v)
	if len(v) == 8 {
		d, err := time.Parse("20060102", v)
		if err != nil {
			return icalStamp{}, fmt.Errorf("date %q: want YYYYMMDD", v)
		}
		return icalStamp{date: DateOf(d)}, nil
	}
	if strings.EqualFold(params["VALUE"], "DATE") {
		return icalStamp{}, fmt.Errorf("date %q: want YYYYMMDD", v)
	}
	zone := time.UTC
	utc := strings.HasSuffix(v, "Z")
	if !utc && params["TZID"] != "" && loc != nil {
		z, err := time.LoadLocation(params["TZID"])
		if err != nil {
			return icalStamp{}, fmt.Errorf("unknown time zone %q", params["TZID"])
		}
		zone = z
	}
	t, err := time.ParseInLocation("20060102T150405", strings.TrimSuffix(v, "Z"), zone)
	if err != nil {
		return icalStamp{}, fmt.Errorf("date-time %q: want YYYYMMDDTHHMMSS", v)
	}
	if loc != nil && (utc || params["TZID"] != "") {
		t = t.In(loc)
	}
	return icalStamp{date: DateOf(t), timed: true, clock: t.Hour()*3600 + t.Minute()*60 + t.Second()}, nil
}

// icalEvent is an event's DTSTART and DTEND as read.
type icalEvent struct{ start, end icalStamp }

// entry is the days the event covers, as a holiday.
func (ev icalEvent) entry() (CalendarEntry, error) {
	s, e := ev.start, ev.end
	if s.date.IsZero() {
		return CalendarEntry{}, fmt.Errorf("no DTSTART")
	}
	out := CalendarEntry{Date: s.date, Kind: Holiday}
	if e.date.IsZero() {
		return out, nil
	}
	last := e.date - 1 // an all-day DTEND is the day after
	if e.timed {
		last = e.date // a timed one ends on its day, unless at midnight
		if e.clock == 0 {
			last--
		}
	}
	if e.date < s.date || e.date == s.date && (!e.timed || e.clock <= s.clock) {
		return CalendarEntry{}, fmt.Errorf("DTEND %s is not after DTSTART %s", e.date, s.date)
	}
	if last > s.date {
		out.To = last
	}
	return out, nil
}

func icalText(v string) string {
	r := strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`)
	return strings.TrimSpace(r.Replace(v))
}
