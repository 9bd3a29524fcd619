package punchd

import (
	"io"
	"mime"
	"net/http"
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

// compressWriter decides at the answer's header whether to compress it.
type compressWriter struct {
	http.ResponseWriter
	r       *http.Request
	enc     io.WriteCloser // nil: the body passes as it is
	decided bool
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
				hd.Del("Content-Length")
				c.enc = brotli.HTTPCompressor(c.ResponseWriter, c.r)
			}
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *compressWriter) Write(b []byte) (int, error) {
	if !c.decided {
		if c.Header().Get("Content-Type") == "" {
			c.Header().Set("Content-Type", http.DetectContentType(b))
		}
		c.WriteHeader(http.StatusOK)
	}
	if c.enc != nil {
		return c.enc.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// Flush sends what the encoder holds, for answers that stream.
func (c *compressWriter) Flush() {
	if f, ok := c.enc.(interface{ Flush() error }); ok {
		f.Flush()
	}
	http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *compressWriter) close() {
	if c.enc != nil {
		c.enc.Close()
	}
}
