package rules

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/us"
)

// DayKind is what a calendar entry makes of a day.
type DayKind string

// The calendar day kinds.
const (
	// Holiday is a statutory day off: weekly schedules rest, and time
	// worked is holiday overtime.
	Holiday DayKind = "holiday"
	// Workday is a make-up workday (China's 调休上班): a weekend day on
	// which weekly schedules work their MakeupShift.
	Workday DayKind = "workday"
)

// Calendar is a list of statutory holidays and make-up workdays. Its JSON
// form is the "simple JSON form" of holiday imports:
//
//	{"name": "China 2026", "days": [
//	  {"date": "2026-02-15", "to": "2026-02-23", "kind": "holiday", "name": "春节 Spring Festival"},
//	  {"date": "2026-02-14", "kind": "workday", "name": "春节补班 make-up workday"}]}
type Calendar struct {
	Name string `json:"name,omitempty"`
	// Source says where the data comes from (the official notice).
	Source string          `json:"source,omitempty"`
	Days   []CalendarEntry `json:"days"`
}

// CalendarEntry is one day, or a range of days when To is set (inclusive).
type CalendarEntry struct {
	Date Date    `json:"date"`
	To   Date    `json:"to,omitzero"`
	Kind DayKind `json:"kind"`
	Name string  `json:"name,omitempty"`
}

// Validate checks the calendar's entries.
func (c *Calendar) Validate() error {
	var v validator
	for i, e := range c.Days {
		p := fmt.Sprintf("calendar.days[%d]", i)
		if e.Date.IsZero() {
			v.add(p+".date", "missing")
		}
		if !e.To.IsZero() && (e.To < e.Date || e.To.Sub(e.Date) > 366) {
			v.add(p+".to", "%s is not within a year after %s", e.To, e.Date)
		}
		if e.Kind != Holiday && e.Kind != Workday {
			v.add(p+".kind", "%q is not \"holiday\" or \"workday\"", e.Kind)
		}
	}
	return v.err()
}

// calDay is a calendar entry expanded to one day.
type calDay struct {
	kind DayKind
	name string
}

// expand adds the calendar's days to m; later entries win.
func (c *Calendar) expand(m map[Date]calDay) {
	for _, e := range c.Days {
		to := e.To
		if to.IsZero() {
			to = e.Date
		}
		for d := e.Date; d <= to; d++ {
			m[d] = calDay{e.Kind, e.Name}
		}
	}
}

// ParseCalendarJSON reads the simple JSON form (see Calendar).
func ParseCalendarJSON(data []byte) (Calendar, error) {
	var c Calendar
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("calendar json: %w", err)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("calendar json: %w", err)
	}
	return c, nil
}

// The China data is the State Council's yearly notice, embedded so that
// kiosks and servers without network access agree.
//
//go:embed holidays/*.json
var holidayFS embed.FS

// chinaYears are the years the embedded China data covers.
var chinaYears = []int{2025, 2026}

// countries maps the ISO 3166 codes served by github.com/rickar/cal to their
// national holiday lists. The library is pure Go, BSD licensed and
// maintained; its public holidays are fixed rules, which suits countries
// that, unlike China, do not publish a new schedule every year.
var countries = map[string][]*cal.Holiday{
	"AT": at.Holidays, "BE": be.Holidays, "BR": br.Holidays, "CA": ca.Holidays,
	"CH": ch.Holidays, "CZ": cz.Holidays, "DE": de.Holidays, "DK": dk.Holidays,
	"ES": es.Holidays, "FR": fr.Holidays, "GB": gb.Holidays, "IE": ie.Holidays,
	"IT": it.Holidays, "JP": jp.Holidays, "NL": nl.Holidays, "NO": no.Holidays,
	"NZ": nz.Holidays, "PL": pl.Holidays, "SE": se.Holidays, "US": us.Holidays,
}

// Countries lists the supported holiday countries, sorted.
func Countries() []string {
	out := []string{"CN"}
	for c := range countries {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func knownCountry(c string) bool {
	_, ok := countries[c]
	return ok || c == "CN"
}

// ErrNoHolidayData is returned when the built-in data of a country does not
// cover a year (China publishes its schedule each November): rather than
// compute a payroll without the holidays, the engine refuses until the
// year's calendar is imported.
var ErrNoHolidayData = errors.New("no holiday data")

// BuiltinCalendar returns the statutory holidays (and, for China, the
// make-up workdays) of a country for one year.
func BuiltinCalendar(country string, year int) (Calendar, error) {
	if country == "CN" {
		if !slices.Contains(chinaYears, year) {
			return Calendar{}, fmt.Errorf("holidays: %w for CN %d (embedded: %v); import the year's calendar", ErrNoHolidayData, year, chinaYears)
		}
		data, err := holidayFS.ReadFile(fmt.Sprintf("holidays/cn-%d.json", year))
		if err != nil {
			return Calendar{}, fmt.Errorf("holidays: %w", err)
		}
		return ParseCalendarJSON(data)
	}
	list, ok := countries[country]
	if !ok {
		return Calendar{}, fmt.Errorf("holidays: country %q not supported", country)
	}
	c := Calendar{Name: fmt.Sprintf("%s %d", country, year), Source: "github.com/rickar/cal/v2"}
	for _, h := range list {
		// Public and bank holidays are days off; religious and other
		// observances are not.
		if h.Type != cal.ObservancePublic && h.Type != cal.ObservanceBank {
			continue
		}
		_, observed := h.Calc(year)
		if observed.IsZero() {
			continue
		}
		c.Days = append(c.Days, CalendarEntry{Date: DateOf(observed), Kind: Holiday, Name: h.Name})
	}
	slices.SortStableFunc(c.Days, func(a, b CalendarEntry) int { return int(a.Date - b.Date) })
	return c, nil
}
