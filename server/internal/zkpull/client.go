package zkpull

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"punchclock/server/internal/zkpull/zkproto"
)

// Port is the pull protocol's port.
const Port = "4370"

// maxBuffer bounds the table a terminal may announce (a 100,000-record log
// of 40 bytes is 4 MB): a larger size is a malformed reply, not an allocation.
const maxBuffer = 64 << 20

// ErrRefused is wrapped when a terminal answers a command with something
// other than success (AckError, AckUnauth, AckUnknown, ...).
var ErrRefused = errors.New("zkpull: terminal refused")

// ErrMalformed is wrapped when a terminal's reply cannot be read; it is
// zkproto.ErrMalformed.
var ErrMalformed = zkproto.ErrMalformed

// Client is one session with a terminal. It is not safe for concurrent use:
// the protocol is one command at a time.
type Client struct {
	conn    net.Conn
	r       *bufio.Reader
	addr    string
	timeout time.Duration
	session uint16
	reply   uint16 // the reply id the next request's checksum is computed over
}

// DefaultTimeout bounds each exchange with a terminal when Dial is given none.
const DefaultTimeout = 10 * time.Second

// Dial connects to the terminal at addr ("host" or "host:port"; port 4370 if
// none) and opens a session. timeout bounds each exchange (the context's
// deadline too, whichever is sooner); zero is DefaultTimeout.
func Dial(ctx context.Context, addr string, timeout time.Duration) (*Client, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, Port)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("zkpull: dial %s: %w", addr, err)
	}
	return Open(ctx, conn, timeout)
}

// Open opens a session on a connection to a terminal (Dial's second half,
// for a caller with its own dialer). The Client owns conn from then on, and
// closes it when the session cannot be opened.
func Open(ctx context.Context, conn net.Conn, timeout time.Duration) (*Client, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	addr := conn.RemoteAddr().String()
	c := &Client{conn: conn, r: bufio.NewReaderSize(conn, 1<<16), addr: addr, timeout: timeout, reply: 0xfffe}
	p, err := c.exchange(ctx, zkproto.CmdConnect, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if p.Command == zkproto.CmdAckUnauth {
		conn.Close()
		return nil, fmt.Errorf("%w: %s wants a comm key (not supported: clear the terminal's COMM password)", ErrRefused, addr)
	}
	if p.Command != zkproto.CmdAckOK {
		conn.Close()
		return nil, fmt.Errorf("%w: connect answered %d", ErrRefused, p.Command)
	}
	c.session = p.Session
	return c, nil
}

// Close ends the session (CmdExit) and the connection.
func (c *Client) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	_, err := c.exchange(ctx, zkproto.CmdExit, nil)
	if cerr := c.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// deadline sets the connection's deadline for one exchange.
func (c *Client) deadline(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := time.Now().Add(c.timeout) // an I/O deadline, not a time the records depend on
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	if err := c.conn.SetDeadline(d); err != nil {
		return fmt.Errorf("zkpull: %s: %w", c.addr, err)
	}
	return nil
}

// send writes one request.
func (c *Client) send(ctx context.Context, command uint16, data []byte) (uint16, error) {
	if err := c.deadline(ctx); err != nil {
		return 0, err
	}
	p := zkproto.Request(command, c.session, c.reply, data)
	c.reply = p.Reply
	if _, err := c.conn.Write(p.Frame()); err != nil {
		return 0, fmt.Errorf("zkpull: %s: write command %d: %w", c.addr, command, err)
	}
	return p.Reply, nil
}

// recv reads the next packet answering reply id want, skipping real-time
// event packets a terminal may interleave.
func (c *Client) recv(want uint16) (zkproto.Packet, error) {
	for {
		p, err := zkproto.Read(c.r)
		if err != nil {
			return p, fmt.Errorf("zkpull: %s: read reply: %w", c.addr, err)
		}
		if p.Command == zkproto.CmdRegEvent {
			continue
		}
		if !p.ChecksumOK() {
			return p, fmt.Errorf("%w: %s: reply %d has checksum %04x", ErrMalformed, c.addr, p.Command, p.Checksum)
		}
		if p.Reply != want {
			return p, fmt.Errorf("%w: %s: reply id %d answers no request (want %d)", ErrMalformed, c.addr, p.Reply, want)
		}
		return p, nil
	}
}

// exchange sends one command and reads its one-packet reply.
func (c *Client) exchange(ctx context.Context, command uint16, data []byte) (zkproto.Packet, error) {
	id, err := c.send(ctx, command, data)
	if err != nil {
		return zkproto.Packet{}, err
	}
	return c.recv(id)
}

// command is exchange that wants AckOK.
func (c *Client) command(ctx context.Context, command uint16, data []byte) ([]byte, error) {
	p, err := c.exchange(ctx, command, data)
	if err != nil {
		return nil, err
	}
	if p.Command != zkproto.CmdAckOK {
		return nil, fmt.Errorf("%w: %s: command %d answered %d", ErrRefused, c.addr, command, p.Command)
	}
	return p.Data, nil
}

// Serial reads the terminal's serial number.
func (c *Client) Serial(ctx context.Context) (string, error) {
	b, err := c.command(ctx, zkproto.CmdOptionsRRQ, []byte("~SerialNumber\x00"))
	if err != nil {
		return "", err
	}
	s := strings.TrimRight(string(b), "\x00")
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	_, v, ok := strings.Cut(s, "=")
	if !ok || v == "" {
		return "", fmt.Errorf("%w: %s: serial number answer %q", ErrMalformed, c.addr, s)
	}
	return v, nil
}

// Time reads the terminal's clock: naive local time in time.UTC.
func (c *Client) Time(ctx context.Context) (time.Time, error) {
	b, err := c.command(ctx, zkproto.CmdGetTime, nil)
	if err != nil {
		return time.Time{}, err
	}
	if len(b) < 4 {
		return time.Time{}, fmt.Errorf("%w: %s: time of %d bytes", ErrMalformed, c.addr, len(b))
	}
	return zkproto.DecodeTime(binary.LittleEndian.Uint32(b))
}

// Sizes reads the terminal's counts and capacities.
func (c *Client) Sizes(ctx context.Context) (zkproto.Sizes, error) {
	b, err := c.command(ctx, zkproto.CmdGetFreeSizes, nil)
	if err != nil {
		return zkproto.Sizes{}, err
	}
	return zkproto.DecodeSizes(b)
}

// readBuffer reads a table the way pyzk's read_with_buffer does: CmdDataWRRQ,
// then (unless the terminal answered the data at once) one CmdDataRdy per
// chunk, each answered by CmdPrepareData, CmdData packets and AckOK, and
// CmdFreeData at the end. The result is the table without its leading byte
// count (which must match).
func (c *Client) readBuffer(ctx context.Context, command uint16, fct int32) ([]byte, error) {
	if _, err := c.command(ctx, zkproto.CmdFreeData, nil); err != nil {
		return nil, err
	}
	p, err := c.exchange(ctx, zkproto.CmdDataWRRQ, zkproto.BufferRequest(command, fct, 0))
	if err != nil {
		return nil, err
	}
	var buf []byte
	switch p.Command {
	case zkproto.CmdData:
		buf = p.Data
	case zkproto.CmdAckOK, zkproto.CmdPrepareData:
		if len(p.Data) < 5 {
			return nil, fmt.Errorf("%w: %s: buffer answer of %d bytes", ErrMalformed, c.addr, len(p.Data))
		}
		size := binary.LittleEndian.Uint32(p.Data[1:])
		if size > maxBuffer {
			return nil, fmt.Errorf("%w: %s: buffer of %d bytes announced", ErrMalformed, c.addr, size)
		}
		buf = make([]byte, 0, size)
		for start := uint32(0); start < size; start += zkproto.MaxChunk {
			n := min(size-start, zkproto.MaxChunk)
			b, err := c.readChunk(ctx, start, n)
			if err != nil {
				return nil, err
			}
			buf = append(buf, b...)
		}
	default:
		return nil, fmt.Errorf("%w: %s: table %d answered %d", ErrRefused, c.addr, command, p.Command)
	}
	if _, err := c.command(ctx, zkproto.CmdFreeData, nil); err != nil {
		return nil, err
	}
	if len(buf) < 4 {
		return nil, fmt.Errorf("%w: %s: table of %d bytes", ErrMalformed, c.addr, len(buf))
	}
	if n := binary.LittleEndian.Uint32(buf); int64(n) != int64(len(buf)-4) {
		return nil, fmt.Errorf("%w: %s: table says %d bytes, holds %d", ErrMalformed, c.addr, n, len(buf)-4)
	}
	return buf[4:], nil
}

// readChunk reads n bytes of the prepared buffer from start.
func (c *Client) readChunk(ctx context.Context, start, n uint32) ([]byte, error) {
	id, err := c.send(ctx, zkproto.CmdDataRdy, zkproto.ChunkRequest(start, n))
	if err != nil {
		return nil, err
	}
	p, err := c.recv(id)
	if err != nil {
		return nil, err
	}
	switch p.Command {
	case zkproto.CmdData: // the chunk at once
		if uint32(len(p.Data)) != n {
			return nil, fmt.Errorf("%w: %s: chunk of %d bytes, asked %d", ErrMalformed, c.addr, len(p.Data), n)
		}
		return p.Data, nil
	case zkproto.CmdPrepareData:
	default:
		return nil, fmt.Errorf("%w: %s: chunk %d+%d answered %d", ErrRefused, c.addr, start, n, p.Command)
	}
	if len(p.Data) < 4 || binary.LittleEndian.Uint32(p.Data) != n {
		return nil, fmt.Errorf("%w: %s: chunk %d+%d announced as % x", ErrMalformed, c.addr, start, n, p.Data)
	}
	out := make([]byte, 0, n)
	for uint32(len(out)) < n {
		if err := c.deadline(ctx); err != nil {
			return nil, err
		}
		p, err := c.recv(id)
		if err != nil {
			return nil, err
		}
		if p.Command != zkproto.CmdData || uint32(len(out)+len(p.Data)) > n {
			return nil, fmt.Errorf("%w: %s: chunk %d+%d: packet %d of %d bytes after %d", ErrMalformed, c.addr, start, n, p.Command, len(p.Data), len(out))
		}
		out = append(out, p.Data...)
	}
	if p, err = c.recv(id); err != nil {
		return nil, err
	}
	if p.Command != zkproto.CmdAckOK {
		return nil, fmt.Errorf("%w: %s: chunk %d+%d ended with %d, want AckOK", ErrMalformed, c.addr, start, n, p.Command)
	}
	return out, nil
}

// Users reads the user table.
func (c *Client) Users(ctx context.Context) ([]zkproto.User, error) {
	return readTable(ctx, c, zkproto.CmdUserTempRRQ, zkproto.FctUser, "user", zkproto.DecodeUser,
		func(s zkproto.Sizes) int32 { return s.Users }, zkproto.UserSize72, zkproto.UserSize28)
}

// readTable reads a table of records whose count the terminal's sizes
// give, and decodes them in the layout their byte count shows.
func readTable[T any](ctx context.Context, c *Client, command uint16, fct int32, what string,
	decode func([]byte, int) (T, error), count func(zkproto.Sizes) int32, sizes ...int) ([]T, error) {
	sz, err := c.Sizes(ctx)
	if err != nil {
		return nil, err
	}
	b, err := c.readBuffer(ctx, command, fct)
	if err != nil {
		return nil, err
	}
	size, err := layout(len(b), int(count(sz)), sizes...)
	if err != nil {
		return nil, fmt.Errorf("%s: %s table: %w", c.addr, what, err)
	}
	var out []T
	for i := 0; size > 0 && i+size <= len(b); i += size {
		r, err := decode(b[i:i+size], size)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %d: %w", c.addr, what, i/size, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Attendance reads the whole attendance log, oldest first. Records of the
// 8-byte layout get their PIN from the user table.
func (c *Client) Attendance(ctx context.Context) ([]zkproto.Attendance, error) {
	out, err := readTable(ctx, c, zkproto.CmdAttLogRRQ, 0, "attendance record", zkproto.DecodeAttendance,
		func(s zkproto.Sizes) int32 { return s.Records }, zkproto.AttSize40, zkproto.AttSize16, zkproto.AttSize8)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 && len(out[0].Raw) == zkproto.AttSize8 {
		users, err := c.Users(ctx)
		if err != nil {
			return nil, err
		}
		pins := map[uint16]string{}
		for _, u := range users {
			pins[u.UID] = u.PIN
		}
		for i := range out {
			if out[i].PIN = pins[out[i].UID]; out[i].PIN == "" {
				out[i].PIN = fmt.Sprint(out[i].UID)
			}
		}
	}
	return out, nil
}

// layout is the record size of a table of n bytes holding count records
// (pyzk divides the byte count by the count the terminal reports), checked
// against the sizes the protocol has. An empty table has size 0.
func layout(n, count int, sizes ...int) (int, error) {
	if n == 0 {
		return 0, nil
	}
	if count > 0 && n%count == 0 {
		for _, s := range sizes {
			if n/count == s {
				return s, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: %d bytes for %d records fit no layout of %v bytes", ErrMalformed, n, count, sizes)
}
