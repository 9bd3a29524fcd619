package console

import (
	"strings"
	"testing"
	"time"

	"punchclock/app/rules"
)

// demoConfig is a configuration as punchd answers it: a day shift, the
// office's weekly schedule, China's holidays.
func demoConfig(t *testing.T) map[string]any {
	t.Helper()
	rs := rules.RuleSet{
		Basic:  rules.Basic{HolidayCountry: "CN", DefaultSchedule: "office"},
		Shifts: []rules.Shift{{ID: "day", Start: rules.NewClock(9, 0), End: rules.NewClock(18, 0)}},
		Weekly: []rules.WeeklySchedule{{ID: "office", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}}},
	}
	cfg, ok := tree(rules.Config{Rules: rs}).(map[string]any)
	if !ok {
		t.Fatal("the configuration is not a JSON object")
	}
	return cfg
}

// TestWeeklyForm: a weekly schedule is checked by the rules' own
// validation, each problem on its field (an id used twice, a weekday's
// unknown shift), and applied into the configuration.
func TestWeeklyForm(t *testing.T) {
	cfg := demoConfig(t)
	e := schedEditor{week: newWeeklyForm(ruleSet(cfg), 1)}
	if got := e.week.days; got != [7]string{"day", "day", "day", "day", "day", "", ""} {
		t.Errorf("a new schedule's days: %v, want Monday to Friday", got)
	}
	e.week.id, e.week.days[5] = "office", "nights"
	e.check(cfg)
	if e.errs["id"].key != "shifts.err.id" || e.errs["sat"].key != "weekly.err.shift" || len(e.errs) != 2 {
		t.Errorf("errors: %+v, want id and sat", e.errs)
	}
	e.week.id, e.week.days[5] = "six-days", "day"
	rs := e.check(cfg)
	if len(e.errs) != 0 {
		t.Fatalf("errors: %+v", e.errs)
	}
	if len(rs.Weekly) != 2 || rs.Weekly[1].Days.Sat != "day" || rs.Weekly[1].Days.Sun != "" {
		t.Errorf("weekly: %+v", rs.Weekly)
	}
	if f, k := weeklyField("days.sun"); f != "sun" || k != "weekly.err.shift" {
		t.Errorf("weeklyField(days.sun) = %q, %q", f, k)
	}
}

// TestCompanyDay: a company day off is checked as punchd checks a
// calendar (a date that is not one, an end before the start), and the
// year shows it with the statutory days, sorted, China's make-up
// workdays included.
func TestCompanyDay(t *testing.T) {
	v := &rulesView{cfg: &ruleConfig{Config: demoConfig(t)}}
	v.hol.form = &calendarForm{date: "2026-03-32", kind: "holiday"}
	v.hol.check(v)
	if v.hol.errs["date"].key != "holidays.err.date" {
		t.Errorf("a bad date: %+v", v.hol.errs)
	}
	v.hol.form.date, v.hol.form.to = "2026-03-10", "2026-03-01"
	v.hol.check(v)
	if v.hol.errs["to"].key != "holidays.err.to" || v.hol.words["to"] == "" {
		t.Errorf("an end before the start: %+v", v.hol.errs)
	}
	v.hol.form.to, v.hol.form.name = "", "Anniversary"
	c := v.hol.check(v)
	if len(v.hol.errs) != 0 || len(c.Days) != 1 {
		t.Fatalf("a good day: %+v, %+v", v.hol.errs, c)
	}
	setCalendar(v.cfg.Config, c)
	days, noData := yearDays("CN", 2026, companyCalendar(v.cfg.Config))
	if noData {
		t.Fatal("no data for CN 2026")
	}
	var company, workdays int
	for i, d := range days {
		if i > 0 && d.Date < days[i-1].Date {
			t.Errorf("not sorted at %d", i)
		}
		if d.company {
			company++
			if d.Date != rules.NewDate(2026, 3, 10) || d.Kind != rules.Holiday {
				t.Errorf("company day %+v", d)
			}
		}
		if d.Kind == rules.Workday {
			workdays++
		}
	}
	if company != 1 || workdays == 0 {
		t.Errorf("%d company days, %d make-up workdays", company, workdays)
	}
	if _, noData := yearDays("CN", 2099, rules.Calendar{}); !noData {
		t.Error("CN 2099 has built-in data?")
	}
	setCalendar(v.cfg.Config, rules.Calendar{})
	if _, ok := v.cfg.Config["calendar"]; ok {
		t.Error("an empty calendar is kept")
	}
}

// TestReadICS: an iCal file is read in the site's zone; one that is not
// a calendar of days says why in the parser's words.
func TestReadICS(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	in := readICS("a.ics", []byte("BEGIN:VEVENT\r\nDTSTART:20260309T170000Z\r\nSUMMARY:Off\r\nEND:VEVENT\r\n"), sh)
	if in.err != "" || len(in.cal.Days) != 1 || in.cal.Days[0].Date != rules.NewDate(2026, 3, 10) {
		t.Errorf("readICS = %+v", in)
	}
	for _, bad := range []string{"", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "BEGIN:VEVENT\r\nDTSTART:2026\r\nEND:VEVENT\r\n", "\x00\xff"} {
		if in := readICS("b.ics", []byte(bad), nil); in.err == "" {
			t.Errorf("readICS(%q) accepted", bad)
		}
	}
}

// TestOvertimeEditor: the overtime and make-up numbers are checked by
// the rules' validation, next to each field, and applied into the
// configuration sent; untouched, they leave it as it was.
func TestOvertimeEditor(t *testing.T) {
	cfg := demoConfig(t)
	e := newOvertimeEditor(ruleSet(cfg))
	if !e.apply(cfg) {
		t.Fatalf("untouched: %+v", e.errs)
	}
	r := cfg["rules"].(map[string]any)
	if _, ok := r["overtime"]; ok {
		t.Errorf("untouched overtime was added: %v", r["overtime"])
	}
	if _, ok := r["makeup"]; ok {
		t.Errorf("an untouched make-up policy was added: %v", r["makeup"])
	}
	e.flags["overtime.rest_day.enabled"] = true
	e.values["overtime.rest_day.round_min"] = "300"
	e.values["overtime.workday.min_min"] = "ten"
	e.values["overtime.holiday.min_min"] = "-5" // hidden: holiday overtime does not count
	e.flags["overtime.workday.enabled"] = true
	e.flags["makeup"] = true
	e.values["makeup.window_days"] = "0"
	e.check(cfg)
	want := map[string]string{"overtime.rest_day.round_min": "rules.range", "overtime.workday.min_min": "shifts.err.number", "makeup.window_days": "rules.range"}
	if len(e.errs) != len(want) {
		t.Errorf("errors: %+v, want %v", e.errs, want)
	}
	for path, key := range want {
		if e.errs[path].key != key {
			t.Errorf("%s: %+v, want %s", path, e.errs[path], key)
		}
	}
	if e.apply(cfg) {
		t.Error("applied with errors")
	}
	e.values["overtime.rest_day.round_min"], e.values["overtime.workday.min_min"], e.values["makeup.window_days"] = "30", "", "45"
	if !e.apply(cfg) {
		t.Fatalf("errors: %+v", e.errs)
	}
	rs := ruleSet(cfg)
	if !rs.Overtime.RestDay.Enabled || rs.Overtime.RestDay.RoundMin != 30 || rs.Overtime.Holiday.MinMin != 0 || rs.Makeup == nil || rs.Makeup.WindowDays != 45 || rs.Makeup.MonthlyCap != 3 {
		t.Errorf("applied: %+v, %+v", rs.Overtime, rs.Makeup)
	}
}

// TestMatrixEdits: a route is checked as punchd would check it, and the
// edits are listed as added, changed and removed routes.
func TestMatrixEdits(t *testing.T) {
	v := &matrixView{
		stored: []matrixEntry{{"retail", "makeup_punch", []string{"E002"}}, {"works", "overtime", []string{"E003"}}},
		depts:  []department{{ID: "retail", Name: "Retail"}, {ID: "works", Name: "Workshop"}},
		people: []person{{ID: "E001"}, {ID: "E002"}, {ID: "E003"}},
	}
	v.entries = append([]matrixEntry(nil), v.stored...)
	v.form = &matrixForm{index: 2, dept: "retail", kind: "makeup_punch", approvers: [3]string{"E009", "", "E001"}}
	v.check()
	for field, key := range map[string]string{"kind": "matrix.err.taken", "approver-1": "matrix.err.approver", "approver-3": "matrix.err.gap"} {
		if v.errs[field].key != key {
			t.Errorf("%s: %+v, want %s", field, v.errs[field], key)
		}
	}
	v.form = &matrixForm{index: 0, dept: "retail", kind: "makeup_punch", approvers: [3]string{"E002", "E001"}}
	v.check()
	if len(v.errs) != 0 {
		t.Fatalf("errors: %+v", v.errs)
	}
	v.entries[0].Approvers = []string{"E002", "E001"}
	v.entries = append(v.entries[:1], matrixEntry{"retail", "overtime", []string{"E001"}})
	var got []string
	for _, ch := range v.changes() {
		got = append(got, ch.op+" "+ch.entry.DepartmentID+"/"+ch.entry.Kind)
	}
	if want := "change retail/makeup_punch, add retail/overtime, remove works/overtime"; strings.Join(got, ", ") != want {
		t.Errorf("changes: %s, want %s", strings.Join(got, ", "), want)
	}
}
