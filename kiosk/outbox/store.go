package outbox

import (
	"context"
	"errors"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// Store is the persistence the outbox needs. It is defined here, by its
// consumer, and kept small: memstore and idbstore implement it, and
// outboxtest.Run is the one conformance suite both pass.
//
// Every method is safe for concurrent use. Every write is atomic: it happens
// wholly or not at all, and once it returns nil it survives a reload of the
// page or a power cut (as far as the medium allows).
type Store interface {
	// Append adds e as a new entry and sets the chain position to chain, in
	// one atomic operation. It fails, changing nothing, if an entry with
	// e.ID or e.Seq already exists.
	Append(ctx context.Context, e Entry, chain wire.Chain) error
	// Chain returns the chain position last set by Append; the zero Chain
	// when nothing was ever appended.
	Chain(ctx context.Context) (wire.Chain, error)
	// List returns the entries that match f, in chain order (by Seq).
	List(ctx context.Context, f Filter) ([]Entry, error)
	// Mark settles entries as synced or rejected, all marks in one atomic
	// operation. It fails with ErrNotFound, changing nothing, if an id is
	// unknown, and with ErrInvalidMark if a mark's state is not
	// StateSynced or StateRejected.
	Mark(ctx context.Context, marks []Mark) error
	// Stats counts pending and rejected entries and gives the device time
	// of the first pending one in chain order (the one waiting longest).
	Stats(ctx context.Context) (Stats, error)
	// Prune deletes synced entries whose At is before before and returns
	// how many it deleted. Pending and rejected entries are never pruned.
	Prune(ctx context.Context, before time.Time) (int, error)
	// State returns the value last set for key, or an error wrapping
	// ErrNotFound.
	State(ctx context.Context, key string) ([]byte, error)
	// SetState sets the value of key. Values are opaque to the store.
	SetState(ctx context.Context, key string, value []byte) error
	// Close releases the store; later calls fail. Closing twice is allowed.
	Close() error
}

// State is where an entry is in its life.
type State string

// The entry states. StateAny only appears in a Filter.
const (
	StateAny      State = ""
	StatePending  State = "pending"  // recorded, not yet accepted by the server
	StateSynced   State = "synced"   // accepted (or known as a duplicate) by the server
	StateRejected State = "rejected" // refused by the server; parked for a manager
)

// Entry is one punch in the outbox.
type Entry struct {
	// ID is the punch's UUIDv7; Seq its position in the device chain.
	ID  string `json:"id"`
	Seq uint64 `json:"seq"`
	// At is the device's wall clock when the punch was recorded
	// (Punch.DeviceTime), in UTC.
	At time.Time `json:"at"`
	// Punch is the punch as signed; Signed its exact signed body.
	Punch  attendance.Punch `json:"punch"`
	Signed wire.SignedPunch `json:"signed"`
	State  State            `json:"state"`
	// SettledAt is the device time it was marked synced or rejected.
	SettledAt time.Time `json:"settled_at,omitzero"`
	// Code and Message say why the server rejected the punch.
	Code    wire.Code `json:"code,omitempty"`
	Message string    `json:"message,omitempty"`
	// Flags are the server's flags on the punch (wire.FlagClockSkew, ...).
	Flags []string `json:"flags,omitempty"`
}

// Filter selects entries for Store.List. Zero fields select everything.
type Filter struct {
	State State
	// Since keeps entries whose At is at or after it.
	Since time.Time
	// Limit caps the number of entries returned (the first in chain
	// order); 0 means no limit.
	Limit int
}

// Match reports whether e passes f's State and Since (not Limit); stores
// may use it to filter.
func (f Filter) Match(e *Entry) bool {
	return (f.State == StateAny || e.State == f.State) && !e.At.Before(f.Since)
}

// Mark settles one entry.
type Mark struct {
	ID    string
	State State // StateSynced or StateRejected
	At    time.Time
	// Code and Message explain a rejection.
	Code    wire.Code
	Message string
	Flags   []string
}

// Apply settles e as m says; stores may use it so they agree on the fields.
func (m Mark) Apply(e *Entry) {
	e.State = m.State
	e.SettledAt = m.At.Round(0).UTC()
	e.Code, e.Message = m.Code, m.Message
	e.Flags = append([]string(nil), m.Flags...)
}

// Stats is what the status strip shows about the queue.
type Stats struct {
	Pending  int
	Rejected int
	// OldestPending is the At of the first pending entry in chain order;
	// zero when nothing is pending.
	OldestPending time.Time
}

// Store errors. Implementations wrap them so errors.Is works.
var (
	// ErrNotFound reports an unknown entry id or state key.
	ErrNotFound = errors.New("outbox: not found")
	// ErrExists reports an Append of an id or sequence number already stored.
	ErrExists = errors.New("outbox: entry exists")
	// ErrInvalidMark reports a Mark to a state other than synced or rejected.
	ErrInvalidMark = errors.New("outbox: invalid mark")
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("outbox: store closed")
	// ErrQuota reports that the browser refused to store more data; the
	// kiosk must show it, since punches can no longer be kept.
	ErrQuota = errors.New("outbox: storage quota exceeded")
)
