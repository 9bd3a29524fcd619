// Package emulator is a ZKTeco pull-protocol terminal (TCP 4370) in Go: it
// serves a user table, an attendance log and a clock the way the firmware
// does, so that the collector (package zkpull) and the npm clients
// zkteco-js and node-zklib can be run against the same terminal and what
// they read compared.
//
// What it serves, as pyzk and the npm clients expect it:
//
//   - CmdConnect opens a session (AckOK, the session id in the header);
//     CmdExit answers AckOK and closes the connection.
//   - CmdGetFreeSizes, CmdGetTime/CmdSetTime, CmdGetVersion, CmdOptionsRRQ
//     ("~SerialNumber", "~DeviceName", "~Platform", ...), CmdEnableDevice,
//     CmdDisableDevice, CmdFreeData: one reply packet each.
//   - CmdDataWRRQ with the ATTLOG or user table request prepares a buffer
//     (a uint32 byte count, then the records) and answers AckOK with the
//     buffer's size at payload bytes 1..4; a buffer under Config.InlineBelow
//     bytes is answered at once as one CmdData packet instead, as small
//     tables are on real firmware.
//   - CmdDataRdy (start, size) answers a chunk of the buffer in three
//     packets: CmdPrepareData (size, 4 zero bytes), CmdData (the bytes),
//     CmdAckOK.
//
// Config.Pace waits before a chunk's CmdPrepareData and before its AckOK.
// The npm clients need those gaps: they take at most one packet from each
// socket 'data' event and drop what is left when a chunk completes, so a
// chunk's AckOK read together with its CmdPrepareData and CmdData leaves
// the data unread, and the next chunk's CmdPrepareData read together with
// the AckOK before it is lost. Real terminals on a LAN are slow enough
// that this rarely bites; on loopback, Go writes the packets faster than
// Node reads them. (A CmdPrepareData read together with its CmdData is
// harmless: the AckOK's event completes the chunk.)
package emulator

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"punchclock/server/internal/zkpull/zkproto"
)

// Config is what a terminal holds and how it behaves.
type Config struct {
	Serial     string               // answered to "~SerialNumber"
	Users      []zkproto.User       // the user table
	Records    []zkproto.Attendance // the attendance log, oldest first
	RecordSize int                  // attendance layout: 40 (default), 16 or 8
	UserSize   int                  // user layout: 72 (default) or 28
	// Clock is the terminal's clock: naive local time, its zone ignored.
	// CmdSetTime moves it by the difference. Nil is a clock stopped at
	// 2026-01-01 00:00:00.
	Clock func() time.Time
	// InlineBelow: a prepared buffer shorter than this is sent whole as
	// the CmdData reply to CmdDataWRRQ; zero always sends it in chunks.
	InlineBelow int
	// Pace is the wait before a chunk's first and last packets (see the package doc).
	Pace time.Duration
}

// Terminal is a running emulated terminal.
type Terminal struct {
	ln   net.Listener
	cfg  Config
	wg   sync.WaitGroup
	mu   sync.Mutex
	recs []zkproto.Attendance
	skew time.Duration // added to cfg.Clock by CmdSetTime
	cmds []uint16      // commands received, in order
	next uint16        // next session id
	open map[net.Conn]bool
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves.
func Start(addr string, cfg Config) (*Terminal, error) {
	if cfg.RecordSize == 0 {
		cfg.RecordSize = zkproto.AttSize40
	}
	if cfg.UserSize == 0 {
		cfg.UserSize = zkproto.UserSize72
	}
	if cfg.Clock == nil {
		stopped := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		cfg.Clock = func() time.Time { return stopped }
	}
	if cfg.RecordSize != zkproto.AttSize40 && cfg.RecordSize != zkproto.AttSize16 && cfg.RecordSize != zkproto.AttSize8 || cfg.UserSize != zkproto.UserSize72 && cfg.UserSize != zkproto.UserSize28 {
		return nil, fmt.Errorf("emulator: no layout of %d-byte records and %d-byte users", cfg.RecordSize, cfg.UserSize)
	}
	for _, r := range cfg.Records { // refuse at start what could not be served
		if _, err := zkproto.EncodeAttendance(r, cfg.RecordSize); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	for _, u := range cfg.Users {
		if _, err := zkproto.EncodeUser(u, cfg.UserSize); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	t := &Terminal{ln: ln, cfg: cfg, recs: append([]zkproto.Attendance(nil), cfg.Records...), next: 0x4a1c, open: map[net.Conn]bool{}}
	t.wg.Add(1)
	go t.accept()
	return t, nil
}

// Addr is the address the terminal listens on.
func (t *Terminal) Addr() string { return t.ln.Addr().String() }

// Close stops listening, drops open sessions and waits for them to end.
func (t *Terminal) Close() error {
	err := t.ln.Close()
	t.mu.Lock()
	for c := range t.open {
		c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	return err
}

// Punch appends records to the attendance log, as punches on the terminal do.
func (t *Terminal) Punch(recs ...zkproto.Attendance) error {
	for _, r := range recs {
		if _, err := zkproto.EncodeAttendance(r, t.cfg.RecordSize); err != nil {
			return fmt.Errorf("emulator: %w", err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.recs = append(t.recs, recs...)
	return nil
}

// ClearLog empties the attendance log, as an administrator can on the terminal.
func (t *Terminal) ClearLog() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.recs = nil
}

// Commands is every command received so far, in order.
func (t *Terminal) Commands() []uint16 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]uint16(nil), t.cmds...)
}

// Now is the terminal's clock.
func (t *Terminal) Now() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg.Clock().Add(t.skew)
}

func (t *Terminal) accept() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.mu.Lock()
		t.open[c] = true
		t.mu.Unlock()
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			defer func() {
				t.mu.Lock()
				delete(t.open, c)
				t.mu.Unlock()
				c.Close()
			}()
			t.serve(c)
		}()
	}
}

// session is one connection's state.
type session struct {
	id        uint16
	connected bool
	buf       []byte // the prepared buffer of the last CmdDataWRRQ
}

func (t *Terminal) serve(c net.Conn) {
	var s session
	for {
		p, err := zkproto.Read(c)
		if err != nil {
			return // end of stream, or bytes that are not a frame: firmware drops the line
		}
		t.mu.Lock()
		t.cmds = append(t.cmds, p.Command)
		t.mu.Unlock()
		if !p.ChecksumOK() {
			if t.send(c, zkproto.Reply(zkproto.CmdAckError, s.id, p.Reply, nil)) != nil {
				return
			}
			continue
		}
		done, err := t.handle(c, &s, p)
		if err != nil || done {
			return
		}
	}
}

func (t *Terminal) send(c net.Conn, p zkproto.Packet) error {
	_, err := c.Write(p.Frame())
	return err
}

// handle answers one packet; done is true after CmdExit.
func (t *Terminal) handle(c net.Conn, s *session, p zkproto.Packet) (done bool, err error) {
	ok := func(data []byte) error { return t.send(c, zkproto.Reply(zkproto.CmdAckOK, s.id, p.Reply, data)) }
	fail := func(cmd uint16) error { return t.send(c, zkproto.Reply(cmd, s.id, p.Reply, nil)) }
	if p.Command == zkproto.CmdConnect {
		t.mu.Lock()
		s.id, t.next = t.next, t.next+1
		t.mu.Unlock()
		s.connected = true
		return false, ok(nil)
	}
	if !s.connected || p.Session != s.id {
		return false, fail(zkproto.CmdAckUnauth)
	}
	switch p.Command {
	case zkproto.CmdExit:
		return true, ok(nil)
	case zkproto.CmdEnableDevice, zkproto.CmdDisableDevice, zkproto.CmdRegEvent:
		return false, ok(nil)
	case zkproto.CmdFreeData:
		s.buf = nil
		return false, ok(nil)
	case zkproto.CmdGetFreeSizes:
		return false, ok(t.sizes().Encode())
	case zkproto.CmdGetTime:
		v := zkproto.EncodeTime(t.Now())
		return false, ok([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
	case zkproto.CmdSetTime:
		if len(p.Data) < 4 {
			return false, fail(zkproto.CmdAckError)
		}
		want, err := zkproto.DecodeTime(uint32(p.Data[0]) | uint32(p.Data[1])<<8 | uint32(p.Data[2])<<16 | uint32(p.Data[3])<<24)
		if err != nil {
			return false, fail(zkproto.CmdAckError)
		}
		t.mu.Lock()
		t.skew = want.Sub(t.cfg.Clock())
		t.mu.Unlock()
		return false, ok(nil)
	case zkproto.CmdGetVersion:
		return false, ok([]byte("Ver 6.60 Apr 28 2017\x00"))
	case zkproto.CmdOptionsRRQ:
		key := strings.TrimRight(string(p.Data), "\x00")
		val, known := map[string]string{
			"~SerialNumber": t.cfg.Serial, "~DeviceName": "punchclock emulator", "~Platform": "ZMM220_TFT",
			"~ZKFPVersion": "10", "~OS": "1", "~PIN2Width": "9", "~IsOnlyRFMachine": "0",
		}[key]
		if !known {
			return false, fail(zkproto.CmdAckError)
		}
		return false, ok([]byte(key + "=" + val + "\x00"))
	case zkproto.CmdDataWRRQ:
		return false, t.prepare(c, s, p)
	case zkproto.CmdDataRdy:
		return false, t.chunk(c, s, p)
	}
	return false, fail(zkproto.CmdAckUnknown)
}

func (t *Terminal) sizes() zkproto.Sizes {
	t.mu.Lock()
	defer t.mu.Unlock()
	return zkproto.Sizes{Users: int32(len(t.cfg.Users)), Records: int32(len(t.recs)),
		FingersCap: 3000, UsersCap: 3000, RecordsCap: 100000,
		FingersAvail: 3000, UsersAvail: 3000 - int32(len(t.cfg.Users)), RecordsAvail: 100000 - int32(len(t.recs))}
}

// table is a prepared buffer: the byte count of the records, then the records.
func (t *Terminal) table(command uint16, fct int32) ([]byte, error) {
	out := []byte{0, 0, 0, 0}
	switch {
	case command == zkproto.CmdAttLogRRQ:
		t.mu.Lock()
		recs := append([]zkproto.Attendance(nil), t.recs...)
		t.mu.Unlock()
		for _, r := range recs {
			b, err := zkproto.EncodeAttendance(r, t.cfg.RecordSize)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
	case command == zkproto.CmdUserTempRRQ && fct == zkproto.FctUser:
		for _, u := range t.cfg.Users {
			b, err := zkproto.EncodeUser(u, t.cfg.UserSize)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
	default:
		return nil, errors.New("emulator: no such table")
	}
	n := uint32(len(out) - 4)
	out[0], out[1], out[2], out[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return out, nil
}

func (t *Terminal) prepare(c net.Conn, s *session, p zkproto.Packet) error {
	command, fct, _, err := zkproto.ParseBufferRequest(p.Data)
	if err == nil {
		s.buf, err = t.table(command, fct)
	}
	if err != nil {
		return t.send(c, zkproto.Reply(zkproto.CmdAckError, s.id, p.Reply, nil))
	}
	if len(s.buf) < t.cfg.InlineBelow {
		return t.send(c, zkproto.Reply(zkproto.CmdData, s.id, p.Reply, s.buf))
	}
	n := uint32(len(s.buf))
	return t.send(c, zkproto.Reply(zkproto.CmdAckOK, s.id, p.Reply, []byte{0, byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}))
}

func (t *Terminal) chunk(c net.Conn, s *session, p zkproto.Packet) error {
	start, size, err := zkproto.ParseChunkRequest(p.Data)
	if err != nil || s.buf == nil || uint64(start)+uint64(size) > uint64(len(s.buf)) || size > zkproto.MaxChunk {
		return t.send(c, zkproto.Reply(zkproto.CmdAckError, s.id, p.Reply, nil))
	}
	if size == 0 { // node-zklib asks for an empty last chunk when the size is a multiple of MaxChunk
		return t.send(c, zkproto.Reply(zkproto.CmdAckOK, s.id, p.Reply, nil))
	}
	for i, q := range []zkproto.Packet{
		zkproto.Reply(zkproto.CmdPrepareData, s.id, p.Reply, []byte{byte(size), byte(size >> 8), byte(size >> 16), byte(size >> 24), 0, 0, 0, 0}),
		zkproto.Reply(zkproto.CmdData, s.id, p.Reply, s.buf[start:start+size]),
		zkproto.Reply(zkproto.CmdAckOK, s.id, p.Reply, nil),
	} {
		if t.cfg.Pace > 0 && i != 1 { // see the package doc
			time.Sleep(t.cfg.Pace)
		}
		if err := t.send(c, q); err != nil {
			return err
		}
	}
	return nil
}

var _ io.Closer = (*Terminal)(nil)
