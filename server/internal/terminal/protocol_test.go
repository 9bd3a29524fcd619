package terminal

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"punchclock/app/attendance"
)

func TestParseATTLOG(t *testing.T) {
	body := "1\t2026-11-20 08:55:12\t0\t1\t0\t0\t0\t0\t0\t0\r\n" + // CRLF
		"\n" + // blank: not a line
		"42\t2026-11-20 09:00:00\t1\t15\t7\n" +
		"7\t2026-11-20 09:01:00\n" + // status and verify missing: 0
		"x y\t2026-11-20 09:00:00\t0\t1\n" + // PIN with a space
		"8\t2026-13-20 09:00:00\t0\t1\n" + // no month 13
		"9\t2026-11-20 09:00:00\t0\t-1\n" + // negative verify
		"10\t2026-11-20 09:00:00\x00\t0\t1\n" + // NUL
		"11\t2026-11-20 \xff09:00:00\t0\t1\n" // invalid UTF-8
	p := ParseATTLOG([]byte(body))
	if len(p.Items) != 3 || p.Skipped != 5 || p.Reason == "" {
		t.Fatalf("parsed %d, skipped %d (%s)", len(p.Items), p.Skipped, p.Reason)
	}
	if r := p.Items[1]; r.PIN != "42" || r.Status != 1 || r.Verify != 15 || r.WorkCode != "7" || r.Local != "2026-11-20 09:00:00" {
		t.Errorf("second record: %+v", r)
	}
	if r := p.Items[2]; r.Status != 0 || r.Verify != 0 {
		t.Errorf("third record: %+v", r)
	}
}

func TestParseDeviceCmd(t *testing.T) {
	p := ParseDeviceCmd([]byte("ID=7&Return=0&CMD=INFO\n~DeviceName=F18\nDateTime=2026-11-20 09:00:00\nID=8&Return=-1002&CMD=DATA\nID=x&Return=0\nstray line\n"))
	if len(p.Items) != 2 || p.Skipped != 2 {
		t.Fatalf("%+v", p)
	}
	if r := p.Items[0]; r.ID != 7 || r.Return != 0 || r.CMD != "INFO" || r.Extra["DeviceName"] != "F18" || r.Extra["DateTime"] != "2026-11-20 09:00:00" {
		t.Errorf("INFO result: %+v", r)
	}
	if r := p.Items[1]; r.ID != 8 || r.Return != -1002 {
		t.Errorf("second result: %+v", r)
	}
}

func TestTimeZone(t *testing.T) {
	for _, c := range []struct {
		off  time.Duration
		want string
	}{{8 * time.Hour, "8"}, {-5 * time.Hour, "-5"}, {0, "0"}, {5*time.Hour + 30*time.Minute, "330"}, {-(3*time.Hour + 30*time.Minute), "-210"}, {5*time.Hour + 45*time.Minute, "345"}} {
		got := FormatTimeZone(c.off)
		back, ok := ParseTimeZone(got)
		if got != c.want || !ok || back != c.off {
			t.Errorf("%v: %q back %v %v, want %q", c.off, got, back, ok, c.want)
		}
	}
}

func TestMethod(t *testing.T) {
	for verify, want := range map[int]attendance.Method{0: attendance.MethodTerminal, 1: attendance.MethodFingerprint, 3: attendance.MethodTerminal,
		4: attendance.MethodCard, 15: attendance.MethodFace, 6: attendance.MethodTerminal, 200: attendance.MethodTerminal} {
		if got := Method(verify); got != want {
			t.Errorf("verify %d: %s, want %s", verify, got, want)
		}
	}
}

func TestPIN(t *testing.T) {
	for badge, want := range map[string]string{"PC-0001": "PC0001", "1001": "1001", "": "", "--": "", "张三": "", strings.Repeat("9", 25): ""} {
		if got := PIN(attendance.Employee{BadgeCode: badge}); got != want {
			t.Errorf("badge %q: PIN %q, want %q", badge, got, want)
		}
	}
}

func TestInstant(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	wall := func(s string) time.Time { w, _ := time.Parse(LocalLayout, s); return w }
	for _, c := range []struct {
		loc   *time.Location
		local string
		want  time.Time
		where int
	}{
		{berlin, "2026-07-01 09:00:00", time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC), Exact},
		{berlin, "2026-10-25 02:30:00", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), Ambiguous},
		{berlin, "2026-03-29 02:30:00", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), Skipped},
		{ny, "2026-11-01 01:30:00", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), Ambiguous},
		{ny, "2026-03-08 02:30:00", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), Skipped},
		{time.UTC, "2026-03-08 02:30:00", time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC), Exact},
	} {
		got, where := Instant(wall(c.local), c.loc)
		if !got.Equal(c.want) || where != c.where {
			t.Errorf("%s in %s: %v (%d), want %v (%d)", c.local, c.loc, got.UTC(), where, c.want, c.where)
		}
	}
}

func TestPunchID(t *testing.T) {
	w, _ := time.Parse(LocalLayout, "2026-11-20 08:55:12")
	a, b := PunchID("SN1", "1", "2026-11-20 08:55:12", w), PunchID("SN1", "1", "2026-11-20 08:55:12", w)
	if a != b || !attendance.IsUUIDv7(a) {
		t.Errorf("ids %s %s: not one valid UUIDv7", a, b)
	}
	for _, other := range []string{PunchID("SN2", "1", "2026-11-20 08:55:12", w), PunchID("SN1", "2", "2026-11-20 08:55:12", w)} {
		if other == a {
			t.Errorf("another serial or PIN gave the same id %s", a)
		}
	}
	if s := punchSeq(a); s == 0 || s > 1<<63-1 {
		t.Errorf("seq %d out of range", s)
	}
}

// FuzzParse: whatever a terminal sends, parsing neither panics nor keeps
// a record with text that is not clean, and a line is either an item or
// counted as skipped.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1\t2026-11-20 08:55:12\t0\t1\t0\t0\n", "ID=1&Return=0&CMD=INFO\n~DeviceName=x\n", "USER PIN=1\tName=A\n", "\x00\xff\t\t\n\r\n", strings.Repeat("9", 2000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n := len(lines(body))
		a := ParseATTLOG(body)
		if len(a.Items)+a.Skipped != n {
			t.Errorf("ATTLOG: %d items + %d skipped != %d lines", len(a.Items), a.Skipped, n)
		}
		for _, r := range a.Items {
			if !ValidPIN(r.PIN) || !utf8.ValidString(r.WorkCode) || strings.ContainsRune(r.WorkCode, 0) {
				t.Errorf("record kept with bad text: %+v", r)
			}
			if _, where := Instant(r.Wall, time.UTC); where != Exact {
				t.Errorf("UTC instant not exact: %+v", r)
			}
		}
		o := ParseOPERLOG(body)
		if len(o.Items)+o.Skipped != n {
			t.Errorf("OPERLOG: %d items + %d skipped != %d lines", len(o.Items), o.Skipped, n)
		}
		ParseDeviceCmd(body)
		ParseCommand(string(body))
	})
}
