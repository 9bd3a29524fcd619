package punchd

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestCompress: JSON and text go brotli or gzip as the client takes them,
// smaller and intact; what is already encoded, not compressible, a range,
// a 304 or an answer too small to gain passes as it is.
func TestCompress(t *testing.T) {
	body := strings.Repeat(`{"id":"E001","name":"Zhang Wei 张伟","site_id":"sh-jingan"},`, 200)
	h := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "999999")
		case "/wasm":
			w.Header().Set("Content-Type", "application/wasm")
		case "/br":
			w.Header().Set("Content-Type", "application/javascript")
			w.Header().Set("Content-Encoding", "br")
		case "/304":
			w.WriteHeader(http.StatusNotModified)
			return
		case "/small":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"results":[]}`)
			return
		}
		io.WriteString(w, body)
	}))
	for _, tt := range []struct {
		path, accept, rng string
		wantEnc           string
	}{
		{"/json", "gzip, deflate, br, zstd", "", "br"},
		{"/json", "gzip", "", "gzip"},
		{"/json", "", "", ""},
		{"/json", "br", "bytes=0-10", ""},
		{"/text", "br", "", "br"}, // sniffed as text/plain
		{"/wasm", "br", "", ""},
		{"/br", "gzip, br", "", "br"}, // already encoded by the handler
		{"/304", "br", "", ""},
		{"/small", "gzip, br", "", ""}, // not worth it
	} {
		req := httptest.NewRequest("GET", tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Encoding", tt.accept)
		}
		if tt.rng != "" {
			req.Header.Set("Range", tt.rng)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		enc := rec.Header().Get("Content-Encoding")
		if enc != tt.wantEnc {
			t.Errorf("%s (Accept-Encoding %q, Range %q): Content-Encoding %q, want %q", tt.path, tt.accept, tt.rng, enc, tt.wantEnc)
			continue
		}
		if tt.path == "/small" && (rec.Body.String() != `{"results":[]}` || rec.Header().Get("Content-Length") != "14" || rec.Header().Get("Vary") != "Accept-Encoding") {
			t.Errorf("small answer: %q, Content-Length %q, Vary %q", rec.Body.String(), rec.Header().Get("Content-Length"), rec.Header().Get("Vary"))
		}
		if tt.path == "/304" || tt.path == "/br" || enc == "" {
			continue
		}
		if cl := rec.Header().Get("Content-Length"); cl != "" {
			t.Errorf("%s: compressed answer keeps Content-Length %s", tt.path, cl)
		}
		var rd io.Reader = brotli.NewReader(bytes.NewReader(rec.Body.Bytes()))
		if enc == "gzip" {
			var err error
			if rd, err = gzip.NewReader(bytes.NewReader(rec.Body.Bytes())); err != nil {
				t.Fatal(err)
			}
		}
		got, err := io.ReadAll(rd)
		if err != nil || string(got) != body {
			t.Errorf("%s %s: decoded %d bytes (%v), want the %d sent", tt.path, enc, len(got), err, len(body))
		}
		if rec.Body.Len()*5 > len(body) {
			t.Errorf("%s %s: %d bytes for %d: not compressed", tt.path, enc, rec.Body.Len(), len(body))
		}
	}
}
