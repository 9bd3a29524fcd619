// Package zkpull collects attendance records from ZKTeco terminals that speak
// the older pull protocol on TCP port 4370 (the "standalone SDK" protocol;
// see package zkproto for the wire format). Terminals that can PUSH to
// punchd's iclock endpoint should; this is for the ones on a LAN that
// cannot, which must be asked.
//
// The protocol has no "records since" query that all firmware answers, so
// each poll reads the whole attendance log (a 100,000-record log is 4 MB in
// chunks of 64 KB) and keeps what is new: a Cursor remembers how many records
// were seen and the raw bytes of the last one. When the log was cleared or
// rewritten on the terminal (the last seen record is not where it was), the
// whole log is handed on again.
//
// # The contract with punchd
//
// A Poller calls its Sink with the address it polled, the terminal's
// serial number (read from the terminal, "~SerialNumber") and the new
// records of one poll, oldest first:
//
//		func(ctx context.Context, addr, serial string, recs []Record) error
//
//	  - The sink must be idempotent on (serial, PIN, Time): a poll whose sink
//	    failed is handed on again whole at the next poll, and so is a log that
//	    was cleared or rewritten. punchd's terminal registry deduplicates by
//	    that key already for PUSH terminals.
//	  - Record.Time is the terminal's naive wall-clock time (carried in
//	    time.UTC); the sink places it in the zone of the site the terminal is
//	    registered to, as for PUSH records. Verify and State are the raw codes
//	    (Verify becomes the punch's method, as for ATTLOG's verify field).
//	  - The sink decides whether the serial is registered and accepted; the
//	    Poller only knows addresses. Returning an error keeps the records for
//	    the next poll; an unknown serial should be listed for an admin and
//	    answered nil if the records are not to be kept pending.
//	  - Poller.OnTime, when set, hears the terminal's clock at each poll, for
//	    the registry to flag a terminal whose clock is wrong (it knows the
//	    site's zone; the collector does not).
//	  - Cursors live in memory: after a restart the first poll of each
//	    terminal hands on its whole log (a caller that stores Poller.Cursors seeds
//	    them again with SetCursor).
//
// A record maps onto package terminal's ATTLOG record field for field:
// terminal.Record{PIN: r.PIN, Local: r.Time.Format(terminal.LocalLayout),
// Wall: r.Time, Status: int(r.State), Verify: int(r.Verify)}, so a sink can
// store it the way the PUSH path does, under terminal.PunchID(serial, PIN,
// local time), which makes a record handed on twice one punch.
//
// What the collector does not do: write to terminals (users, clock, clearing
// the log), use the comm-key password (CMD_AUTH), UDP, or real-time events
// (CMD_REG_EVENT).
package zkpull

import (
	"bytes"
	"time"

	"punchclock/server/internal/zkpull/zkproto"
)

// Record is one attendance record read from a terminal.
type Record struct {
	Serial string    // the terminal's serial number
	PIN    string    // the user id on the terminal
	Time   time.Time // naive local time of the terminal, in time.UTC
	Verify uint8     // verify mode: 0 password, 1 fingerprint, 2 card, 15 face, ...
	State  uint8     // in/out state key: 0 check-in, 1 check-out, ...
	Raw    []byte    // the record's bytes as the terminal sent them
}

// Cursor is how far a terminal's log has been handed on.
type Cursor struct {
	Seen int    // records handed on
	Last []byte // raw bytes of the last of them
}

// Fresh returns the records of log after cur and the cursor after them. A log
// that no longer holds cur's last record where it was (cleared, rewritten or
// shorter) is fresh whole.
func Fresh(log []zkproto.Attendance, cur Cursor) ([]zkproto.Attendance, Cursor) {
	from := 0
	if cur.Seen > 0 && cur.Seen <= len(log) && bytes.Equal(log[cur.Seen-1].Raw, cur.Last) {
		from = cur.Seen
	}
	next := cur
	if len(log) > 0 {
		next = Cursor{Seen: len(log), Last: append([]byte(nil), log[len(log)-1].Raw...)}
	} else {
		next = Cursor{}
	}
	return log[from:], next
}

// records turns a terminal's attendance into Records.
func records(serial string, log []zkproto.Attendance) []Record {
	out := make([]Record, len(log))
	for i, a := range log {
		out[i] = Record{Serial: serial, PIN: a.PIN, Time: a.Time, Verify: a.Verify, State: a.State, Raw: a.Raw}
	}
	return out
}
