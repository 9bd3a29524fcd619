package rules

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
)

// Scenario is the file format of testdata/rules/*.json and of
// `punchd rules eval FILE`: an Input, the date range to evaluate, and
// optional hand-written expectations. See testdata/rules/README.md.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Zone        string `json:"zone"`
	// Now is optional (see Input.Now).
	Now  time.Time `json:"now,omitzero"`
	From Date      `json:"from"`
	To   Date      `json:"to"`

	Rules    RuleSet  `json:"rules"`
	Calendar Calendar `json:"calendar,omitzero"`
	// CalendarICS is an iCalendar text whose events are added to Calendar.
	CalendarICS string                  `json:"calendar_ics,omitempty"`
	Schedule    Schedule                `json:"schedule,omitzero"`
	Employees   []attendance.Employee   `json:"employees"`
	Departments []attendance.Department `json:"departments,omitempty"`
	Punches     []ScenarioPunch         `json:"punches,omitempty"`
	Corrections []ScenarioCorrection    `json:"corrections,omitempty"`
	Approvals   []Approval              `json:"approvals,omitempty"`

	Expect []Expectation `json:"expect,omitempty"`
}

// ScenarioPunch is a Punch whose time may be given as Local wall time in
// the scenario's zone ("2026-03-02 09:11" or with seconds) instead of an
// RFC 3339 "time". Wall times that occur twice (the autumn DST hour) take
// the first occurrence; give "time" with an offset for the second.
type ScenarioPunch struct {
	Punch
	Local string `json:"local,omitempty"`
}

// ScenarioCorrection is a Correction with the same Local convenience.
type ScenarioCorrection struct {
	Correction
	Local string `json:"local,omitempty"`
}

// Expectation is a hand-written check of one employee-day. Only the fields
// given are checked; In and Out are local "HH:MM" or "-" for none;
// Anomalies are the codes, in any order; Roles maps punch ids to roles.
type Expectation struct {
	EmployeeID   string          `json:"employee_id"`
	Date         Date            `json:"date"`
	Status       Status          `json:"status,omitempty"`
	DayType      DayType         `json:"day_type,omitempty"`
	Shift        string          `json:"shift,omitempty"`
	In           string          `json:"in,omitempty"`
	Out          string          `json:"out,omitempty"`
	LateMin      *int            `json:"late_min,omitempty"`
	EarlyMin     *int            `json:"early_min,omitempty"`
	WorkedMin    *int            `json:"worked_min,omitempty"`
	ScheduledMin *int            `json:"scheduled_min,omitempty"`
	OvertimeMin  *int            `json:"overtime_min,omitempty"`
	Anomalies    []AnomalyCode   `json:"anomalies,omitempty"`
	Roles        map[string]Role `json:"roles,omitempty"`
	Note         string          `json:"note,omitempty"`
}

// ScenarioResult is what EvalScenario returns: the day records, the cycle
// summaries, and the expectations that did not hold.
type ScenarioResult struct {
	Name      string      `json:"name"`
	Records   []DayRecord `json:"records"`
	Summaries []Summary   `json:"summaries"`
	Failures  []string    `json:"failures,omitempty"`
}

// ParseScenario decodes a scenario, rejecting unknown fields (a typo in a
// rule name must not silently fall back to a default), and resolves local
// times and the iCalendar text.
func ParseScenario(r io.Reader) (*Scenario, *Input, error) {
	var s Scenario
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, nil, fmt.Errorf("scenario: %w", err)
	}
	loc, err := time.LoadLocation(s.Zone)
	if err != nil || s.Zone == "" {
		return nil, nil, fmt.Errorf("scenario %s: zone %q: %w", s.Name, s.Zone, ErrInvalidRules)
	}
	in := &Input{
		Rules: s.Rules, Calendar: s.Calendar, Schedule: s.Schedule, Employees: s.Employees,
		Departments: s.Departments, Approvals: s.Approvals, Zone: s.Zone, Now: s.Now,
	}
	if s.CalendarICS != "" {
		c, err := ParseICal(strings.NewReader(s.CalendarICS))
		if err != nil {
			return nil, nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		in.Calendar.Days = append(in.Calendar.Days, c.Days...)
	}
	for _, p := range s.Punches {
		if p.Local != "" {
			if p.Time, err = parseLocal(p.Local, loc); err != nil {
				return nil, nil, fmt.Errorf("scenario %s: punch %s: %w", s.Name, p.ID, err)
			}
		}
		in.Punches = append(in.Punches, p.Punch)
	}
	for _, c := range s.Corrections {
		if c.Local != "" {
			if c.Time, err = parseLocal(c.Local, loc); err != nil {
				return nil, nil, fmt.Errorf("scenario %s: correction %s: %w", s.Name, c.ID, err)
			}
		}
		in.Corrections = append(in.Corrections, c.Correction)
	}
	return &s, in, nil
}

func parseLocal(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("local time %q: want YYYY-MM-DD HH:MM[:SS]", s)
}

// EvalScenario reads a scenario, evaluates it and checks its expectations.
// An expectation that does not hold is reported in Failures, not as an
// error: the records are the answer to "why was this day marked late?".
func EvalScenario(r io.Reader) (*ScenarioResult, error) {
	s, in, err := ParseScenario(r)
	if err != nil {
		return nil, err
	}
	recs, err := Evaluate(in, s.From, s.To)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	res := &ScenarioResult{Name: s.Name, Records: recs, Summaries: Summarize(recs)}
	res.Failures = CheckExpectations(recs, s.Expect)
	return res, nil
}

// CheckExpectations returns a message for every expectation that does not
// hold in recs.
func CheckExpectations(recs []DayRecord, exp []Expectation) []string {
	var fails []string
	for _, x := range exp {
		var r *DayRecord
		for i := range recs {
			if recs[i].EmployeeID == x.EmployeeID && recs[i].Date == x.Date {
				r = &recs[i]
			}
		}
		where := x.EmployeeID + " " + x.Date.String()
		if r == nil {
			fails = append(fails, where+": no record")
			continue
		}
		fail := func(field string, got, want any) {
			fails = append(fails, fmt.Sprintf("%s: %s = %v, want %v", where, field, got, want))
		}
		if x.Status != "" && r.Status != x.Status {
			fail("status", r.Status, x.Status)
		}
		if x.DayType != "" && r.DayType != x.DayType {
			fail("day_type", r.DayType, x.DayType)
		}
		if x.Shift != "" {
			got := "-"
			if r.Shift != nil {
				got = r.Shift.ID
			}
			if got != x.Shift {
				fail("shift", got, x.Shift)
			}
		}
		clock := func(p *PunchUse) string {
			if p == nil {
				return "-"
			}
			return hhmm(p.Time)
		}
		if x.In != "" && clock(r.In) != x.In {
			fail("in", clock(r.In), x.In)
		}
		if x.Out != "" && clock(r.Out) != x.Out {
			fail("out", clock(r.Out), x.Out)
		}
		for _, c := range []struct {
			name string
			got  int
			want *int
		}{{"late_min", r.LateMin, x.LateMin}, {"early_min", r.EarlyMin, x.EarlyMin}, {"worked_min", r.WorkedMin, x.WorkedMin}, {"overtime_min", r.OvertimeMin, x.OvertimeMin}} {
			if c.want != nil && c.got != *c.want {
				fail(c.name, c.got, *c.want)
			}
		}
		if x.ScheduledMin != nil {
			got := 0
			if r.Shift != nil {
				got = r.Shift.ScheduledMin
			}
			if got != *x.ScheduledMin {
				fail("scheduled_min", got, *x.ScheduledMin)
			}
		}
		if x.Anomalies != nil {
			var got []string
			for _, a := range r.Anomalies {
				got = append(got, string(a.Code))
			}
			var want []string
			for _, a := range x.Anomalies {
				want = append(want, string(a))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				fail("anomalies", got, want)
			}
		}
		for id, role := range x.Roles {
			got := Role("(absent)")
			for _, p := range r.Punches {
				if p.ID == id {
					got = p.Role
				}
			}
			if got != role {
				fail("role of "+id, got, role)
			}
		}
	}
	return fails
}
