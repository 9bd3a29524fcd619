package store

import (
	"context"
	"time"
)

// Terminal states.
const (
	// TerminalPending: the serial called and no admin has accepted it;
	// nothing of its records is stored.
	TerminalPending = "pending"
	// TerminalActive: registered, bound to a site and a zone.
	TerminalActive = "active"
)

// Terminal is a hardware attendance terminal (package terminal), known
// by its serial number.
type Terminal struct {
	Serial string `json:"serial"`
	Name   string `json:"name"`
	SiteID string `json:"site_id"`
	// Zone is the IANA zone the terminal's naive local times are read
	// in ("" is its site's).
	Zone  string `json:"zone,omitempty"`
	State string `json:"state"`
	// The stamps are what the terminal last uploaded of its attendance
	// log, operation log and attendance photos; its handshake gets them
	// back so it resumes after them.
	ATTLogStamp  string `json:"attlog_stamp"`
	OperLogStamp string `json:"operlog_stamp"`
	PhotoStamp   string `json:"photo_stamp"`
	// OffsetMS is its clock as last measured (server minus terminal) and
	// ClockAt when (zero: never).
	OffsetMS  int64     `json:"offset_ms"`
	ClockAt   time.Time `json:"clock_at,omitzero"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	SeenAt    time.Time `json:"seen_at,omitzero"`
	// Addr is the address it last called from, Info what it last said of
	// itself (push version, firmware).
	Addr string `json:"addr,omitempty"`
	Info string `json:"info,omitempty"`
	// RosterVersion is the change version (Changes) of the roster last
	// queued for it.
	RosterVersion int64 `json:"roster_version"`
	// PullAddr, for a terminal that cannot push, is the address
	// ("host:port", port 4370 as a rule) punchd polls it at with the older
	// pull protocol (package zkpull); "" for one that pushes.
	PullAddr string `json:"pull_addr,omitempty"`
}

// TerminalCommand is one command of a terminal's queue.
type TerminalCommand struct {
	ID        int64     `json:"id"`
	Serial    string    `json:"serial"`
	Command   string    `json:"command"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	DoneAt    time.Time `json:"done_at,omitzero"`
	// Return is the terminal's return code (0 done, negative an error)
	// once it answered (Done).
	Done   bool   `json:"done"`
	Return int64  `json:"return"`
	Result string `json:"result,omitempty"`
}

// TerminalUser is a user (PIN and name) as a terminal holds it.
type TerminalUser struct {
	PIN  string `json:"pin"`
	Name string `json:"name"`
}

// TerminalRoster is a change of the roster a terminal holds, queued as
// its commands in one transaction.
type TerminalRoster struct {
	// From and To: the change applies only while the terminal's roster
	// version is From (another server queued it otherwise), and sets it
	// to To.
	From, To int64
	Put      []TerminalUser
	Delete   []string
	Commands []string
}

// Terminals is the storage of hardware terminals.
type Terminals interface {
	// SeeTerminal records a call of the terminal serial at at from addr
	// (info, when not "", is what it said of itself): a serial never
	// seen is stored pending. It returns the terminal.
	SeeTerminal(ctx context.Context, serial string, at time.Time, addr, info string) (Terminal, error)
	// PutTerminal registers a terminal (accepting a pending one) or
	// changes its name, site or zone; State is set active.
	PutTerminal(ctx context.Context, t Terminal) (Terminal, error)
	Terminal(ctx context.Context, serial string) (Terminal, error)
	// Terminals lists them by serial.
	Terminals(ctx context.Context) ([]Terminal, error)
	// DeleteTerminal forgets a terminal with its queue and roster (its
	// punches stay); ErrNotFound when there is none.
	DeleteTerminal(ctx context.Context, serial string) error
	// TerminalPunches stores a terminal's punches whose id is not stored
	// yet and sets the stamp of table ("ATTLOG", "OPERLOG", "ATTPHOTO")
	// to stamp (when not ""), in one transaction; it says how many it
	// stored.
	TerminalPunches(ctx context.Context, serial string, ps []StoredPunch, table, stamp string) (int, error)
	// SetTerminalClock records a measure of its clock.
	SetTerminalClock(ctx context.Context, serial string, offsetMS int64, at time.Time) error
	// TerminalUsers lists the users its queue gave it, by PIN.
	TerminalUsers(ctx context.Context, serial string) ([]TerminalUser, error)
	// QueueTerminalRoster applies a roster change (see TerminalRoster)
	// and queues its commands at now; false when its version was no
	// longer From.
	QueueTerminalRoster(ctx context.Context, serial string, r TerminalRoster, now time.Time) (bool, error)
	// QueueTerminalCommand queues one command.
	QueueTerminalCommand(ctx context.Context, serial, command string, now time.Time) (TerminalCommand, error)
	// NextTerminalCommands hands out up to limit commands of its queue
	// that have no result and were never sent or sent before resend, in
	// order, marking them sent at now.
	NextTerminalCommands(ctx context.Context, serial string, now, resend time.Time, limit int) ([]TerminalCommand, error)
	// FinishTerminalCommand records a command's result; ErrNotFound when
	// the terminal has no such command.
	FinishTerminalCommand(ctx context.Context, serial string, id, ret int64, result string, at time.Time) error
	// ForgetTerminalUser takes a user off the roster a terminal is held
	// to have (it refused the user): the next change of its site's roster
	// sends the user again.
	ForgetTerminalUser(ctx context.Context, serial, pin string) error
	// TerminalCommands lists its newest commands first, at most limit.
	TerminalCommands(ctx context.Context, serial string, limit int) ([]TerminalCommand, error)
}
