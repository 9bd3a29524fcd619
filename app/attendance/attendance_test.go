package attendance_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"punchclock/app/attendance"
)

// now is the server's clock in these tests: a fixed instant, so the
// expectations hold at any hour and in any zone.
var now = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

func TestTiming(t *testing.T) {
	const h = time.Hour
	tests := []struct {
		name   string
		device time.Time     // the punch's device_time
		est    time.Time     // its est_time (zero: the device knew no offset)
		offset time.Duration // offset measured on the batch (server minus device)
		want   time.Time
		flags  string // E estimated, M mismatch, S skewed
	}{
		{"clock right, est agrees", now.Add(-time.Minute), now.Add(-time.Minute), 0, now.Add(-time.Minute), ""},
		{"small disagreement is trusted", now.Add(-time.Minute), now.Add(-time.Minute + 90*time.Second), 0, now.Add(-time.Minute + 90*time.Second), ""},
		{"just within the tolerance", now.Add(-time.Minute), now.Add(-time.Minute - attendance.EstTolerance), 0, now.Add(-time.Minute - attendance.EstTolerance), ""},
		{"clock an hour slow, est right", now.Add(-h - time.Minute), now.Add(-time.Minute), h, now.Add(-time.Minute), "S"},
		{"no offset known: estimated", now.Add(-h - 5*time.Minute), time.Time{}, h, now.Add(-5 * time.Minute), "ES"},
		{"no offset known, clock right", now.Add(-time.Minute), time.Time{}, 0, now.Add(-time.Minute), "E"},
		{"est 26 h in the past", now.Add(-time.Minute), now.Add(-26*h - time.Minute), 0, now.Add(-time.Minute), "M"},
		{"est 3 h ahead", now.Add(-time.Minute), now.Add(3*h - time.Minute), 0, now.Add(-time.Minute), "M"},
		{"est forgot the hour the clock is slow", now.Add(-h - time.Minute), now.Add(-h - time.Minute), h, now.Add(-time.Minute), "MS"},
		{"just past the tolerance", now.Add(-time.Minute), now.Add(-time.Minute - attendance.EstTolerance - time.Millisecond), 0, now.Add(-time.Minute), "M"},
		// The wall clock jumped 3 h back between the punch and the upload:
		// the measured offset then puts the punch 3 h in the future, and
		// est_time, kept on the monotonic clock, is the only plausible time.
		{"only est plausible", now.Add(3*h - time.Minute), now.Add(-time.Minute), 0, now.Add(-time.Minute), "MS"},
		{"neither plausible: the measured time", now.Add(5 * h), now.Add(4 * h), 0, now.Add(5 * h), "M"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := attendance.Punch{DeviceTime: tt.device, EstTime: tt.est}
			got := p.Timing(tt.offset, now)
			var flags string
			for _, f := range []struct {
				on bool
				c  string
			}{{got.Estimated, "E"}, {got.Mismatch, "M"}, {got.Skewed, "S"}} {
				if f.on {
					flags += f.c
				}
			}
			if !got.Time.Equal(tt.want) || got.Time.Location() != time.UTC || flags != tt.flags {
				t.Errorf("Timing = %v %q, want %v %q", got.Time, flags, tt.want, tt.flags)
			}
		})
	}
}

// TestTimingZones: the judgement does not depend on the zones the times
// were written in.
func TestTimingZones(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	p := attendance.Punch{DeviceTime: now.In(shanghai), EstTime: now.Add(26 * time.Hour).In(time.FixedZone("X", -11*3600))}
	if got := p.Timing(0, now.In(shanghai)); !got.Time.Equal(now) || !got.Mismatch {
		t.Errorf("Timing = %+v", got)
	}
}

func TestValidateSeq(t *testing.T) {
	base := attendance.Punch{ID: "019a0000-0000-7000-8000-000000000001", EmployeeID: "E1", DeviceID: "dev-1",
		Method: attendance.MethodManual, DeviceTime: now, Seq: 1}
	for _, tt := range []struct {
		seq uint64
		ok  bool
	}{{1, true}, {math.MaxInt64, true}, {math.MaxInt64 + 1, false}, {math.MaxUint64, false}} {
		p := base
		p.Seq = tt.seq
		if tt.seq > 1 {
			p.Prev = "0000000000000000000000000000000000000000000000000000000000000000"
		}
		err := p.Validate()
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, attendance.ErrInvalid) {
			t.Errorf("seq %d: %v, want ok %v", tt.seq, err, tt.ok)
		}
	}
}

// TestValidateNFC: an nfc punch may come without an employee (a card
// serial unknown to the kiosk's roster) but then with the serial as its
// badge code; NFC evidence belongs to nfc punches only, its serial in
// upper-case hex.
func TestValidateNFC(t *testing.T) {
	base := attendance.Punch{ID: "019a0000-0000-7000-8000-000000000001", DeviceID: "dev-1",
		Method: attendance.MethodNFC, DeviceTime: now, Seq: 1}
	for _, tt := range []struct {
		name string
		edit func(p *attendance.Punch)
		ok   bool
	}{
		{"serial as badge code", func(p *attendance.Punch) {
			p.Evidence = attendance.Evidence{BadgeCode: "04A21B7C", NFCSerial: "04A21B7C"}
		}, true},
		{"signed tag", func(p *attendance.Punch) {
			p.EmployeeID, p.Evidence = "E1", attendance.Evidence{NFCSerial: "04A21B7C", NFCTag: "pc1.AAAA"}
		}, true},
		{"nothing to find the employee by", func(p *attendance.Punch) { p.Evidence = attendance.Evidence{NFCSerial: "04A21B7C"} }, false},
		{"serial in lower case", func(p *attendance.Punch) { p.EmployeeID, p.Evidence.NFCSerial = "E1", "04a21b7c" }, false},
		{"serial with colons", func(p *attendance.Punch) { p.EmployeeID, p.Evidence.NFCSerial = "E1", "04:A2" }, false},
		{"NFC evidence on a badge punch", func(p *attendance.Punch) {
			p.Method, p.EmployeeID, p.Evidence.NFCTag = attendance.MethodBadge, "E1", "pc1.AAAA"
		}, false},
		{"token too long", func(p *attendance.Punch) {
			p.EmployeeID, p.Evidence.NFCTag = "E1", "pc1."+string(make([]byte, 300))
		}, false},
	} {
		p := base
		tt.edit(&p)
		err := p.Validate()
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, attendance.ErrInvalid) {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
