package punchd

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestAccepts(t *testing.T) {
	tests := []struct {
		header, enc string
		want        bool
	}{
		{"gzip, deflate, br, zstd", "br", true},
		{"gzip, deflate, br, zstd", "gzip", true},
		{"gzip;q=0.5, br;q=0", "br", false},
		{"gzip;q=0.5, br;q=0", "gzip", true},
		{"identity", "br", false},
		{"", "gzip", false},
		{"BR", "br", true},
	}
	for _, tt := range tests {
		if got := accepts(tt.header, tt.enc); got != tt.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tt.header, tt.enc, got, tt.want)
		}
	}
}

// TestPrecompressedWasm: app.wasm travels brotli- or gzip-compressed when
// the browser accepts it, plain otherwise, and never from a stale copy.
func TestPrecompressedWasm(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "app.wasm")
	raw := bytes.Repeat([]byte("\x00asm wasm payload "), 5000)
	if err := os.WriteFile(wasm, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Precompress(wasm); err != nil {
		t.Fatal(err)
	}
	d := webDir(dir)
	get := func(accept string) (*http.Response, []byte) {
		req := httptest.NewRequest("GET", "/web/app.wasm", nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, req)
		return rec.Result(), rec.Body.Bytes()
	}
	decode := map[string]func(io.Reader) io.Reader{
		"br": func(r io.Reader) io.Reader { return brotli.NewReader(r) },
		"gzip": func(r io.Reader) io.Reader {
			z, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			return z
		},
		"": func(r io.Reader) io.Reader { return r },
	}
	for _, tt := range []struct{ accept, enc string }{{"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"", ""}} {
		resp, body := get(tt.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tt.enc {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.enc)
		}
		if tt.enc != "" && resp.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("%s: Content-Type %q", tt.enc, resp.Header.Get("Content-Type"))
		}
		plain, err := io.ReadAll(decode[tt.enc](bytes.NewReader(body)))
		if err != nil || !bytes.Equal(plain, raw) {
			t.Errorf("%q: body does not decode to app.wasm (%v)", tt.accept, err)
		}
	}
	if d.wasmLength() != "90000" {
		t.Errorf("wasmLength = %s", d.wasmLength())
	}
	// A rebuilt app.wasm makes the compressed copies stale: served plain.
	later := time.Now().Add(time.Hour)
	os.Chtimes(wasm, later, later)
	if resp, _ := get("br"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("stale app.wasm.br served")
	}
	if err := Precompress(wasm); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(wasm+".br", later, later)
	if resp, _ := get("br"); resp.Header.Get("Content-Encoding") != "br" {
		t.Errorf("fresh app.wasm.br not served")
	}
}
