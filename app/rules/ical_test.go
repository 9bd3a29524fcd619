package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"punchclock/app/rules"
)

// TestParseICalIn: all-day events (VALUE=DATE, a bare date, DTEND the day
// after), folded lines, timed events in UTC and in a TZID taken to the
// site's zone, and files that must be refused, each as invalid.
func TestParseICalIn(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	event := func(lines ...string) string {
		return "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	tests := []struct {
		name string
		ics  string
		loc  *time.Location
		want rules.CalendarEntry
	}{
		{"value=date, one day", event("DTSTART;VALUE=DATE:20260310", "DTEND;VALUE=DATE:20260311", "SUMMARY:Company day off"),
			nil, rules.CalendarEntry{Date: date("2026-03-10"), Kind: rules.Holiday, Name: "Company day off"}},
		{"bare date, no end", event("DTSTART:20260310", "SUMMARY:Off"),
			nil, rules.CalendarEntry{Date: date("2026-03-10"), Kind: rules.Holiday, Name: "Off"}},
		{"three days", event("DTSTART;VALUE=DATE:20260501", "DTEND;VALUE=DATE:20260504", "SUMMARY:May"),
			nil, rules.CalendarEntry{Date: date("2026-05-01"), To: date("2026-05-03"), Kind: rules.Holiday, Name: "May"}},
		{"folded summary, lower-case names", event("dtstart;value=date:20260310", "SUMMARY:Company ann", " iversary day\\, off", "\tnow"),
			nil, rules.CalendarEntry{Date: date("2026-03-10"), Kind: rules.Holiday, Name: "Company anniversary day, offnow"}},
		{"make-up workday by category", event("DTSTART;VALUE=DATE:20260314", "CATEGORIES:WORKDAY", "SUMMARY:Saturday"),
			nil, rules.CalendarEntry{Date: date("2026-03-14"), Kind: rules.Workday, Name: "Saturday"}},
		// 2026-03-09 17:00 UTC is 01:00 on the 10th in Shanghai.
		{"utc instant in the site's zone", event("DTSTART:20260309T170000Z", "DTEND:20260310T150000Z", "SUMMARY:Off"),
			sh, rules.CalendarEntry{Date: date("2026-03-10"), Kind: rules.Holiday, Name: "Off"}},
		{"utc instant as written", event("DTSTART:20260309T170000Z", "DTEND:20260309T180000Z", "SUMMARY:Off"),
			nil, rules.CalendarEntry{Date: date("2026-03-09"), Kind: rules.Holiday, Name: "Off"}},
		// 18:00 in Berlin on the 9th is 01:00 on the 10th in Shanghai.
		{"tzid in the site's zone", event("DTSTART;TZID=Europe/Berlin:20260309T180000", "DTEND;TZID=Europe/Berlin:20260309T200000", "SUMMARY:Off"),
			sh, rules.CalendarEntry{Date: date("2026-03-10"), Kind: rules.Holiday, Name: "Off"}},
		{"tzid as written", event(`DTSTART;TZID="Europe/Berlin":20260309T180000`, "SUMMARY:Off"),
			nil, rules.CalendarEntry{Date: date("2026-03-09"), Kind: rules.Holiday, Name: "Off"}},
		{"timed, ending at midnight", event("DTSTART:20260310T000000", "DTEND:20260312T000000", "SUMMARY:Off"),
			nil, rules.CalendarEntry{Date: date("2026-03-10"), To: date("2026-03-11"), Kind: rules.Holiday, Name: "Off"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := rules.ParseICalIn(strings.NewReader(tt.ics), tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Days) != 1 || c.Days[0] != tt.want {
				t.Errorf("got %+v, want %+v", c.Days, tt.want)
			}
		})
	}
	for _, bad := range []struct{ name, ics string }{
		{"no DTSTART", event("SUMMARY:x")},
		{"short date", event("DTSTART:2026")},
		{"not a date", event("DTSTART;VALUE=DATE:2026AB01")},
		{"value=date with a time", event("DTSTART;VALUE=DATE:20260101T090000")},
		{"end before start", event("DTSTART;VALUE=DATE:20260102", "DTEND;VALUE=DATE:20260101")},
		{"end equals start", event("DTSTART;VALUE=DATE:20260102", "DTEND;VALUE=DATE:20260102")},
		{"recurring", event("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=YEARLY")},
		{"unknown zone", event("DTSTART;TZID=Mars/Olympus:20260101T090000")},
		{"unfinished event", "BEGIN:VEVENT\r\nDTSTART:20260101\r\n"},
		{"invalid UTF-8", event("DTSTART:20260101", "SUMMARY:\xff\xfe")},
		{"NUL", event("DTSTART:20260101", "SUMMARY:a\x00b")},
		{"more than a year", event("DTSTART:20260101", "DTEND:20280101")},
	} {
		_, err := rules.ParseICalIn(strings.NewReader(bad.ics), time.UTC)
		if err == nil {
			t.Errorf("%s: accepted", bad.name)
		} else if !errors.Is(err, rules.ErrInvalidRules) {
			t.Errorf("%s: %v, not ErrInvalidRules", bad.name, err)
		}
	}
}
