package rules_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

func date(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestDate(t *testing.T) {
	tests := []struct {
		s    string
		wd   time.Weekday
		next string
	}{
		{"1970-01-01", time.Thursday, "1970-01-02"},
		{"2000-02-28", time.Monday, "2000-02-29"},
		{"2026-02-28", time.Saturday, "2026-03-01"},
		{"2026-03-29", time.Sunday, "2026-03-30"},
		{"2026-12-31", time.Thursday, "2027-01-01"},
		{"1900-02-28", time.Wednesday, "1900-03-01"},
		{"0001-01-01", time.Monday, "0001-01-02"},
	}
	for _, tt := range tests {
		d := date(tt.s)
		if got := d.String(); got != tt.s {
			t.Errorf("ParseDate(%s).String() = %s", tt.s, got)
		}
		if got := d.Weekday(); got != tt.wd {
			t.Errorf("%s: Weekday() = %s, want %s", tt.s, got, tt.wd)
		}
		if got := d.AddDays(1).String(); got != tt.next {
			t.Errorf("%s: AddDays(1) = %s, want %s", tt.s, got, tt.next)
		}
		y, m, dd := d.Date()
		if got := rules.NewDate(y, m, dd); got != d {
			t.Errorf("%s: NewDate(Date()) = %s", tt.s, got)
		}
		tm, _ := time.Parse(time.DateOnly, tt.s)
		if got := rules.DateOf(tm); got != d {
			t.Errorf("DateOf(%s) = %s", tt.s, got)
		}
	}
	if !rules.Date(0).IsZero() || date("0001-01-01") != 0 {
		t.Error("the zero Date is not 0001-01-01")
	}
	if got := rules.NewDate(2026, 1, 32); got != date("2026-02-01") {
		t.Errorf("NewDate(2026-01-32) = %s, want normalised 2026-02-01", got)
	}
	for _, bad := range []string{"2026-02-29", "2026-13-01", "2026-1-1", "20260101", "", "2026-04-31"} {
		if _, err := rules.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestClock(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want rules.Clock
		ok   bool
	}{{"00:00", 0, true}, {"09:10", 550, true}, {"24:00", 1440, true}, {"24:01", 0, false}, {"9:10", 0, false}, {"09:60", 0, false}} {
		got, err := rules.ParseClock(tt.s)
		if (err == nil) != tt.ok || tt.ok && (got != tt.want || got.String() != tt.s) {
			t.Errorf("ParseClock(%q) = %v, %v; want %v ok=%v", tt.s, got, err, tt.want, tt.ok)
		}
	}
}

func TestCycle(t *testing.T) {
	tests := []struct {
		startDay         int
		day, from, until string
	}{
		{0, "2026-02-14", "2026-02-01", "2026-02-28"},
		{1, "2026-12-31", "2026-12-01", "2026-12-31"},
		{26, "2026-03-25", "2026-02-26", "2026-03-25"},
		{26, "2026-03-26", "2026-03-26", "2026-04-25"},
		{26, "2026-01-05", "2025-12-26", "2026-01-25"},
		{28, "2026-03-01", "2026-02-28", "2026-03-27"},
	}
	for _, tt := range tests {
		rs := rules.RuleSet{Basic: rules.Basic{CycleStartDay: tt.startDay}}
		from, until := rs.Cycle(date(tt.day))
		if from.String() != tt.from || until.String() != tt.until {
			t.Errorf("start day %d, %s: cycle %s..%s, want %s..%s", tt.startDay, tt.day, from, until, tt.from, tt.until)
		}
	}
}

// baseRules is a weekly 09:00-18:00 schedule, Monday to Friday.
func baseRules() rules.RuleSet {
	return rules.RuleSet{
		Basic:  rules.Basic{DefaultSchedule: "std"},
		Shifts: []rules.Shift{{ID: "day", Start: 9 * 60, End: 18 * 60}},
		Weekly: []rules.WeeklySchedule{{ID: "std", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*rules.RuleSet)
		want   string // a fragment of the message; "" means valid
	}{
		{"base", func(*rules.RuleSet) {}, ""},
		{"radius too small", func(rs *rules.RuleSet) {
			rs.Sites = []rules.Site{{ID: "s1", Fences: []rules.Fence{{Center: &rules.LatLng{Lat: 31, Lng: 121}, RadiusM: 20}}}}
		}, "sites[0].fences[0].radius_m: 20 m is not between 50 and 5000 m"},
		{"radius too large", func(rs *rules.RuleSet) {
			rs.Sites = []rules.Site{{ID: "s1", Fences: []rules.Fence{{Center: &rules.LatLng{Lat: 31, Lng: 121}, RadiusM: 5001}}}}
		}, "radius_m: 5001 m"},
		{"polygon of two", func(rs *rules.RuleSet) {
			rs.Sites = []rules.Site{{ID: "s1", Fences: []rules.Fence{{Polygon: []rules.LatLng{{Lat: 1, Lng: 1}, {Lat: 2, Lng: 2}}}}}}
		}, "a polygon needs at least 3"},
		{"bad datum", func(rs *rules.RuleSet) {
			rs.Sites = []rules.Site{{ID: "s1", Fences: []rules.Fence{{Datum: "bd09", Center: &rules.LatLng{Lat: 31, Lng: 121}, RadiusM: 100}}}}
		}, `datum: "bd09"`},
		{"bad network", func(rs *rules.RuleSet) { rs.Sites = []rules.Site{{ID: "s1", Networks: []string{"wifi"}}} }, `networks[0]: "wifi"`},
		{"unknown shift", func(rs *rules.RuleSet) { rs.Weekly[0].Days.Sat = "late" }, `weekly[0].days.sat: unknown shift "late"`},
		{"duplicate shift", func(rs *rules.RuleSet) { rs.Shifts = append(rs.Shifts, rs.Shifts[0]) }, `shifts[1].id: "day" is used twice`},
		{"break outside", func(rs *rules.RuleSet) { rs.Shifts[0].Breaks = []rules.Break{{Start: 19 * 60, End: 20 * 60}} }, "is not inside the shift"},
		{"night break ok", func(rs *rules.RuleSet) {
			rs.Shifts = append(rs.Shifts, rules.Shift{ID: "night", Start: 22 * 60, End: 6 * 60, Breaks: []rules.Break{{Start: 2 * 60, End: 2*60 + 30}}})
		}, ""},
		{"flex core outside", func(rs *rules.RuleSet) {
			rs.Shifts[0].Flex = &rules.Flex{CoreStart: 8 * 60, CoreEnd: 16 * 60, RequiredMin: 480}
		}, "core hours 08:00 to 16:00 are not inside"},
		{"cycle day", func(rs *rules.RuleSet) { rs.Basic.CycleStartDay = 31 }, "basic.cycle_start_day: 31"},
		{"country", func(rs *rules.RuleSet) { rs.Basic.HolidayCountry = "XX" }, `basic.holiday_country: "XX" is not supported`},
		{"serious below grace", func(rs *rules.RuleSet) { rs.Exceptions.LateGraceMin, rs.Exceptions.SeriousLateMin = 10, 5 }, "serious_late_min: 5 must exceed the grace of 10"},
		{"verification one method", func(rs *rules.RuleSet) {
			rs.Exceptions.Verification = &rules.Verification{Methods: []attendance.Method{"gps", "gps"}, WindowMin: 15}
		}, "needs at least two different methods"},
		{"empty rotation", func(rs *rules.RuleSet) { rs.Rotations = []rules.Rotation{{ID: "r"}} }, "rotations[0].pattern: has 0 days"},
		{"negative overtime", func(rs *rules.RuleSet) { rs.Overtime.Workday.MinMin = -1 }, "overtime.workday.min_min"},
		{"unknown default", func(rs *rules.RuleSet) { rs.Basic.DefaultSchedule = "nope" }, `basic.default_schedule: unknown weekly schedule or rotation "nope"`},
		{"rotation as default", func(rs *rules.RuleSet) {
			rs.Rotations = []rules.Rotation{{ID: "r", Pattern: []string{"", ""}}}
			rs.Basic.DefaultSchedule = "r"
		}, `basic.default_schedule: "r" is a rotation; a default needs an anchor`},
	}
	for _, tt := range tests {
		rs := baseRules()
		tt.change(&rs)
		err := rs.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		case tt.want != "" && !errors.Is(err, rules.ErrInvalidRules):
			t.Errorf("%s: Validate() error is not ErrInvalidRules", tt.name)
		}
	}
}

func TestChinaHolidays(t *testing.T) {
	tests := []struct {
		year              int
		holidays, workday []string
	}{
		{2025,
			[]string{"2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-04-06", "2025-05-01", "2025-05-05", "2025-05-31", "2025-06-02", "2025-10-01", "2025-10-08"},
			[]string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}},
		{2026,
			[]string{"2026-01-01", "2026-01-03", "2026-02-15", "2026-02-23", "2026-04-04", "2026-04-06", "2026-05-01", "2026-05-05", "2026-06-19", "2026-06-21", "2026-09-25", "2026-09-27", "2026-10-01", "2026-10-07"},
			[]string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}},
	}
	totals := map[int]int{2025: 28, 2026: 33} // holiday days in the notices
	for _, tt := range tests {
		c, err := rules.BuiltinCalendar("CN", tt.year)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[rules.Date]rules.DayKind{}
		holidays := 0
		for _, e := range c.Days {
			to := e.To
			if to.IsZero() {
				to = e.Date
			}
			for d := e.Date; d <= to; d++ {
				kinds[d] = e.Kind
				if e.Kind == rules.Holiday {
					holidays++
				}
				if d.Year() != tt.year {
					t.Errorf("CN %d lists %s", tt.year, d)
				}
			}
		}
		for _, s := range tt.holidays {
			if kinds[date(s)] != rules.Holiday {
				t.Errorf("CN %d: %s is %q, want holiday", tt.year, s, kinds[date(s)])
			}
		}
		for _, s := range tt.workday {
			if kinds[date(s)] != rules.Workday {
				t.Errorf("CN %d: %s is %q, want workday", tt.year, s, kinds[date(s)])
			}
			if wd := date(s).Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Errorf("CN %d: make-up workday %s is a %s", tt.year, s, wd)
			}
		}
		workdays := 0
		for _, k := range kinds {
			if k == rules.Workday {
				workdays++
			}
		}
		if holidays != totals[tt.year] || workdays != len(tt.workday) {
			t.Errorf("CN %d: %d holiday days and %d make-up days, want %d and %d", tt.year, holidays, workdays, totals[tt.year], len(tt.workday))
		}
	}
	if _, err := rules.BuiltinCalendar("CN", 2027); !errors.Is(err, rules.ErrNoHolidayData) {
		t.Errorf("CN 2027: err = %v, want ErrNoHolidayData", err)
	}
}

func TestCountryHolidays(t *testing.T) {
	tests := []struct {
		country, date string
	}{
		{"DE", "2026-10-03"}, // German Unity Day
		{"DE", "2026-04-06"}, // Easter Monday
		{"US", "2026-07-03"}, // Independence Day, observed on Friday
		{"US", "2026-11-26"}, // Thanksgiving
		{"GB", "2026-12-28"}, // Boxing Day, substitute Monday
		{"JP", "2026-01-01"},
	}
	for _, tt := range tests {
		c, err := rules.BuiltinCalendar(tt.country, date(tt.date).Year())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range c.Days {
			found = found || e.Date == date(tt.date) && e.Kind == rules.Holiday
		}
		if !found {
			t.Errorf("%s: %s is not a holiday in %v", tt.country, tt.date, c.Days)
		}
	}
	if len(rules.Countries()) < 10 {
		t.Errorf("Countries() = %v", rules.Countries())
	}
}

func TestParseICal(t *testing.T) {
	const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:节假日\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nDTEND;VALUE=DATE:20261011\r\nSUMMARY:国庆节补\r\n 班\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART:20260920T000000Z\r\nSUMMARY:Make-up workday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	c, err := rules.ParseICal(strings.NewReader(ics))
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.CalendarEntry{
		{Date: date("2026-10-01"), To: date("2026-10-07"), Kind: rules.Holiday, Name: "国庆节"},
		{Date: date("2026-10-10"), Kind: rules.Workday, Name: "国庆节补班"},
		{Date: date("2026-09-20"), Kind: rules.Workday, Name: "Make-up workday"},
	}
	if c.Name != "节假日" || len(c.Days) != len(want) {
		t.Fatalf("ParseICal = %+v", c)
	}
	for i := range want {
		if c.Days[i] != want[i] {
			t.Errorf("day %d = %+v, want %+v", i, c.Days[i], want[i])
		}
	}
	for _, bad := range []string{
		"BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n",
		"BEGIN:VEVENT\nDTSTART:2026\nEND:VEVENT\n",
		"BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260102\nDTEND;VALUE=DATE:20260101\nEND:VEVENT\n",
		"BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n",
	} {
		if _, err := rules.ParseICal(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseICal(%q) accepted", bad)
		}
	}
}

func TestParseCalendarJSON(t *testing.T) {
	c, err := rules.ParseCalendarJSON([]byte(`{"days":[{"date":"2026-05-01","to":"2026-05-05","kind":"holiday"}]}`))
	if err != nil || len(c.Days) != 1 || c.Days[0].To != date("2026-05-05") {
		t.Errorf("ParseCalendarJSON = %+v, %v", c, err)
	}
	for _, bad := range []string{`{"days":[{"date":"2026-05-01","kind":"party"}]}`, `{"days":[{"date":"2026-05-01","to":"2026-04-01","kind":"holiday"}]}`, `{"days":[{"date":"2026-02-30"}]}`} {
		if _, err := rules.ParseCalendarJSON([]byte(bad)); err == nil {
			t.Errorf("ParseCalendarJSON(%s) accepted", bad)
		}
	}
}

// day evaluates one employee-day of rs with punches at the given local
// times ("09:11:00" on 2026-03-02, a Monday, in Asia/Shanghai).
func day(t *testing.T, rs rules.RuleSet, times ...string) rules.DayRecord {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	in := &rules.Input{Rules: rs, Zone: "Asia/Shanghai",
		Employees: []attendance.Employee{{ID: "e1", Name: "E", DepartmentID: "d1"}}}
	for i, s := range times {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", "2026-03-02 "+s, loc)
		if err != nil {
			t.Fatal(err)
		}
		in.Punches = append(in.Punches, rules.Punch{ID: "p" + string(rune('a'+i)), EmployeeID: "e1", Time: tm, Method: attendance.MethodBadge})
	}
	recs, err := rules.Evaluate(in, date("2026-03-02"), date("2026-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	return recs[0]
}

func TestLateGrace(t *testing.T) {
	tests := []struct {
		in     string
		grace  int
		late   int
		status rules.Status
	}{
		{"08:30:00", 10, 0, rules.StatusNormal},
		{"09:00:00", 10, 0, rules.StatusNormal},
		{"09:10:00", 10, 0, rules.StatusNormal},
		{"09:10:59", 10, 0, rules.StatusNormal},
		{"09:11:00", 10, 11, rules.StatusLate},
		{"09:00:59", 0, 0, rules.StatusNormal},
		{"09:01:00", 0, 1, rules.StatusLate},
		{"09:29:00", 10, 29, rules.StatusLate},
		{"09:30:00", 10, 30, rules.StatusSeriouslyLate},
		{"12:59:00", 10, 239, rules.StatusSeriouslyLate},
		{"13:00:00", 10, 240, rules.StatusAbsent},
	}
	for _, tt := range tests {
		rs := baseRules()
		rs.Exceptions = rules.Exceptions{LateGraceMin: tt.grace, SeriousLateMin: 30, AbsentLateMin: 240}
		r := day(t, rs, tt.in, "18:00:00")
		if r.LateMin != tt.late || r.Status != tt.status {
			t.Errorf("in %s grace %d: late %d status %s, want %d %s", tt.in, tt.grace, r.LateMin, r.Status, tt.late, tt.status)
		}
	}
}

func TestEarlyLeave(t *testing.T) {
	tests := []struct {
		out    string
		grace  int
		early  int
		status rules.Status
	}{
		{"18:00:00", 0, 0, rules.StatusNormal},
		{"17:59:59", 0, 1, rules.StatusEarlyLeave},
		{"17:55:00", 5, 0, rules.StatusNormal},
		{"17:54:00", 5, 6, rules.StatusEarlyLeave},
		{"14:00:00", 5, 240, rules.StatusAbsent},
	}
	for _, tt := range tests {
		rs := baseRules()
		rs.Exceptions = rules.Exceptions{EarlyGraceMin: tt.grace, AbsentEarlyMin: 240}
		r := day(t, rs, "09:00:00", tt.out)
		if r.EarlyMin != tt.early || r.Status != tt.status {
			t.Errorf("out %s grace %d: early %d status %s, want %d %s", tt.out, tt.grace, r.EarlyMin, r.Status, tt.early, tt.status)
		}
	}
}

func TestPunchRoles(t *testing.T) {
	tests := []struct {
		name    string
		times   []string
		in, out string
		status  rules.Status
	}{
		{"none", nil, "", "", rules.StatusAbsent},
		{"morning only", []string{"08:55:00"}, "08:55", "", rules.StatusMissingOut},
		{"evening only", []string{"18:05:00"}, "", "18:05", rules.StatusMissingIn},
		{"noon is nearer the start", []string{"13:00:00"}, "13:00", "", rules.StatusMissingOut},
		{"14:00 is nearer the end", []string{"14:00:00"}, "", "14:00", rules.StatusMissingIn},
		{"three punches", []string{"08:55:00", "12:00:00", "18:01:00"}, "08:55", "18:01", rules.StatusNormal},
		{"before the window", []string{"06:00:00", "09:00:00", "18:00:00"}, "09:00", "18:00", rules.StatusNormal},
		{"two after the end", []string{"18:01:00", "19:30:00"}, "", "19:30", rules.StatusMissingIn},
	}
	for _, tt := range tests {
		r := day(t, baseRules(), tt.times...)
		var in, out string
		if r.In != nil {
			in = r.In.Time.Format("15:04")
		}
		if r.Out != nil {
			out = r.Out.Time.Format("15:04")
		}
		if in != tt.in || out != tt.out || r.Status != tt.status {
			t.Errorf("%s: in %q out %q status %s, want %q %q %s", tt.name, in, out, r.Status, tt.in, tt.out, tt.status)
		}
	}
}

func TestWorkdayOvertime(t *testing.T) {
	tests := []struct {
		out  string
		rule rules.OvertimeRule
		want int
	}{
		{"19:00:00", rules.OvertimeRule{Enabled: true}, 60},
		{"19:00:00", rules.OvertimeRule{}, 0},
		{"19:00:00", rules.OvertimeRule{Enabled: true, StartAfterMin: 30}, 30},
		{"19:00:00", rules.OvertimeRule{Enabled: true, StartAfterMin: 30, MinMin: 31}, 0},
		{"20:29:00", rules.OvertimeRule{Enabled: true, RoundMin: 30}, 120},
		{"23:00:00", rules.OvertimeRule{Enabled: true, MaxMin: 180}, 180},
		{"18:00:59", rules.OvertimeRule{Enabled: true}, 0},
	}
	for _, tt := range tests {
		rs := baseRules()
		rs.Overtime.Workday = tt.rule
		r := day(t, rs, "09:00:00", tt.out)
		if r.OvertimeMin != tt.want || tt.want > 0 && r.OvertimeType != rules.DayWorkday {
			t.Errorf("out %s rule %+v: overtime %d %s, want %d", tt.out, tt.rule, r.OvertimeMin, r.OvertimeType, tt.want)
		}
	}
}

func TestBreaks(t *testing.T) {
	rs := baseRules()
	rs.Shifts[0].Breaks = []rules.Break{{Start: 12 * 60, End: 13 * 60}}
	tests := []struct {
		in, out        string
		worked, status string
		// present: first in to last out less the break, outside the
		// shift too
		present int
	}{
		{"09:00:00", "18:00:00", "480", "normal", 480},
		{"09:00:00", "12:30:00", "180", "early_leave", 180},
		{"12:30:00", "18:00:00", "300", "late", 300},
		{"08:30:00", "18:30:59", "480", "normal", 540},
		{"08:30:00", "12:00:00", "180", "early_leave", 210},
	}
	for _, tt := range tests {
		r := day(t, rs, tt.in, tt.out)
		if got := itoa(r.WorkedMin); got != tt.worked || string(r.Status) != tt.status || r.Shift.ScheduledMin != 480 {
			t.Errorf("%s-%s: worked %s status %s scheduled %d, want %s %s 480", tt.in, tt.out, got, r.Status, r.Shift.ScheduledMin, tt.worked, tt.status)
		}
		if r.PresentMin != tt.present {
			t.Errorf("%s-%s: present %d, want %d", tt.in, tt.out, r.PresentMin, tt.present)
		}
	}
}

func TestDiff(t *testing.T) {
	rs := baseRules()
	rs.Exceptions.LateGraceMin = 5
	in := &rules.Input{Rules: rs, Zone: "Asia/Shanghai", Employees: []attendance.Employee{{ID: "e1", Name: "E", DepartmentID: "d1"}}}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	for i, s := range []string{"2026-03-02 09:07", "2026-03-02 18:00", "2026-03-03 09:02", "2026-03-03 18:00"} {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, loc)
		in.Punches = append(in.Punches, rules.Punch{ID: itoa(i), EmployeeID: "e1", Time: tm, Method: attendance.MethodBadge})
	}
	before, err := rules.Evaluate(in, date("2026-03-02"), date("2026-03-03"))
	if err != nil {
		t.Fatal(err)
	}
	in.Rules.Exceptions.LateGraceMin = 10
	after, err := rules.Evaluate(in, date("2026-03-02"), date("2026-03-03"))
	if err != nil {
		t.Fatal(err)
	}
	ch := rules.Diff(before, after)
	if len(ch) != 1 || ch[0].Date != date("2026-03-02") || strings.Join(ch[0].Fields, ",") != "status,late_min,anomalies" {
		t.Errorf("Diff = %+v, want only 2026-03-02 status,late_min,anomalies", ch)
	}
	if got := rules.Diff(after, after); len(got) != 0 {
		t.Errorf("Diff(same) = %+v", got)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		in   rules.Input
		want string
	}{
		{"zone", rules.Input{Rules: baseRules(), Zone: "Mars/Olympus"}, `zone "Mars/Olympus"`},
		{"local zone", rules.Input{Rules: baseRules(), Zone: "Local"}, `zone "Local"`},
		{"bad rules", rules.Input{Rules: rules.RuleSet{Shifts: []rules.Shift{{ID: ""}}}, Zone: "UTC"}, "shifts[0].id"},
		{"assignment", rules.Input{Rules: baseRules(), Zone: "UTC", Schedule: rules.Schedule{Assignments: []rules.Assignment{{Scope: "team", Target: "x", Schedule: "std"}}}}, `scope: "team"`},
		{"rotation anchor", rules.Input{Rules: func() rules.RuleSet {
			rs := baseRules()
			rs.Rotations = []rules.Rotation{{ID: "r", Pattern: []string{"day"}}}
			return rs
		}(), Zone: "UTC", Schedule: rules.Schedule{Assignments: []rules.Assignment{{Scope: "employee", Target: "e1", Schedule: "r"}}}}, "needs an anchor"},
		{"duplicate employee", rules.Input{Rules: baseRules(), Zone: "UTC", Employees: []attendance.Employee{{ID: "e1"}, {ID: "e1"}}}, "listed twice"},
	}
	for _, tt := range tests {
		_, err := rules.Compile(&tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, rules.ErrInvalidRules) {
			t.Errorf("%s: Compile() = %v, want ErrInvalidRules containing %q", tt.name, err, tt.want)
		}
	}
	in := rules.Input{Rules: baseRules(), Zone: "UTC", Employees: []attendance.Employee{{ID: "e1"}},
		Punches: []rules.Punch{{ID: "x", EmployeeID: "e9", Time: time.Unix(1e9, 0)}}}
	if _, err := rules.Evaluate(&in, date("2026-03-02"), date("2026-03-02")); err == nil || !strings.Contains(err.Error(), `"e9"`) {
		t.Errorf("unknown employee's punch: %v", err)
	}
	in.Punches = nil
	in.Rules.Basic.HolidayCountry = "CN"
	if _, err := rules.Evaluate(&in, date("2027-03-02"), date("2027-03-02")); !errors.Is(err, rules.ErrNoHolidayData) {
		t.Errorf("CN 2027 without imported calendar: %v, want ErrNoHolidayData", err)
	}
	in.Calendar = rules.Calendar{Days: []rules.CalendarEntry{{Date: date("2027-01-01"), Kind: rules.Holiday}}}
	if _, err := rules.Evaluate(&in, date("2027-03-02"), date("2027-03-02")); err != nil {
		t.Errorf("CN 2027 with an imported calendar: %v", err)
	}
	if _, err := rules.Evaluate(&in, date("2027-03-02"), date("2027-03-01")); err == nil {
		t.Error("reversed range accepted")
	}
}

// TestEvaluateEmployeeAt: one engine compiled without a "now" gives, at a
// time passed per call, the records an input with that Now gives.
func TestEvaluateEmployeeAt(t *testing.T) {
	f, err := os.Open("../../testdata/rules/provisional.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, in, err := rules.ParseScenario(f)
	if err != nil {
		t.Fatal(err)
	}
	if in.Now.IsZero() {
		t.Fatal("the provisional scenario has no now")
	}
	want, err := rules.Evaluate(in, sc.From, sc.To)
	if err != nil {
		t.Fatal(err)
	}
	now := in.Now
	in.Now = time.Time{}
	e, err := rules.Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []rules.DayRecord
	for _, emp := range in.Employees {
		var ps []rules.Punch
		for _, p := range in.Punches {
			if p.EmployeeID == emp.ID {
				ps = append(ps, p)
			}
		}
		recs, err := e.EvaluateEmployeeAt(now, emp.ID, ps, in.Corrections, in.Approvals, sc.From, sc.To)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
	}
	if len(rules.Diff(want, got)) != 0 || len(got) != len(want) {
		t.Errorf("EvaluateEmployeeAt differs from Evaluate with Now: %+v", rules.Diff(want, got))
	}
	provisional := 0
	for _, r := range got {
		if r.Provisional {
			provisional++
		}
	}
	if provisional == 0 {
		t.Error("no provisional day: now was not applied")
	}
	// The compiled engine's own evaluation (no now) concludes every day.
	plain, _ := e.EvaluateEmployee(in.Employees[0].ID, nil, nil, nil, sc.From, sc.To)
	for _, r := range plain {
		if r.Provisional {
			t.Errorf("%s provisional without a now", r.Date)
		}
	}
}

// TestFieldErrors: every problem of Validate is found with its path.
func TestFieldErrors(t *testing.T) {
	rs := rules.RuleSet{
		Shifts:    []rules.Shift{{ID: "night", Start: rules.NewClock(22, 0), End: rules.NewClock(6, 0), Breaks: []rules.Break{{Start: rules.NewClock(7, 0), End: rules.NewClock(8, 0)}}}},
		Rotations: []rules.Rotation{{ID: "r", Pattern: []string{"night", "", "nope"}}},
	}
	var got []string
	for _, fe := range rules.FieldErrors(rs.Validate()) {
		got = append(got, fe.Path)
	}
	want := []string{"shifts[0].breaks[0]", "rotations[0].pattern[2]"}
	if !slices.Equal(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
}
