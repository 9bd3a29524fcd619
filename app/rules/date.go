package rules

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Date is a civil date without a time zone: the business day of a shift or a
// holiday. It counts days since 0001-01-01 in the proleptic Gregorian
// calendar, so the zero Date is "no date" (it prints as 0001-01-01 and is
// left out of JSON with omitzero) and date arithmetic is integer arithmetic,
// which keeps the evaluation hot path free of time.Time conversions.
//
// In JSON a Date is the string "YYYY-MM-DD".
type Date int32

// unixEpochDays is the number of days from 0001-01-01 to 1970-01-01.
const unixEpochDays = 719162

// NewDate returns the date y-m-d. Out-of-range months and days are
// normalised like time.Date does (January 32 is February 1).
func NewDate(y int, m time.Month, d int) Date {
	if m < 1 || m > 12 || d < 1 || d > 28 {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		y, m, d = t.Date()
	}
	return Date(daysFromCivil(y, int(m), d) + unixEpochDays)
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// daysFromCivil is Howard Hinnant's days_from_civil: days since 1970-01-01.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (int, int, int) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// Date returns the year, month and day of d.
func (d Date) Date() (year int, month time.Month, day int) {
	y, m, dd := civilFromDays(int(d) - unixEpochDays)
	return y, time.Month(m), dd
}

// Year returns d's year.
func (d Date) Year() int { y, _, _ := d.Date(); return y }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == 0 }

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d - e) }

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday {
	// 0001-01-01 was a Monday.
	return time.Weekday((int(d)%7 + 7 + 1) % 7)
}

// At returns the instant of the local wall time c on d in loc. Wall times
// that do not exist (in a spring-forward gap) or exist twice are resolved
// the way time.Date resolves them.
func (d Date) At(c Clock, loc *time.Location) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, int(c)/60, int(c)%60, 0, 0, loc)
}

// String returns d as "YYYY-MM-DD".
func (d Date) String() string {
	return string(d.appendTo(make([]byte, 0, 10)))
}

// appendTo appends d as "YYYY-MM-DD".
func (d Date) appendTo(b []byte) []byte {
	y, m, dd := d.Date()
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, int(m), 2)
	b = append(b, '-')
	b = appendPad(b, dd, 2)
	return b
}

func appendPad(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// ParseDate parses "YYYY-MM-DD" and rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	y, err1 := strconv.Atoi(s[0:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:10])
	if err := errors.Join(err1, err2, err3); err != nil || y < 1 {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, fmt.Errorf("date %q does not exist", s)
	}
	return NewDate(y, time.Month(m), d), nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Clock is a local wall-clock time of day in minutes after midnight,
// 0 ("00:00") to 1440 ("24:00"). In JSON it is the string "HH:MM".
type Clock int32

// NewClock returns h:m as a Clock.
func NewClock(h, m int) Clock { return Clock(h*60 + m) }

// clockText holds "00:00" to "24:00" back to back, so that formatting a
// time of day, done many times per evaluated day, allocates nothing.
var clockText = func() string {
	b := make([]byte, 0, 1441*5)
	for c := range 1441 {
		b = appendPad(b, c/60, 2)
		b = append(b, ':')
		b = appendPad(b, c%60, 2)
	}
	return string(b)
}()

// String returns c as "HH:MM".
func (c Clock) String() string {
	if c >= 0 && c <= 1440 {
		return clockText[c*5 : c*5+5]
	}
	b := make([]byte, 0, 5)
	b = appendPad(b, int(c)/60, 2)
	b = append(b, ':')
	b = appendPad(b, int(c)%60, 2)
	return string(b)
}

// ParseClock parses "HH:MM" (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, fmt.Errorf("time of day %q: want HH:MM between 00:00 and 24:00", s)
	}
	return Clock(h*60 + m), nil
}

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// hhmm formats t's local wall time as "HH:MM" (seconds truncated, as a
// person reads a clock).
func hhmm(t time.Time) string {
	h, m, _ := t.Clock()
	return Clock(h*60 + m).String()
}
