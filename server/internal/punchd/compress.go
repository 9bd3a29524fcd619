package punchd

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// compress answers with brotli (quality 4: fast, and smaller than gzip)
// or gzip when the client takes either, for text and JSON: API answers
// such as a kiosk's pull (a store's roster shrinks about tenfold) and the
// PWA's pages, scripts and styles. What is already encoded (app.wasm's
// precompressed copies), ranges and bodiless answers pass as they are.
func compress(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" || !strings.Contains(r.Header.Get("Accept-Encoding"), "br") && !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, r: r}
		defer cw.close()
		h.ServeHTTP(cw, r)
	})
}

// minCompress is the smallest answer worth compressing: below it the
// encoder's setup (a gzip writer allocates about a megabyte) costs more
// than the bytes it saves. A kiosk's answer to a one-punch batch is a few
// hundred bytes, and a shift-change storm sends thousands a second.
const minCompress = 1024

// compressWriter decides at the answer's header whether it may compress
// it, and holds a compressible answer's first bytes until it knows it is
// worth it (minCompress, or a Flush).
type compressWriter struct {
	http.ResponseWriter
	r       *http.Request
	enc     io.WriteCloser // nil: the body passes as it is
	decided bool
	// held: a compressible answer whose header waits (with code) while
	// its body is shorter than minCompress (buf).
	held bool
	code int
	buf  []byte
}

// compressible says whether an answer of this type gains from compression.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/javascript" ||
		mt == "application/manifest+json" || mt == "image/svg+xml"
}

func (c *compressWriter) WriteHeader(code int) {
	if !c.decided {
		c.decided = true
		hd := c.Header()
		if code == http.StatusOK || code >= 400 && code != http.StatusNotModified {
			if hd.Get("Content-Encoding") == "" && compressible(hd.Get("Content-Type")) {
				c.held, c.code = true, code
				return
			}
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

// start sends the held header and bytes, compressed.
func (c *compressWriter) start() error {
	c.held = false
	c.Header().Del("Content-Length")
	c.enc = brotli.HTTPCompressor(c.ResponseWriter, c.r)
	c.ResponseWriter.WriteHeader(c.code)
	_, err := c.enc.Write(c.buf)
	c.buf = nil
	return err
}

func (c *compressWriter) Write(b []byte) (int, error) {
	if !c.decided {
		if c.Header().Get("Content-Type") == "" {
			c.Header().Set("Content-Type", http.DetectContentType(b))
		}
		c.WriteHeader(http.StatusOK)
	}
	if c.held {
		c.buf = append(c.buf, b...)
		if len(c.buf) < minCompress {
			return len(b), nil
		}
		return len(b), c.start()
	}
	if c.enc != nil {
		return c.enc.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// Flush sends what the encoder holds, for answers that stream.
func (c *compressWriter) Flush() {
	if c.held {
		c.start()
	}
	if f, ok := c.enc.(interface{ Flush() error }); ok {
		f.Flush()
	}
	http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// close ends the answer: a held one goes as it is, with its length.
func (c *compressWriter) close() {
	if c.held {
		hd := c.Header()
		hd.Add("Vary", "Accept-Encoding")
		hd.Set("Content-Length", strconv.Itoa(len(c.buf)))
		c.ResponseWriter.WriteHeader(c.code)
		c.ResponseWriter.Write(c.buf)
		return
	}
	if c.enc != nil {
		c.enc.Close()
	}
}
