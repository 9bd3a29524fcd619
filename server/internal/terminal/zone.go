package terminal

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Where a terminal's naive local time falls in its zone.
const (
	// Exact: the local time happened once.
	Exact = iota
	// Ambiguous: the local time happened twice (the hour the clocks go
	// back); the first is taken.
	Ambiguous
	// Skipped: the local time never happened (the hour the clocks go
	// forward); it is read with the offset in force before the jump, as a
	// terminal whose clock had not jumped yet would mean it.
	Skipped
)

// Instant reads the civil time wall (its location is ignored) in loc.
//
// The rule, for the two hours a year where a wall time is not one instant:
// an ambiguous time (autumn, clocks back: 02:30 in Berlin happens at 00:30
// and at 01:30 UTC) is the first of its two instants, since a terminal
// that uploads in real time sends the second one an hour after the
// first and both read alike; a skipped time (spring, clocks forward:
// 02:30 in Berlin never happens) is read with the offset before the jump
// (02:30 CET = 01:30 UTC = 03:30 CEST), which is what a terminal whose
// clock has not yet jumped means by it. Both are flagged on the punch
// (terminal_time_ambiguous, terminal_time_skipped).
func Instant(wall time.Time, loc *time.Location) (time.Time, int) {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	naive := time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	// The offsets in force around it: a day either side covers every
	// transition (none is closer than that to another).
	_, before := naive.Add(-24 * time.Hour).In(loc).Zone()
	_, after := naive.Add(24 * time.Hour).In(loc).Zone()
	var found []time.Time
	for _, off := range []int{before, after} {
		t := naive.Add(-time.Duration(off) * time.Second)
		if lt := t.In(loc); lt.Year() == y && lt.Month() == mo && lt.Day() == d && lt.Hour() == h && lt.Minute() == mi && lt.Second() == s {
			if len(found) == 0 || !found[0].Equal(t) {
				found = append(found, t)
			}
		}
	}
	switch len(found) {
	case 0:
		return naive.Add(-time.Duration(before) * time.Second), Skipped
	case 1:
		return found[0], Exact
	}
	if found[1].Before(found[0]) {
		found[0] = found[1]
	}
	return found[0], Ambiguous
}

// PunchID is the id of a terminal's record: a UUIDv7 whose time field is
// the record's naive local time read as UTC and whose other bits are
// SHA-256 of (serial, PIN, local time), so the same record sent again is
// the same punch (whatever zone the terminal is bound to by then) and a
// re-sent batch stores nothing twice.
func PunchID(serial, pin, local string, wall time.Time) string {
	sum := sha256.Sum256([]byte("punchclock terminal record\x00" + serial + "\x00" + pin + "\x00" + local))
	var u [16]byte
	copy(u[6:], sum[:10])
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	ms := uint64(time.Date(y, mo, d, h, mi, sec, 0, time.UTC).UnixMilli())
	binary.BigEndian.PutUint16(u[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(u[2:6], uint32(ms))
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 9562 variant
	x := hex.EncodeToString(u[:])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// punchSeq is the chain position a terminal's punch takes in the punches
// table (unique per device): from the same hash, below 2^63.
func punchSeq(id string) uint64 {
	h := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(h[:8])>>1 | 1
}
