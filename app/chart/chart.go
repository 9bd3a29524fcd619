// Package chart is the dashboard's charts on the wire: the answers of
// GET /api/v1/report/stats/{chart}, which punchd computes (package
// server/internal/stats) and the console draws (app/console), and the
// definitions both hold to (what an expected and a present day are, the
// rate in percent).
package chart

import (
	"math"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// The charts.
const (
	Trend       = "trend"
	Ranking     = "ranking"
	Departments = "departments"
	Anomalies   = "anomalies"
	Locations   = "locations"
	Overtime    = "overtime"
	Methods     = "methods"
)

// Charts lists the charts in the dashboard's order.
var Charts = []string{Trend, Ranking, Departments, Anomalies, Locations, Overtime, Methods}

// Base is what every answer says of its selection.
type Base struct {
	Chart        string     `json:"chart"`
	From         rules.Date `json:"from"`
	To           rules.Date `json:"to"`
	EmployeeID   string     `json:"employee_id,omitempty"`
	DepartmentID string     `json:"department_id,omitempty"`
}

// Rate is the attendance of one period: expected employee-days, those
// attended and the rate in percent.
type Rate struct {
	Period   string  `json:"period"`
	Expected int     `json:"expected"`
	Present  int     `json:"present"`
	RatePct  float64 `json:"rate_pct"`
}

// TrendAnswer is the attendance rate by day (every day of the range),
// by ISO week (period "2026-W11") and by month ("2026-03").
type TrendAnswer struct {
	Base
	Day   []Rate `json:"day"`
	Week  []Rate `json:"week"`
	Month []Rate `json:"month"`
}

// Ranked is an employee's place in a ranking: the days and the minutes.
type Ranked struct {
	EmployeeID   string `json:"employee_id"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id"`
	Department   string `json:"department"`
	Days         int    `json:"days"`
	Minutes      int    `json:"minutes"`
}

// RankingAnswer is the late and early-leave top 10: the employees with
// the most days late (early), then the most minutes, then by id.
type RankingAnswer struct {
	Base
	Late  []Ranked `json:"late"`
	Early []Ranked `json:"early"`
}

// Department is one department's measures for the comparison: its
// employees (those with records, not its sub-departments'), their
// expected and attended days and rate, days late, early, absent and
// with any anomaly, and overtime minutes.
type Department struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Employees   int     `json:"employees"`
	Expected    int     `json:"expected"`
	Present     int     `json:"present"`
	RatePct     float64 `json:"rate_pct"`
	LateDays    int     `json:"late_days"`
	EarlyDays   int     `json:"early_days"`
	AbsentDays  int     `json:"absent_days"`
	AnomalyDays int     `json:"anomaly_days"`
	OvertimeMin int     `json:"overtime_min"`
}

// DepartmentsAnswer is the department comparison, departments by id.
type DepartmentsAnswer struct {
	Base
	Departments []Department `json:"departments"`
}

// ReasonCount is how many employee-days have an anomaly.
type ReasonCount struct {
	Code  rules.AnomalyCode `json:"code"`
	Count int               `json:"count"`
}

// AnomaliesAnswer is the employee-days by anomaly reason (those with
// any, in a fixed order; overtime is not a fault and not counted), and
// the employee-days with any anomaly.
type AnomaliesAnswer struct {
	Base
	Reasons []ReasonCount `json:"reasons"`
	Days    int           `json:"days"`
}

// EmployeeDay is an employee-day behind an anomaly reason.
type EmployeeDay struct {
	EmployeeID   string              `json:"employee_id"`
	Name         string              `json:"name"`
	DepartmentID string              `json:"department_id"`
	Department   string              `json:"department"`
	Date         rules.Date          `json:"date"`
	Status       rules.Status        `json:"status"`
	Minutes      int                 `json:"minutes,omitempty"`
	Approval     rules.ApprovalState `json:"approval,omitempty"`
}

// ByDayType is overtime minutes by the overtime's day type (the day's
// when the record names none, as the overtime export counts), and their
// total.
type ByDayType struct {
	Workday int `json:"workday"`
	RestDay int `json:"rest_day"`
	Holiday int `json:"holiday"`
	Total   int `json:"total"`
}

// OvertimeDay is a day's overtime.
type OvertimeDay struct {
	Date rules.Date `json:"date"`
	ByDayType
}

// OvertimePerson is an employee's overtime over the range.
type OvertimePerson struct {
	EmployeeID   string `json:"employee_id"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id"`
	Department   string `json:"department"`
	ByDayType
}

// OvertimeDepartment is a department's overtime over the range (its own
// employees').
type OvertimeDepartment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	ByDayType
}

// OvertimeAnswer is the overtime by day (every day of the range), the
// TopN employees with the most, how many had any, the departments' and
// the total.
type OvertimeAnswer struct {
	Base
	Days        []OvertimeDay        `json:"days"`
	People      []OvertimePerson     `json:"people"`
	WithAny     int                  `json:"people_with_overtime"`
	Departments []OvertimeDepartment `json:"departments"`
	Total       ByDayType            `json:"total"`
}

// Count is how many punches had a method or came from a kind of device.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// MethodsAnswer is the punches the records use (merged duplicates
// included) by method (every method, in attendance.Methods' order) and
// by the kind of device that took them, and their total.
type MethodsAnswer struct {
	Base
	Methods []Count `json:"methods"`
	Devices []Count `json:"devices"`
	Total   int     `json:"total"`
}

// Cell is a square of the site plan, CellM a side, centred E metres
// east and N north of the site's point, with the punches made in it and
// the location verdicts of theirs that were checked.
type Cell struct {
	E         float64 `json:"e"`
	N         float64 `json:"n"`
	Count     int     `json:"count"`
	Inside    int     `json:"inside"`
	Outside   int     `json:"outside"`
	Uncertain int     `json:"uncertain"`
}

// PlanSite is a site's plan: its point and fences (as the sites section
// draws them) and the cells its located punches fall in.
type PlanSite struct {
	ID     string             `json:"id"`
	Name   string             `json:"name"`
	Point  *attendance.LatLng `json:"point,omitempty"`
	Fences []attendance.Fence `json:"fences"`
	Cells  []Cell             `json:"cells"`
	Counts struct {
		Punches   int `json:"punches"`
		Inside    int `json:"inside"`
		Outside   int `json:"outside"`
		Uncertain int `json:"uncertain"`
	} `json:"counts"`
}

// LocationsAnswer is the punches with a location that the records use,
// on the plans of the sites they were made for (the employee's site when
// the punch names none); those of a site without a point are Unplaced.
type LocationsAnswer struct {
	Base
	CellM    int        `json:"cell_m"`
	Sites    []PlanSite `json:"sites"`
	Unplaced int        `json:"unplaced"`
}

// Expected reports whether rec counts towards the attendance rate: a
// workday with a shift whose verdict is in (not scheduled, not in
// progress).
func Expected(rec *rules.DayRecord) bool {
	return rec.DayType == rules.DayWorkday && rec.Shift != nil && rec.Status != rules.StatusScheduled && rec.Status != rules.StatusInProgress
}

// Present reports whether an expected day was attended: any verdict but
// absent (a missing punch is a fault of a day attended).
func Present(rec *rules.DayRecord) bool { return Expected(rec) && rec.Status != rules.StatusAbsent }

// Pct is present out of expected as a percentage to one decimal (0 when
// nothing was expected).
func Pct(present, expected int) float64 {
	if expected == 0 {
		return 0
	}
	return math.Round(1000*float64(present)/float64(expected)) / 10
}

func (b *ByDayType) Add(rec *rules.DayRecord) {
	t := rec.OvertimeType
	if t == "" {
		t = rec.DayType
	}
	switch t {
	case rules.DayRest:
		b.RestDay += rec.OvertimeMin
	case rules.DayHoliday:
		b.Holiday += rec.OvertimeMin
	default:
		b.Workday += rec.OvertimeMin
	}
	b.Total += rec.OvertimeMin
}

// Device kinds of the methods chart, beside attendance.DeviceKiosk and
// DevicePhone.
const (
	DeviceTerminal = "terminal" // a hardware terminal's punch
	DeviceOther    = "other"    // a device punchd does not know (any more)
	DeviceManual   = "manual"   // an approved make-up punch: no device
)

// CellM is the side of a location cell on the site plan, in metres.
const CellM = 10
