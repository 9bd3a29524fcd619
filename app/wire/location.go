package wire

import (
	"time"

	"punchclock/app/attendance"
)

// Field staff location reports (POST /api/v1/user/location): an activated
// phone sends the fixes it took, batched and signed like its other
// requests (SignRequest), queued on the phone while it is offline. The
// server judges each point's time from its device_time and the clock
// offset it measures on the report (sent_at), as it does for punches,
// places it against the employee's site's geofences, and keeps it as the
// employee's trail (GET /api/v1/user/location).

// PathUserLocation is the location report endpoint.
const PathUserLocation = "/api/v1/user/location"

// MaxLocationBatch is the most points one report may carry.
const MaxLocationBatch = 500

// LocationPoint is one position fix of a field employee's phone.
type LocationPoint struct {
	// ID is the phone's UUIDv7 of the point: a resent report stores it once.
	ID string `json:"id"`
	// DeviceTime is the phone's wall clock when it took the fix; EstTime
	// its estimate of the server's time then (zero when it knew no
	// offset), as a punch's.
	DeviceTime time.Time           `json:"device_time"`
	EstTime    time.Time           `json:"est_time,omitzero"`
	Location   attendance.Location `json:"location"`
}

// LocationReport is a batch of points from one phone.
type LocationReport struct {
	Protocol int    `json:"protocol"`
	DeviceID string `json:"device_id"`
	// SentAt is the phone's wall clock when it sent the report: the server
	// measures the phone's clock offset from it. Required.
	SentAt time.Time       `json:"sent_at"`
	Points []LocationPoint `json:"points"`
}

// LocationResult is the server's answer for one point: accepted,
// duplicate or rejected (Code and Message say why), and where it lies.
type LocationResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// At is the point's time as the server holds it.
	At time.Time `json:"at,omitzero"`
	// Verdict is "inside", "outside" or "uncertain" (rules.Verdict) of
	// the employee's site's fences, "" when the site has none; Fence
	// names the fence of an inside or uncertain verdict.
	Verdict string `json:"verdict,omitempty"`
	Fence   string `json:"fence,omitempty"`
}

// LocationResponse answers a LocationReport, one result per point, in order.
type LocationResponse struct {
	Protocol   int              `json:"protocol"`
	ServerTime time.Time        `json:"server_time"`
	OffsetMS   int64            `json:"offset_ms"`
	Results    []LocationResult `json:"results"`
}

// TrailPoint is a stored point of an employee's trail.
type TrailPoint struct {
	ID       string              `json:"id"`
	DeviceID string              `json:"device_id"`
	At       time.Time           `json:"at"`
	Location attendance.Location `json:"location"`
	Verdict  string              `json:"verdict,omitempty"`
	Fence    string              `json:"fence,omitempty"`
}

// Trail is an employee's points over a time range (GET
// /api/v1/user/location), oldest first, with the site and its fences to
// draw them on.
type Trail struct {
	EmployeeID string             `json:"employee_id"`
	From       time.Time          `json:"from"`
	To         time.Time          `json:"to"`
	Site       *attendance.Site   `json:"site,omitempty"`
	Fences     []attendance.Fence `json:"fences"`
	Points     []TrailPoint       `json:"points"`
	// Truncated: the range holds more than MaxTrail points; the first
	// MaxTrail are given.
	Truncated bool `json:"truncated,omitempty"`
}

// MaxTrail is the most points one trail answer holds.
const MaxTrail = 10000
