// Package store defines punchd's storage interface, the types it stores,
// and (in storetest) the one conformance suite every implementation passes.
//
// Implementations: package sqlite (embedded default) and package postgres,
// both built on the shared SQL code of package sqlstore.
//
// Raw punches are append-only: the interface has no way to edit or delete
// one. Business decisions (chain, duplicates, validation) are made by the
// caller's pure decide function inside the store's transaction, so every
// implementation applies the same rules.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"punchclock/app/attendance"
)

// Sentinel errors every implementation returns (possibly wrapped).
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrExpired  = errors.New("expired")
	// ErrInvalid: an argument holds text the store refuses before any
	// query (see wire.CheckText and wire.CheckID) or a number it cannot
	// hold (a seq above 2^63-1).
	ErrInvalid = errors.New("invalid input")
)

// Store is punchd's persistent state.
type Store interface {
	// Field staff's location trails (trail.go).
	Trails
	// Hardware attendance terminals (terminal.go).
	Terminals
	// The keys of NFC badge tokens (tagkeys.go).
	TagKeys
	// Organisation. Every Put bumps the global change version, which
	// Changes uses to send a kiosk only what changed.
	PutSite(ctx context.Context, s attendance.Site) (attendance.Site, error)
	PutDepartment(ctx context.Context, d attendance.Department) (attendance.Department, error)
	// DeleteDepartment deletes a department nothing refers to: no
	// sub-department, no employee (who left or not), no account.
	// ErrNotFound when there is none, ErrConflict when something does.
	DeleteDepartment(ctx context.Context, id string) error
	PutEmployee(ctx context.Context, e attendance.Employee) (attendance.Employee, error)
	// PutEmployees creates or replaces every employee of xs or none (an
	// import); a badge code an active employee outside xs holds is
	// ErrConflict.
	PutEmployees(ctx context.Context, xs []attendance.Employee) ([]attendance.Employee, error)
	Site(ctx context.Context, id string) (attendance.Site, error)
	Sites(ctx context.Context) ([]attendance.Site, error)
	Departments(ctx context.Context) ([]attendance.Department, error)
	Employee(ctx context.Context, id string) (attendance.Employee, error)
	// EmployeeByBadge finds the active employee with that badge code.
	EmployeeByBadge(ctx context.Context, code string) (attendance.Employee, error)
	// Employees lists employees, by id.
	Employees(ctx context.Context, f EmployeeFilter) ([]attendance.Employee, error)

	// PutRules stores a site's rule set document ("" site id: the default).
	PutRules(ctx context.Context, siteID string, doc json.RawMessage) (int64, error)
	// Rules returns a site's rule set and its version, or the default's
	// when the site has none; ErrNotFound when neither exists.
	Rules(ctx context.Context, siteID string) (json.RawMessage, int64, error)

	// Changes returns what changed after version since, and the newest
	// version (the kiosk's next cursor).
	Changes(ctx context.Context, since int64) (Changes, error)

	// Enrollment codes are stored by hash only.
	PutEnrollCode(ctx context.Context, c EnrollCode) error
	// Enroll consumes the code and stores the device in one transaction:
	// ErrNotFound for an unknown code, ErrConflict for a used one,
	// ErrExpired for one past its expiry.
	Enroll(ctx context.Context, codeHash string, d attendance.Device, now time.Time) (attendance.Device, error)
	Device(ctx context.Context, id string) (attendance.Device, error)
	Devices(ctx context.Context) ([]attendance.Device, error)
	// PutDeviceHealth keeps a device's last health report (its JSON) and
	// when it came.
	PutDeviceHealth(ctx context.Context, id string, health json.RawMessage, at time.Time) error
	// DeviceHealths returns every device's last health report.
	DeviceHealths(ctx context.Context) ([]DeviceHealth, error)
	RevokeDevice(ctx context.Context, id string) error
	// RenameDevice changes a device's name (what the fleet view shows);
	// ErrNotFound when there is none of that id.
	RenameDevice(ctx context.Context, id, name string) error

	// Ingest runs one batch of a device's punches in one transaction. It
	// locks the device, loads what decide needs about keys, calls decide
	// (pure), and writes its plan. Nothing is written when decide or any
	// write fails. The transaction may hold other devices' batches too
	// (group commit): Ingest returns once it committed, and a batch that
	// fails does not fail the others. decide may be called more than once.
	Ingest(ctx context.Context, deviceID string, keys IngestKeys, decide func(IngestView) (IngestPlan, error)) error
	// Punch returns one stored punch.
	Punch(ctx context.Context, id string) (StoredPunch, error)
	// Punches lists stored punches by true time, then id.
	Punches(ctx context.Context, f PunchFilter) ([]StoredPunch, error)
	// EachPunch is Punches handing the punches to fn one at a time as
	// they are read, without holding them; fn's first error stops it and
	// is returned. p is reused once fn returns.
	EachPunch(ctx context.Context, f PunchFilter, fn func(p *StoredPunch) error) error

	// API tokens are stored by hash only.
	PutToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken revokes the token id at at (ErrNotFound: no such token;
	// revoking twice keeps the first time).
	RevokeToken(ctx context.Context, id string, at time.Time) (Token, error)
	// TouchToken records that a token was used at at.
	TouchToken(ctx context.Context, hash string, at time.Time) error

	// DemoSeed returns the demo seed's progress marker; ErrNotFound when
	// no demo seed has begun on this store.
	DemoSeed(ctx context.Context) (DemoSeed, error)
	// Take takes a token from the rate-limit bucket key, which holds at
	// most burst tokens and gains one every every; false when it is
	// empty. Buckets live in the database: a restart keeps them, and
	// every punchd on the database shares them.
	Take(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (bool, error)
	// TakeWait is Take that, when the bucket is empty, says how long
	// until it holds a token again (0 when one was taken).
	TakeWait(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (time.Duration, error)
	// AppendAudit appends one entry to the audit chain in one
	// transaction: it reads the chain's head (the zero entry when the log
	// is empty), calls seal with it, which returns the new entry with
	// Seq, Prev and Hash filled (package audit), and inserts it. Appends
	// of every connection and every punchd on the database are
	// serialised: one that lost a race reads the new head and seals again.
	AppendAudit(ctx context.Context, seal func(head AuditEntry) (AuditEntry, error)) (AuditEntry, error)
	// AuditEntries lists the entries after seq after, in chain order, at
	// most limit of them (0: all).
	AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
	// PutUser creates or replaces an account (by ID); ErrConflict when
	// another account has its login. It bumps the change version: kiosks
	// pull their managers' PIN verifiers.
	PutUser(ctx context.Context, u User) (User, error)
	User(ctx context.Context, id string) (User, error)
	UserByLogin(ctx context.Context, login string) (User, error)
	Users(ctx context.Context) ([]User, error)
	// Sessions are stored by the hash of their secret.
	PutSession(ctx context.Context, s Session) error
	Session(ctx context.Context, hash string) (Session, error)
	// TouchSession records that a session was used at at.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	// DeleteSessions ends every session of a user and says how many.
	DeleteSessions(ctx context.Context, userID string) (int, error)
	// StartApproval stores a new approval request unless one with its id
	// exists; it returns the stored one and whether it is new.
	StartApproval(ctx context.Context, a ApprovalRow) (ApprovalRow, bool, error)
	Approval(ctx context.Context, id string) (ApprovalRow, error)
	// UpdateApproval reads request id locked, calls change with it and
	// stores what change returns, in one transaction: two decisions at
	// once are applied one after the other.
	UpdateApproval(ctx context.Context, id string, change func(ApprovalRow) (ApprovalRow, error)) (ApprovalRow, error)
	// Approvals lists requests by day, then id.
	Approvals(ctx context.Context, f ApprovalFilter) ([]ApprovalRow, error)
	// ApprovalSetting returns a setting's JSON; ErrNotFound when unset.
	ApprovalSetting(ctx context.Context, key string) (json.RawMessage, error)
	PutApprovalSetting(ctx context.Context, key string, v json.RawMessage) error
	// PutAttachment stores a flow's proof; Attachment reads one.
	PutAttachment(ctx context.Context, a Attachment) error
	Attachment(ctx context.Context, id string) (Attachment, error)
	// Change feed (package changefeed).
	// PunchesReceived lists the punches (of any status) received in
	// [from, to), by arrival then id.
	PunchesReceived(ctx context.Context, from, to time.Time) ([]Received, error)
	// ApprovalsChanged lists the approval requests started or changed
	// at change versions in (since, upto], by version; Version holds each
	// one's.
	ApprovalsChanged(ctx context.Context, since, upto int64) ([]ApprovalRow, error)
	// FeedHorizon is the start of the oldest transaction in flight on
	// the database (zero when none is or the database cannot tell): a
	// punch it is writing may have arrived as early as that.
	FeedHorizon(ctx context.Context) (time.Time, error)

	// Webhooks (package webhook).
	// PutWebhookEndpoint stores an endpoint, new or changed.
	PutWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	WebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error)
	// WebhookEndpoints lists the endpoints by id.
	WebhookEndpoints(ctx context.Context) ([]WebhookEndpoint, error)
	// DeleteWebhookEndpoint deletes an endpoint with its deliveries and
	// their log; with the last endpoint, the producer's place in the
	// feed (the next LeaseWebhookFeed starts afresh).
	DeleteWebhookEndpoint(ctx context.Context, id string) error
	// StartWebhookFeed starts the producer's feed at start, unless it
	// has started (so an endpoint made now receives what changes from
	// now, however late a producer first runs).
	StartWebhookFeed(ctx context.Context, start WebhookFeed) error
	// LeaseWebhookFeed makes owner the producer until until, unless
	// another holds an unexpired lease at now (false). A first lease
	// starts the feed at start.
	LeaseWebhookFeed(ctx context.Context, owner string, now, until time.Time, start WebhookFeed) (WebhookFeed, bool, error)
	// EnqueueWebhooks writes deliveries (those of an event an endpoint
	// already has are left alone) and moves the feed from from to to, in
	// one transaction; ErrConflict when owner no longer holds the lease
	// or the feed is no longer at from.
	EnqueueWebhooks(ctx context.Context, owner string, from, to WebhookFeed, ds []WebhookDelivery) error
	// ClaimWebhookDeliveries leases to owner until until up to limit
	// pending deliveries due at now whose lease has expired, by due
	// time; two owners never claim the same one.
	ClaimWebhookDeliveries(ctx context.Context, owner string, now, until time.Time, limit int) ([]WebhookDelivery, error)
	// FinishWebhookAttempt logs attempt a of a delivery owner holds and
	// sets its state, attempt count and next due time (d's), ending the
	// lease; ErrConflict when owner lost the lease.
	FinishWebhookAttempt(ctx context.Context, owner string, a WebhookAttempt, d WebhookDelivery) error
	// WebhookDelivery returns a delivery with its log.
	WebhookDelivery(ctx context.Context, id string) (WebhookDelivery, error)
	// WebhookDeliveries lists an endpoint's deliveries with their logs,
	// newest first, those made before before (zero: all), at most limit.
	WebhookDeliveries(ctx context.Context, endpointID string, before time.Time, limit int) ([]WebhookDelivery, error)
	// PruneWebhookDeliveries deletes the deliveries made before before
	// that are no longer pending, with their log, and says how many.
	PruneWebhookDeliveries(ctx context.Context, before time.Time) (int, error)
	// ReplayWebhookDelivery makes a delivery pending again, due at now,
	// with its attempt count reset and its log kept.
	ReplayWebhookDelivery(ctx context.Context, id string, now time.Time) (WebhookDelivery, error)

	// PutDemoSeed writes the demo seed's progress marker. It does not
	// bump the change version: kiosks have nothing to pull from it.
	PutDemoSeed(ctx context.Context, m DemoSeed) error
	// ExportJobs are the asynchronous exports.
	ExportJobs

	Close() error
}

// DemoSeed is the progress marker of the demo seed (package demo). The
// seed writes it before anything else and again, with Done, after
// everything else, so a store tells a finished demo from one a crash
// interrupted, and both from data the demo did not make.
type DemoSeed struct {
	// Anchor is the instant the demo's week of punches is laid out
	// before. The first attempt fixes it, so an attempt that finishes
	// the seed days later makes the very same punches.
	Anchor time.Time
	// Done is when the seed finished; zero while it is incomplete.
	Done time.Time
}

// DeviceHealth is a device's last health report ("" none) and when it
// came.
type DeviceHealth struct {
	DeviceID string
	Health   json.RawMessage
	At       time.Time
}

// AuditEntry is one entry of the hash-chained audit log (package audit
// makes and checks them; the store keeps them).
type AuditEntry struct {
	Seq int64
	At  time.Time
	// Actor is who acted: "token:NAME", "device:ID", "cli", ...
	Actor string
	// Action is what was done, e.g. "device.revoke" (package audit lists them).
	Action string
	// Target is what it was done to (a device id, a site id, ...).
	Target string
	// Unit is the business unit the act belongs to ("" company-wide): who
	// may read the entry.
	Unit string
	// Detail is the act's particulars as JSON (null when none).
	Detail json.RawMessage
	// Prev is the previous entry's Hash ("" for the first); Hash covers
	// every field above and Prev.
	Prev, Hash string
	// Ref, when set, is the act's own id from where it was reported: an
	// append with a Ref already recorded appends nothing and returns
	// that entry. It is not part of the hash.
	Ref string
}

// User is an account that signs in (package auth holds the roles).
type User struct {
	ID    string
	Login string
	Name  string
	// Role is one of auth's roles; Unit, DepartmentID and EmployeeID
	// scope it.
	Role         string
	Unit         string
	DepartmentID string
	EmployeeID   string
	// PasswordHash is an argon2id PHC string ("" : cannot sign in with a
	// password).
	PasswordHash string
	// PINHash is the kiosk PIN's verifier (auth.HashPIN), carried to the
	// kiosks of the person's site so they check it offline; "" none.
	PINHash   string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Session is a signed-in browser session.
type Session struct {
	// Hash is the SHA-256 of the cookie's secret; the secret is never stored.
	Hash   string
	UserID string
	// CSRF is the token a state-changing request must echo.
	CSRF      string
	Addr      string
	CreatedAt time.Time
	LastSeen  time.Time
	// ExpiresAt is the absolute end, however active the session.
	ExpiresAt time.Time
}

// ApprovalRow is a stored approval request: package approval's Request
// as JSON in Body, and the fields lists filter on.
type ApprovalRow struct {
	ID         string
	Kind       string
	EmployeeID string
	// Day is the business day (rules.Date) the request is about.
	Day        int32
	State      string
	WaitingFor string
	CreatedAt  time.Time
	ClosedAt   time.Time
	Body       json.RawMessage
	// Version is the change version of its last write (read only).
	Version int64
}

// Attachment is a proof attached to an approval flow.
type Attachment struct {
	ID          string
	FlowID      string
	ContentType string
	SHA256      string
	CreatedAt   time.Time
	Data        []byte
}

// ApprovalFilter selects approval requests; zero fields match all.
type ApprovalFilter struct {
	EmployeeIDs []string
	WaitingFor  string
	State       string
	Kind        string
	// FromDay and ToDay bound Day, both inclusive.
	FromDay, ToDay int32
	Limit          int
}

// EmployeeFilter selects employees; zero fields match all.
type EmployeeFilter struct {
	SiteID       string
	DepartmentID string
	// DepartmentIDs, when given, selects the employees of any of them.
	DepartmentIDs []string
	ActiveOnly    bool
	// AfterID and Limit page the answer in id order (byte by byte, as Go
	// compares strings): the employees after AfterID, at most Limit
	// (0: all).
	AfterID string
	Limit   int
}

// Changes is what a kiosk pull needs.
type Changes struct {
	Version     int64
	Sites       []attendance.Site
	Departments []attendance.Department
	Employees   []attendance.Employee
	// RulesChanged lists site ids ("" the default) whose rules changed.
	RulesChanged []string
	// DevicesRevoked lists devices revoked after since.
	DevicesRevoked []string
}

// EnrollCode is a one-time enrollment code for a kiosk at a site, or (with
// EmployeeID) for an employee's phone.
type EnrollCode struct {
	Hash       string
	SiteID     string
	EmployeeID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	CreatedBy  string
}

// Token is an API credential.
type Token struct {
	Hash string
	// ID names the token without its secret (the first 12 hex digits of
	// Hash unless given).
	ID   string
	Name string
	// Role is "admin", "integrator" or "face" (facematchd: employees and devices only).
	Role string
	// Scope lists, space-separated, the resources the token may use, each
	// as RESOURCE:read or RESOURCE:write (httpapi names them); empty, all
	// its role allows.
	Scope string
	// RatePerMin is how many requests a minute the token may make (0:
	// punchd's default).
	RatePerMin int
	CreatedAt  time.Time
	// ExpiresAt (zero: never), LastUsed (zero: never) and RevokedAt
	// (zero: not revoked).
	ExpiresAt, LastUsed, RevokedAt time.Time
}

// Punch statuses as stored.
const (
	PunchAccepted = "accepted"
	PunchRejected = "rejected"
)

// StoredPunch is a raw punch as received and judged at ingest.
type StoredPunch struct {
	attendance.Punch
	// Body and Sig are exactly what the device signed.
	Body []byte
	Sig  []byte
	// Hash is wire.HashBody(Body).
	Hash       string
	ReceivedAt time.Time
	// TrueTime is the server's estimate of when the punch happened.
	TrueTime time.Time
	// Status is PunchAccepted or PunchRejected (authentic but refused:
	// kept as evidence, never used for attendance).
	Status  string
	Code    string
	Message string
	Flags   []string
	// Addr is the client address the punch's batch came from (for the
	// rules' allowed networks; a punch queued offline may have been made
	// elsewhere than it was sent from).
	Addr string
}

// PunchFilter selects punches; zero fields match all. From is inclusive,
// To exclusive, on TrueTime.
type PunchFilter struct {
	EmployeeID string
	// EmployeeIDs, when given, selects the punches of any of them.
	EmployeeIDs []string
	DeviceID    string
	SiteID      string
	From, To    time.Time
	Status      string
	// AfterID pages: punches ordered after (TrueTime, ID) of this punch's
	// key, given as AfterTime and AfterID.
	AfterTime time.Time
	AfterID   string
	Limit     int
	// ByEmployee orders by employee id (byte by byte, as Go compares
	// strings), then true time and id.
	ByEmployee bool
	// NoEvidence leaves out Body and Sig (the punch is still read from
	// its body): for readers that show punches without their proof.
	NoEvidence bool
	// Lean hands out only what the rules engine reads of a punch: ID,
	// EmployeeID, SiteID, DeviceID, Method, Direction, Location, the typed
	// place of the evidence, TrueTime, Status, Flags and Addr (no body, signature, hash or device times).
	// The store may serve it from a digest of each employee's punches,
	// far quicker for a company. It needs ByEmployee, EmployeeIDs, From,
	// To and Status accepted, and no other filter.
	Lean bool
}

// IngestKeys names what a batch touches.
type IngestKeys struct {
	IDs []string
	// Seqs are the chain positions whose stored punch decide must see
	// (each punch's own and the one before it).
	Seqs []uint64
	// QR are the rotating-QR token uses of the batch's phone punches.
	QR []QRUse
}

// QRUse is one employee's use of one kiosk's rotating QR token. A token
// (kiosk, step) is single use per employee.
type QRUse struct {
	KioskID    string
	Step       int64
	EmployeeID string
	// PunchID is the punch that used it (in IngestView and IngestPlan).
	PunchID string
}

// Key is the use without its punch, for map lookups.
func (u QRUse) Key() QRUse { u.PunchID = ""; return u }

// Existing is what decide needs to know of a stored punch.
type Existing struct {
	ID      string
	Seq     uint64
	Hash    string
	Status  string
	Code    string
	Message string
	Flags   []string
}

// IngestView is the state decide sees, read inside the transaction.
type IngestView struct {
	Device attendance.Device
	// Version is the global change version (see Changes) as the
	// transaction sees it: a caller that judged punches against an older
	// roster can tell.
	Version int64
	ByID    map[string]Existing
	BySeq   map[uint64]Existing
	// UsedQR maps each already stored use of the keys' QR (by Key) to
	// the use with its punch id.
	UsedQR map[QRUse]QRUse
}

// IngestPlan is what decide wants written.
type IngestPlan struct {
	Insert []StoredPunch
	// QRUses are recorded with the punches.
	QRUses []QRUse
	// Device's clock offset and last-seen time are written back when
	// UpdateDevice is set. (Its chain head is its newest punch.)
	Device       attendance.Device
	UpdateDevice bool
}
