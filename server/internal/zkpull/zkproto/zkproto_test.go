package zkproto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"
)

// Requests as zkteco-js 1.7.2 frames them (utils.createTCPHeader, run under
// Node): an independent implementation of the frame, the checksum and the
// reply-id quirk.
var goldenRequests = []struct {
	name         string
	frame        string
	cmd, session uint16
	prev         uint16
	data         []byte
}{
	{"connect", "5050827d08000000e80316fc00000100", CmdConnect, 0, 0, nil},
	{"attlog buffer", "5050827d13000000df05ffa21c4a0400010d000000000000000000", CmdDataWRRQ, 0x4a1c, 3, BufferRequest(CmdAttLogRRQ, 0, 0)},
	{"serial number", "5050827d150000000b00cd6c1c4a08007e53657269616c4e756d626572", CmdOptionsRRQ, 0x4a1c, 7, []byte("~SerialNumber")},
}

func TestGoldenRequests(t *testing.T) {
	for _, g := range goldenRequests {
		want, _ := hex.DecodeString(g.frame)
		got := Request(g.cmd, g.session, g.prev, g.data).Frame()
		if !bytes.Equal(got, want) {
			t.Errorf("%s: framed % x, zkteco-js frames % x", g.name, got, want)
		}
		p, n, err := Parse(want)
		if err != nil || n != len(want) || p.Command != g.cmd || p.Session != g.session || !bytes.Equal(p.Data, g.data) {
			t.Errorf("%s: parsed %+v %d %v", g.name, p, n, err)
		}
		if !p.ChecksumOK() {
			t.Errorf("%s: checksum refused", g.name)
		}
		p.Checksum++
		if p.ChecksumOK() {
			t.Errorf("%s: a wrong checksum accepted", g.name)
		}
	}
}

func TestReplyChecksum(t *testing.T) {
	p := Reply(CmdAckOK, 0x4a1c, 9, []byte{1, 2, 3})
	if !p.ChecksumOK() || p.Reply != 9 {
		t.Fatalf("reply %+v", p)
	}
	if NextReply(0xfffe) != 0 || PrevReply(0) != 0xfffe || NextReply(PrevReply(5)) != 5 {
		t.Fatal("reply ids wrap wrongly")
	}
}

// Encoded times as zkteco-js's time.encode computes them.
func TestTime(t *testing.T) {
	for _, g := range []struct {
		v    uint32
		time time.Time
	}{
		{865268445, time.Date(2026, 12, 2, 16, 20, 45, 0, time.UTC)},
		{0, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{3187036799, time.Date(2099, 2, 28, 23, 59, 59, 0, time.UTC)},
	} {
		if got := EncodeTime(g.time); got != g.v {
			t.Errorf("EncodeTime(%v) = %d, want %d", g.time, got, g.v)
		}
		if got, err := DecodeTime(g.v); err != nil || !got.Equal(g.time) {
			t.Errorf("DecodeTime(%d) = %v %v, want %v", g.v, got, err, g.time)
		}
	}
	// The zone is ignored: terminals keep naive local time.
	la, _ := time.LoadLocation("America/Los_Angeles")
	if EncodeTime(time.Date(2026, 12, 2, 16, 20, 45, 0, la)) != 865268445 {
		t.Error("EncodeTime looked at the zone")
	}
	feb31 := EncodeTime(time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)) + 3*86400
	if _, err := DecodeTime(feb31); !errors.Is(err, ErrMalformed) {
		t.Errorf("February 31 decoded: %v", err)
	}
}

func TestLayouts(t *testing.T) {
	a := Attendance{UID: 7, PIN: "123456789", Time: time.Date(2026, 3, 29, 2, 30, 0, 0, time.UTC), Verify: 15, State: 1}
	for _, size := range []int{AttSize40, AttSize16, AttSize8} {
		b, err := EncodeAttendance(a, size)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeAttendance(b, size)
		if size == AttSize8 && got.UID == a.UID { // no PIN in the 8-byte layout
			got.PIN = a.PIN
		}
		if err != nil || got.PIN != a.PIN || !got.Time.Equal(a.Time) || got.Verify != a.Verify || got.State != a.State || !bytes.Equal(got.Raw, b) {
			t.Errorf("%d bytes: %+v %v", size, got, err)
		}
	}
	if _, err := EncodeAttendance(Attendance{PIN: "A7"}, AttSize16); err == nil {
		t.Error("a letter PIN in the 16-byte layout")
	}
	u := User{UID: 3, Privilege: 14, Password: "12", Name: "Ana", Card: 4242, PIN: "1001"}
	for _, size := range []int{UserSize72, UserSize28} {
		b, err := EncodeUser(u, size)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := DecodeUser(b, size); err != nil || got != u {
			t.Errorf("%d bytes: %+v %v", size, got, err)
		}
	}
	s := Sizes{Users: 3, Records: 3500, RecordsCap: 100000, Faces: 2}
	if got, err := DecodeSizes(s.Encode()); err != nil || got != s {
		t.Errorf("sizes %+v %v", got, err)
	}
	if c, f, e, err := ParseBufferRequest(BufferRequest(CmdUserTempRRQ, FctUser, 0)); err != nil || c != CmdUserTempRRQ || f != FctUser || e != 0 {
		t.Errorf("buffer request %d %d %d %v", c, f, e, err)
	}
}

func TestRead(t *testing.T) {
	frame := Reply(CmdAckOK, 1, 2, []byte("x")).Frame()
	if p, err := Read(bytes.NewReader(frame)); err != nil || string(p.Data) != "x" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := Read(bytes.NewReader(frame[:10])); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut frame: %v", err)
	}
	if _, err := Read(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		t.Errorf("empty: %v", err)
	}
	bad := append([]byte(nil), frame...)
	bad[0] = 0x51
	if _, err := Read(bytes.NewReader(bad)); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad magic: %v", err)
	}
	huge := append([]byte(nil), frame[:8]...)
	huge[7] = 0x7f
	if _, err := Read(bytes.NewReader(huge)); !errors.Is(err, ErrMalformed) {
		t.Errorf("huge length: %v", err)
	}
}

// FuzzParse: no bytes make the parsers panic, and what parses frames again
// to the same bytes.
func FuzzParse(f *testing.F) {
	for _, g := range goldenRequests {
		b, _ := hex.DecodeString(g.frame)
		f.Add(b)
	}
	f.Add([]byte{0x50, 0x50, 0x82, 0x7d, 0xff, 0xff, 0xff, 0xff})
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, n, err := Parse(b); err == nil {
			if !bytes.Equal(p.Frame(), b[:n]) {
				t.Fatalf("% x parsed to %+v, frames % x", b[:n], p, p.Frame())
			}
		}
		_, _ = Read(bytes.NewReader(b))
		for _, size := range []int{AttSize8, AttSize16, AttSize40} {
			if len(b) >= size {
				_, _ = DecodeAttendance(b[:size], size)
			}
		}
		for _, size := range []int{UserSize28, UserSize72} {
			if len(b) >= size {
				_, _ = DecodeUser(b[:size], size)
			}
		}
		_, _ = DecodeSizes(b)
		_, _, _, _ = ParseBufferRequest(b)
		_, _, _ = ParseChunkRequest(b)
		if len(b) >= 4 {
			_, _ = DecodeTime(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		}
	})
}
