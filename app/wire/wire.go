// Package wire holds the JSON types that cross the network between kiosks,
// phones, integrators and punchd, the stable error codes, and the protocol
// version history.
//
// Everything here builds for linux and js/wasm and uses the standard library
// only. Types are only ever extended: a field once shipped keeps its name and
// meaning, because kiosks may stay offline on an old app.wasm for days.
package wire

import (
	"encoding/json"
	"time"

	"punchclock/app/attendance"
)

// ProtocolVersion is the version this build speaks. MinProtocolVersion is
// the oldest the server still accepts.
const (
	ProtocolVersion    = 3
	MinProtocolVersion = 1
)

// VersionNote records what a protocol version changed.
type VersionNote struct {
	Version int
	Date    string // YYYY-MM-DD
	Change  string
}

// History is the dated protocol version history, oldest first. A change
// that every client of a version already satisfies, or may ignore (a new
// flag), is noted under that version with its own date.
var History = []VersionNote{
	{1, "2026-11-22", "first protocol: enrollment by one-time code, Ed25519-signed and hash-chained punch batches, pull of roster, rules and revocations by cursor"},
	{1, "2026-12-01", "compatible: a kiosk's pull carries its site's employees and those with no home site only; a partial pull lists in removed the employees a change took out of the site (older kiosks ignore it and keep them)"},
	{1, "2026-12-01", "flag est_time_mismatch; sent_at required in a batch; invalid: text that is not UTF-8 or holds NUL (control characters in ids), a duplicated JSON key, seq above 2^63-1"},
	{2, "2026-12-01", "kiosks report their health, signed, after a sync at most once a minute (POST /api/v1/device/health, Health): app version, punches waiting and the oldest, clock offset, face service reachable, storage persisted and its use, camera; the server keeps the last report for the fleet view. Protocol 1 kiosks are still served"},
	{2, "2026-12-02", "compatible: the site in an enrollment, an activation and a pull carries zone_rules, its zone's rules as TZif data (attendance.ZoneRules), as a browser has no zone database; older kiosks ignore it and keep their embedded one"},
	{2, "2026-12-02", "compatible: phones punch by GPS too (method gps, with location, or the place typed on the weak-GPS route in evidence.place, and an optional evidence.photo, a base64 JPEG of at most 24 KiB); phones report location points, signed, to POST /api/v1/user/location (LocationReport); older phones never send them"},
	{3, "2026-12-02", "punch methods fingerprint and card (a hardware terminal's fingerprint match and card read) and evidence.terminal (the terminal's raw record: serial, PIN, local time, status and verify codes); the server writes them for terminal punches (a device's punch claiming them is invalid), and mixed verification accepts them. Protocol 1 and 2 kiosks are still served: they never send these methods"},
	{3, "2026-12-02", "compatible: kiosks punch by NFC (method nfc) with evidence.nfc_serial, the tag's serial number in upper-case hex, and evidence.nfc_tag, the signed badge token a punchclock tag carries (app/nfctag), which the server checks; a card known by its serial alone is looked up as a badge code (evidence.badge_code, employee_id may then be empty). A kiosk's pull carries tag_keys, the public keys of those tokens; older kiosks ignore them"},
}

// Health is what a kiosk reports of itself (protocol 2): the fleet view
// shows it next to when the kiosk last synced.
type Health struct {
	Protocol   int    `json:"protocol"`
	AppVersion string `json:"app_version"`
	// Pending is how many punches wait to be sent; OldestPending the
	// device time of the oldest (zero: none).
	Pending       int       `json:"pending"`
	OldestPending time.Time `json:"oldest_pending,omitzero"`
	// OffsetMS is the clock offset the kiosk applies (server minus device).
	OffsetMS int64 `json:"offset_ms"`
	// Face is the face service as the kiosk sees it: "none" (the site has
	// none), "ready", "unreachable".
	Face string `json:"face"`
	// StoragePersisted: the browser will not evict the kiosk's queue;
	// StorageUsage and StorageQuota in bytes (0: unknown).
	StoragePersisted bool  `json:"storage_persisted"`
	StorageUsage     int64 `json:"storage_usage,omitempty"`
	StorageQuota     int64 `json:"storage_quota,omitempty"`
	// Camera: "ok", "denied", "missing", "error".
	Camera string `json:"camera"`
	// At is the kiosk's corrected clock when it made the report.
	At time.Time `json:"at"`
}

// HealthFaces and HealthCameras are Health's Face and Camera values.
var (
	HealthFaces   = []string{"none", "ready", "unreachable"}
	HealthCameras = []string{"ok", "denied", "missing", "error"}
)

// EnrollQueryParam is the query parameter of the kiosk page's URL
// (<origin>/?enroll=CODE) that fills its enrollment form with a one-time
// code: the console shows that URL as a QR code for the tablet.
const EnrollQueryParam = "enroll"

// EnrollRequest registers a kiosk with a one-time code from an admin.
type EnrollRequest struct {
	Protocol int    `json:"protocol"`
	Code     string `json:"code"`
	// PublicKey is the kiosk's Ed25519 public key (32 bytes, base64 in JSON).
	PublicKey []byte `json:"public_key"`
	Name      string `json:"name,omitempty"`
	// DeviceTime is the kiosk's wall clock when it sent the request.
	DeviceTime time.Time `json:"device_time"`
}

// EnrollResponse gives the kiosk its identity and first configuration.
type EnrollResponse struct {
	Protocol int             `json:"protocol"`
	DeviceID string          `json:"device_id"`
	Site     attendance.Site `json:"site"`
	// QRSecret is the HMAC key of the kiosk's rotating QR (base64 in JSON).
	QRSecret   []byte       `json:"qr_secret"`
	ServerTime time.Time    `json:"server_time"`
	Pull       PullResponse `json:"pull"`
	// Employee is the owner of an activated phone (absent for a kiosk).
	Employee *attendance.Employee `json:"employee,omitempty"`
}

// SignedPunch is a punch as the device signed it. Body is the exact JSON of
// an attendance.Punch; Sig is the Ed25519 signature of Body. The server
// verifies and stores Body byte for byte, so a later field added to Punch
// never breaks an older kiosk's signature.
type SignedPunch struct {
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

// BatchRequest uploads punches from one device, in chain order.
type BatchRequest struct {
	Protocol int    `json:"protocol"`
	DeviceID string `json:"device_id"`
	// SentAt is the device's wall clock when it sent the batch; the server
	// measures the device's clock offset from it and checks each punch's
	// est_time against that offset. Required.
	SentAt  time.Time     `json:"sent_at"`
	Punches []SignedPunch `json:"punches"`
}

// MaxBatch is the most punches one batch may carry.
const MaxBatch = 500

// Punch result statuses.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"
)

// Punch flags the server may attach.
const (
	FlagClockSkew      = "clock_skew"      // device clock off by more than 2 min
	FlagClockEstimated = "clock_estimated" // device did not know its offset; corrected at upload
	FlagChainGap       = "chain_gap"       // an earlier punch of the chain never arrived
	FlagUnknownBadge   = "unknown_badge"   // badge code matched no employee when stored
	FlagFaceUnverified = "face_unverified" // face punch accepted without checking the face service's sealed verdict (no key configured)
	// FlagEstTimeMismatch: the punch's est_time disagreed by more than
	// attendance.EstTolerance with its device_time corrected by the offset
	// measured on its batch; the server used the latter (or est_time,
	// flagged, when only est_time was plausible).
	FlagEstTimeMismatch = "est_time_mismatch"
)

// PunchResult is the server's answer for one punch of a batch.
type PunchResult struct {
	ID     string `json:"id"`
	Seq    uint64 `json:"seq,omitempty"`
	Status string `json:"status"`
	// Code and Message explain a rejection.
	Code    Code     `json:"code,omitempty"`
	Message string   `json:"message,omitempty"`
	Flags   []string `json:"flags,omitempty"`
}

// BatchResponse answers a BatchRequest, one result per punch, in order.
type BatchResponse struct {
	Protocol   int           `json:"protocol"`
	ServerTime time.Time     `json:"server_time"`
	OffsetMS   int64         `json:"offset_ms"`
	Results    []PunchResult `json:"results"`
}

// PullResponse carries what changed since the kiosk's cursor. When Full is
// true the lists are complete and replace the kiosk's copy; otherwise they
// are the changed items only (an inactive employee is a revocation).
type PullResponse struct {
	Protocol    int                     `json:"protocol"`
	Cursor      string                  `json:"cursor"`
	Full        bool                    `json:"full"`
	ServerTime  time.Time               `json:"server_time"`
	Site        *attendance.Site        `json:"site,omitempty"`
	Departments []attendance.Department `json:"departments,omitempty"`
	Employees   []attendance.Employee   `json:"employees,omitempty"`
	// Removed lists employees a kiosk must drop from its roster: in a
	// partial answer, those whose change took them out of the kiosk's
	// site (a kiosk carries its site's employees and those with no home
	// site). Ids only; a kiosk that never had them ignores them.
	Removed []string `json:"removed,omitempty"`
	// Rules is the site's rule set (app/rules format) when it changed.
	Rules json.RawMessage `json:"rules,omitempty"`
	// DeviceRevoked tells a kiosk it must stop and be enrolled again.
	DeviceRevoked bool `json:"device_revoked,omitempty"`
	// Managers, in every answer to a kiosk (null to a phone), are the
	// people of the kiosk's roster who may sign in on it with their badge
	// and PIN, with their PIN's verifier (app/pin): the whole list, which
	// replaces the kiosk's.
	Managers []KioskManager `json:"managers"`
	// Flows, in every answer to a kiosk (null to a phone), are the
	// approval flows waiting for one of its managers: the whole list,
	// which replaces the kiosk's.
	Flows []KioskFlow `json:"flows"`
	// TagKeys, in every answer to a kiosk, are the server's NFC tag keys
	// (Ed25519 public keys, base64): a kiosk checks the signed badge
	// tokens of NFC tags with them, offline (package nfctag).
	TagKeys []string `json:"tag_keys,omitempty"`
}

// KioskFlow is an approval flow waiting for a manager a kiosk signs in.
type KioskFlow struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	EmployeeID string    `json:"employee_id"`
	Date       string    `json:"date"`
	Time       time.Time `json:"time,omitzero"`
	Direction  string    `json:"direction,omitempty"`
	Minutes    int       `json:"minutes,omitempty"`
	Reason     string    `json:"reason"`
	WaitingFor string    `json:"waiting_for"`
	Level      int       `json:"level"`
	// Auto marks a flow punchd started by itself (a punch outside the
	// geofence, a weak fix): its Reason is the server's English, and
	// the kiosk says it by Kind in the manager's language instead.
	Auto bool `json:"auto,omitempty"`
}

// KioskDecision is a manager's decision made on a kiosk, offline or not,
// sent signed by the kiosk (POST /api/v1/device/decisions): the kiosk
// vouches that By signed in with their badge and PIN.
type KioskDecision struct {
	// ID is the decision's UUIDv7: sent twice, applied once.
	ID      string    `json:"id"`
	FlowID  string    `json:"flow_id"`
	By      string    `json:"by"`
	Approve bool      `json:"approve"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

// DecisionResult answers one KioskDecision: "accepted" (applied now or
// before), "conflict" (the flow was closed first, State says how) or
// "refused" (Code and Message say why).
type DecisionResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	State   string `json:"state,omitempty"`
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// KioskManager is a manager or HR person a kiosk lets sign in offline.
type KioskManager struct {
	EmployeeID string `json:"employee_id"`
	// Role is auth's: "manager" or "hr".
	Role string `json:"role"`
	// DepartmentID is the root of what they review (a manager's
	// department, HR's unit; "*" every department).
	DepartmentID string `json:"department_id"`
	PINHash      string `json:"pin_hash"`
}

// ErrorBody is the JSON envelope of every error answer.
type ErrorBody struct {
	Error struct {
		Code    Code   `json:"code"`
		Message string `json:"message"`
		// Fields, on an invalid answer, say which fields are wrong and
		// how, by stable code (attendance.FieldProblem).
		Fields []attendance.FieldProblem `json:"fields,omitempty"`
	} `json:"error"`
	// ServerTime is set on a stale answer: the device re-signs with it.
	ServerTime time.Time `json:"server_time,omitzero"`
}

// ImportReport is the answer of POST /api/v1/employees/import: the rows
// read, every problem (each row's, by line and field; a file's own on
// line 0) and what was written: nothing on a dry run, nothing when any
// row has a problem. Notes block nothing (columns ignored).
type ImportReport struct {
	DryRun   bool            `json:"dry_run"`
	Rows     int             `json:"rows"`
	Valid    int             `json:"valid"`
	New      int             `json:"new"`
	Changed  int             `json:"changed"`
	Written  int             `json:"written"`
	Problems []ImportProblem `json:"problems"`
	Notes    []ImportProblem `json:"notes"`
}

// ImportProblem is one problem of an import: the file's line (0: the
// file itself), the field, what is wrong by stable code (orgimport's
// Code* and attendance's Problem* codes), which a page says in its
// reader's language, and in English for API users.
type ImportProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}
