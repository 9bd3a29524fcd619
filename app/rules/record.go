package rules

import (
	"time"

	"punchclock/app/attendance"
)

// DayType is the kind of a business day for one employee.
type DayType string

// The day types; they also name the overtime buckets.
const (
	DayWorkday DayType = "workday"
	DayRest    DayType = "rest_day"
	DayHoliday DayType = "holiday"
)

// Status is the headline verdict of an employee-day. Anomalies hold every
// finding; Status is the most serious unresolved one.
type Status string

// The statuses, from the most serious.
const (
	StatusAbsent        Status = "absent"
	StatusMissingIn     Status = "missing_in"
	StatusMissingOut    Status = "missing_out"
	StatusSeriouslyLate Status = "seriously_late"
	StatusLate          Status = "late"
	StatusEarlyLeave    Status = "early_leave"
	StatusShortHours    Status = "short_hours"
	// StatusNeedsApproval: the times are fine but a punch awaits a decision
	// (location, verification, corrected clock).
	StatusNeedsApproval Status = "needs_approval"
	StatusNormal        Status = "normal"
	StatusRest          Status = "rest"
	StatusHoliday       Status = "holiday"
	// StatusInProgress: the shift's punch window is still open at Now.
	StatusInProgress Status = "in_progress"
	// StatusScheduled: the shift's punch window has not opened at Now.
	StatusScheduled Status = "scheduled"
)

// AnomalyCode names a finding.
type AnomalyCode string

// The anomaly codes. They are stable: approvals refer to them.
const (
	AnomalyLate           AnomalyCode = "late"
	AnomalySeriouslyLate  AnomalyCode = "seriously_late"
	AnomalyEarlyLeave     AnomalyCode = "early_leave"
	AnomalyShortHours     AnomalyCode = "short_hours"
	AnomalyMissingIn      AnomalyCode = "missing_in"
	AnomalyMissingOut     AnomalyCode = "missing_out"
	AnomalyAbsent         AnomalyCode = "absent"
	AnomalyOutOfFence     AnomalyCode = "out_of_fence"
	AnomalyLocUncertain   AnomalyCode = "location_uncertain"
	AnomalyNoLocation     AnomalyCode = "no_location"
	AnomalyUnverified     AnomalyCode = "verification_incomplete"
	AnomalyClockCorrected AnomalyCode = "clock_corrected"
	// AnomalyOvertime is not a fault: it carries the overtime approval when
	// the overtime rule needs one, and does not affect Status.
	AnomalyOvertime AnomalyCode = "overtime"
)

// Role is what the engine made of a punch.
type Role string

// The punch roles.
const (
	RoleIn  Role = "in"
	RoleOut Role = "out"
	// RoleMerged: a duplicate within the duplicate window of an earlier
	// punch, kept for audit.
	RoleMerged Role = "merged"
	// RoleExtra: a punch of the shift between its in and out.
	RoleExtra Role = "extra"
	// RoleOutsideWindow: in no shift's punch window on a workday.
	RoleOutsideWindow Role = "outside_window"
	// RoleRejected: a manager rejected it (location, clock, verification).
	RoleRejected Role = "rejected"
)

// DayRecord is the engine's verdict on one employee-day, with every punch
// it considered and the reasons in English and Chinese. Field names are
// stable (stored records and the HTTP API use them).
//
// The records of one evaluation share what they have in common (a Shift,
// a list of Reasons): treat them as read-only, and copy before changing
// one. Appending to a record's slices never changes another record.
type DayRecord struct {
	EmployeeID string `json:"employee_id"`
	Date       Date   `json:"date"`
	// CycleStart is the first day of the attendance cycle the day is in.
	CycleStart Date    `json:"cycle_start"`
	DayType    DayType `json:"day_type"`
	// DayName is the holiday's or make-up workday's name.
	DayName       string     `json:"day_name,omitempty"`
	MakeupWorkday bool       `json:"makeup_workday,omitempty"`
	Shift         *ShiftInfo `json:"shift,omitempty"`
	Status        Status     `json:"status"`
	// Provisional: the day is not over at Now; the verdict may change.
	Provisional bool      `json:"provisional,omitempty"`
	In          *PunchUse `json:"in,omitempty"`
	Out         *PunchUse `json:"out,omitempty"`
	LateMin     int       `json:"late_min"`
	EarlyMin    int       `json:"early_min"`
	// WorkedMin is the time worked inside the shift (flexible: inside the
	// span), breaks excluded; on rest days and holidays, from first to last
	// punch.
	WorkedMin int `json:"worked_min"`
	// PresentMin is the time actually present: first in to last out less
	// the shift's breaks between them, as WeCom's daily report shows
	// beside the time inside the shift (0 without both punches). On rest
	// days and holidays it equals WorkedMin.
	PresentMin   int     `json:"present_min,omitempty"`
	OvertimeMin  int     `json:"overtime_min"`
	OvertimeType DayType `json:"overtime_type,omitempty"`
	// Punches are all punches attributed to the day, in time order, with
	// what the engine made of each.
	Punches   []PunchUse `json:"punches"`
	Anomalies []Anomaly  `json:"anomalies"`
	Reasons   []Reason   `json:"reasons"`
}

// ShiftInfo is the shift of a day as scheduled, with its real instants.
type ShiftInfo struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Start and End are the shift's instants in the day's zone (for a
	// flexible shift, its span).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// ScheduledMin is End minus Start minus breaks, from instants: a
	// 22:00 to 06:00 shift is 420 min on a spring-forward night.
	ScheduledMin int  `json:"scheduled_min"`
	Flexible     bool `json:"flexible,omitempty"`
	// Schedule is the weekly schedule or rotation the shift comes from and
	// Source how it was assigned: "override", "employee", "position",
	// "department" or "default".
	Schedule string `json:"schedule,omitempty"`
	Source   string `json:"source"`
}

// PunchUse is a punch (or approved correction) as the engine used it.
type PunchUse struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Method is "manual" for corrections.
	Method     attendance.Method `json:"method"`
	Role       Role              `json:"role"`
	MergedInto string            `json:"merged_into,omitempty"`
	// Correction marks an approved make-up punch.
	Correction     bool `json:"correction,omitempty"`
	ClockCorrected bool `json:"clock_corrected,omitempty"`
	// Location is the geofence verdict for checked methods; Fence or
	// Network say what matched.
	Location Verdict `json:"location,omitempty"`
	Fence    string  `json:"fence,omitempty"`
	Network  string  `json:"network,omitempty"`
	// Place is the place typed for a weak-GPS punch (Punch.Place).
	Place string `json:"place,omitempty"`
}

// Anomaly is one finding and the approval it needs.
type Anomaly struct {
	Code AnomalyCode `json:"code"`
	// Minutes quantifies late, early, short and overtime findings.
	Minutes  int          `json:"minutes,omitempty"`
	PunchID  string       `json:"punch_id,omitempty"`
	Approval ApprovalNeed `json:"approval"`
}

// ApprovalNeed says who must decide on an anomaly and where that stands.
type ApprovalNeed struct {
	// Kind is what is asked: "waiver" (excuse lateness, early leave or
	// absence), "makeup_punch" (the employee files a correction),
	// "location", "verification", "clock" or "overtime".
	Kind string `json:"kind"`
	// Approver is the role that decides ("direct_manager"); ApproverID the
	// person, when the organisation data names one.
	Approver   string        `json:"approver"`
	ApproverID string        `json:"approver_id,omitempty"`
	State      ApprovalState `json:"state"`
	ApprovalID string        `json:"approval_id,omitempty"`
}

// Reason is one plain-language explanation of a verdict.
type Reason struct {
	Code string `json:"code"`
	EN   string `json:"en"`
	ZH   string `json:"zh"`
}
