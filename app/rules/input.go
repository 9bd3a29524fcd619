package rules

import (
	"time"

	"punchclock/app/attendance"
)

// Input is everything one evaluation needs. The engine reads nothing else:
// no clock, no files, no network.
type Input struct {
	Rules RuleSet `json:"rules"`
	// Calendar holds imported holidays and make-up workdays; its days
	// override the built-in data of Rules.Basic.HolidayCountry.
	Calendar Calendar `json:"calendar,omitzero"`
	Schedule Schedule `json:"schedule,omitzero"`
	// Employees are evaluated; Departments give the department tree (for
	// assignments to a parent department and for finding a manager).
	Employees   []attendance.Employee   `json:"employees"`
	Departments []attendance.Department `json:"departments,omitempty"`
	Punches     []Punch                 `json:"punches,omitempty"`
	// Corrections are approved make-up punches.
	Corrections []Correction `json:"corrections,omitempty"`
	Approvals   []Approval   `json:"approvals,omitempty"`
	// Zone is the IANA zone of the business days ("Asia/Shanghai"). The
	// caller evaluates employees of sites in different zones separately.
	Zone string `json:"zone"`
	// Location, when set, is Zone's rules: a kiosk has no zone database
	// and passes its site's (attendance.Site.Location). Zone must still
	// name it.
	Location *time.Location `json:"-"`
	// Now is the server's current time. Days whose punch windows are still
	// open at Now are provisional: no missing punch, absence or early leave
	// is concluded yet. Zero means every day is complete.
	Now time.Time `json:"now,omitzero"`
}

// Schedule assigns weekly schedules and rotations to people.
type Schedule struct {
	Assignments []Assignment `json:"assignments,omitempty"`
	// Overrides set one employee's shift on one day (a manager's roster
	// edit, a swap); they beat every assignment.
	Overrides []Override `json:"overrides,omitempty"`
}

// Scope is what an assignment targets.
type Scope string

// The assignment scopes, from the least to the most specific. For one
// employee-day the most specific matching assignment wins: employee, then
// position, then the employee's department, then its parent departments
// (nearest first), then Basic.DefaultSchedule.
const (
	ScopeDepartment Scope = "department"
	ScopePosition   Scope = "position"
	ScopeEmployee   Scope = "employee"
)

// Assignment gives a schedule (weekly or rotation) to an employee, a
// position or a department for a range of dates.
type Assignment struct {
	Scope  Scope  `json:"scope"`
	Target string `json:"target"`
	// Schedule is the ID of a weekly schedule or a rotation.
	Schedule string `json:"schedule"`
	// From and To (inclusive) bound the assignment; zero is open.
	From Date `json:"from,omitzero"`
	To   Date `json:"to,omitzero"`
	// Anchor is the date of the rotation's first pattern day; default From.
	// A rotation assignment needs one of the two.
	Anchor Date `json:"anchor,omitzero"`
}

// Override sets an employee's shift on one date; Shift "" is a rest day.
type Override struct {
	EmployeeID string `json:"employee_id"`
	Date       Date   `json:"date"`
	Shift      string `json:"shift"`
}

// Punch is a punch as the rules engine sees it: the server's best estimate
// of its instant and the evidence rules look at. See FromAttendance.
type Punch struct {
	ID         string               `json:"id"`
	EmployeeID string               `json:"employee_id"`
	Time       time.Time            `json:"time"`
	Method     attendance.Method    `json:"method"`
	Direction  attendance.Direction `json:"direction,omitempty"`
	SiteID     string               `json:"site_id,omitempty"`
	DeviceID   string               `json:"device_id,omitempty"`
	Location   *attendance.Location `json:"location,omitempty"`
	// Addr is the client address the server saw ("203.0.113.7").
	Addr string `json:"addr,omitempty"`
	// ClockCorrected marks a punch whose device clock was off by more than
	// attendance.SkewFlag and whose time was corrected, or whose est_time
	// the server overrode (attendance.Timing.Mismatch).
	ClockCorrected bool `json:"clock_corrected,omitempty"`
	// Place is the place typed for a GPS punch made without a usable fix
	// (attendance.Evidence.Place): the weak-GPS route, which always needs
	// the manager's approval unless the fix is inside a fence after all.
	Place string `json:"place,omitempty"`
	// SerialOnly marks an NFC punch whose card was known by its serial
	// number alone, with no signed tag token (Exceptions.NFCSerial).
	SerialOnly bool `json:"serial_only,omitempty"`
}

// FromAttendance makes a rules punch from a stored punch, its true time,
// whether that time was corrected (see attendance.Punch.Timing) and the
// client address.
func FromAttendance(p *attendance.Punch, trueTime time.Time, skewed bool, addr string) Punch {
	return Punch{
		ID: p.ID, EmployeeID: p.EmployeeID, Time: trueTime, Method: p.Method,
		Direction: p.Direction, SiteID: p.SiteID, DeviceID: p.DeviceID,
		Location: p.Location, Addr: addr, ClockCorrected: skewed, Place: p.Evidence.Place,
		SerialOnly: p.Method == attendance.MethodNFC && p.Evidence.NFCTag == "",
	}
}

// Correction is an approved make-up punch (补卡). It is used like a punch
// and marked as a correction in the record.
type Correction struct {
	ID         string               `json:"id"`
	EmployeeID string               `json:"employee_id"`
	Time       time.Time            `json:"time"`
	Direction  attendance.Direction `json:"direction,omitempty"`
	Reason     string               `json:"reason,omitempty"`
	ApprovedBy string               `json:"approved_by,omitempty"`
}

// ApprovalState is the state of an approval.
type ApprovalState string

// The approval states. Required is the engine's: an anomaly that needs an
// approval nobody has asked for yet.
const (
	ApprovalRequired ApprovalState = "required"
	ApprovalPending  ApprovalState = "pending"
	ApprovalApproved ApprovalState = "approved"
	ApprovalRejected ApprovalState = "rejected"
)

// Approval is a decision (or a pending request) about one anomaly of an
// employee-day, optionally about one punch.
type Approval struct {
	ID         string        `json:"id"`
	EmployeeID string        `json:"employee_id"`
	Date       Date          `json:"date"`
	Anomaly    AnomalyCode   `json:"anomaly"`
	PunchID    string        `json:"punch_id,omitempty"`
	State      ApprovalState `json:"state"`
	By         string        `json:"by,omitempty"`
	Note       string        `json:"note,omitempty"`
}
