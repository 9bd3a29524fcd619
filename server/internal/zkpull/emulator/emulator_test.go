package emulator

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"punchclock/server/internal/zkpull/zkproto"
)

// exchange sends one request and reads one reply.
func exchange(t *testing.T, c net.Conn, p zkproto.Packet) zkproto.Packet {
	t.Helper()
	if _, err := c.Write(p.Frame()); err != nil {
		t.Fatal(err)
	}
	r, err := zkproto.Read(c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reply != p.Reply || !r.ChecksumOK() {
		t.Fatalf("reply %+v to %+v", r, p)
	}
	return r
}

// TestSession: what the firmware refuses and how the clock is set.
func TestSession(t *testing.T) {
	start := time.Date(2026, 3, 29, 1, 59, 0, 0, time.UTC)
	term, err := Start("127.0.0.1:0", Config{Serial: "EMU-1", Clock: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	c, err := net.Dial("tcp", term.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))

	if r := exchange(t, c, zkproto.Request(zkproto.CmdGetTime, 0, 0, nil)); r.Command != zkproto.CmdAckUnauth {
		t.Errorf("a command before the connect: %d", r.Command)
	}
	r := exchange(t, c, zkproto.Request(zkproto.CmdConnect, 0, 0xfffe, nil))
	if r.Command != zkproto.CmdAckOK || r.Session == 0 {
		t.Fatalf("connect: %+v", r)
	}
	s := r.Session
	bad := zkproto.Request(zkproto.CmdGetTime, s, 0, nil)
	bad.Checksum++
	if r := exchange(t, c, bad); r.Command != zkproto.CmdAckError {
		t.Errorf("a wrong checksum: %d", r.Command)
	}
	if r := exchange(t, c, zkproto.Request(4321, s, 1, nil)); r.Command != zkproto.CmdAckUnknown {
		t.Errorf("an unknown command: %d", r.Command)
	}
	if r := exchange(t, c, zkproto.Request(zkproto.CmdDataRdy, s, 2, zkproto.ChunkRequest(0, 10))); r.Command != zkproto.CmdAckError {
		t.Errorf("a chunk with no buffer prepared: %d", r.Command)
	}
	if r := exchange(t, c, zkproto.Request(zkproto.CmdOptionsRRQ, s, 3, []byte("~SerialNumber\x00"))); string(r.Data) != "~SerialNumber=EMU-1\x00" {
		t.Errorf("serial: %q", r.Data)
	}
	want := time.Date(2026, 12, 24, 18, 0, 0, 0, time.UTC)
	if r := exchange(t, c, zkproto.Request(zkproto.CmdSetTime, s, 4, binary.LittleEndian.AppendUint32(nil, zkproto.EncodeTime(want)))); r.Command != zkproto.CmdAckOK {
		t.Fatalf("set time: %d", r.Command)
	}
	r = exchange(t, c, zkproto.Request(zkproto.CmdGetTime, s, 5, nil))
	if got, err := zkproto.DecodeTime(binary.LittleEndian.Uint32(r.Data)); err != nil || !got.Equal(want) || !term.Now().Equal(want) {
		t.Errorf("clock %v %v, want %v", got, err, want)
	}
	// node-zklib asks for an empty last chunk when the table is a multiple of
	// MaxChunk long: an AckOK alone.
	r = exchange(t, c, zkproto.Request(zkproto.CmdDataWRRQ, s, 6, zkproto.BufferRequest(zkproto.CmdAttLogRRQ, 0, 0)))
	if r.Command != zkproto.CmdAckOK || len(r.Data) != 5 || binary.LittleEndian.Uint32(r.Data[1:]) != 4 {
		t.Fatalf("an empty log prepared: %+v", r)
	}
	if r := exchange(t, c, zkproto.Request(zkproto.CmdDataRdy, s, 7, zkproto.ChunkRequest(4, 0))); r.Command != zkproto.CmdAckOK || len(r.Data) != 0 {
		t.Errorf("an empty chunk: %+v", r)
	}
	if r := exchange(t, c, zkproto.Request(zkproto.CmdExit, s, 8, nil)); r.Command != zkproto.CmdAckOK {
		t.Errorf("exit: %d", r.Command)
	}
	if _, err := zkproto.Read(c); err == nil {
		t.Error("the line stayed open after the exit")
	}
}

func TestStartRefusesWhatItCannotServe(t *testing.T) {
	if _, err := Start("127.0.0.1:0", Config{RecordSize: 16, Records: []zkproto.Attendance{{PIN: "A1"}}}); err == nil {
		t.Error("a letter PIN in 16-byte records")
	}
	if _, err := Start("127.0.0.1:0", Config{RecordSize: 12}); err == nil {
		t.Error("12-byte records")
	}
}
