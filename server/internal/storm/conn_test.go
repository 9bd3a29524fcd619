package storm

import (
	"bufio"
	"strings"
	"testing"
)

// TestReadResponse reads answers as punchd's net/http writes them: with a
// length, chunked, closing the connection, one after the other on one
// connection; a malformed one is an error.
func TestReadResponse(t *testing.T) {
	stream := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 5\r\n\r\nhello" +
		"HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok" +
		"HTTP/1.0 200 OK\r\n\r\nto the end"
	r := bufio.NewReader(strings.NewReader(stream))
	for _, want := range []struct {
		status int
		body   string
		keep   bool
	}{{200, "hello", true}, {429, "abcde", true}, {200, "ok", false}, {200, "to the end", false}} {
		status, body, keep, err := readResponse(r, nil)
		if err != nil || status != want.status || string(body) != want.body || keep != want.keep {
			t.Errorf("got %d %q keep=%v %v, want %d %q keep=%v", status, body, keep, err, want.status, want.body, want.keep)
		}
	}
	for _, bad := range []string{"", "SSH-2.0\r\n", "HTTP/1.1 2xx OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"} {
		if _, _, _, err := readResponse(bufio.NewReader(strings.NewReader(bad)), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
