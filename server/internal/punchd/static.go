package punchd

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// webDir serves go-app's /web/ resources from a folder anywhere on disk,
// preferring a precompressed NAME.br or NAME.gz the browser accepts (made
// by Precompress; app.wasm shrinks from about 16 MB to 3 MB with brotli).
// (app.LocalDir takes the folder's parent and puts that path into every
// resource URL, which breaks for absolute paths.)
type webDir string

// Resolve keeps /web/ URLs as they are: they are served from this server.
func (d webDir) Resolve(location string) string {
	if location == "" {
		return "/"
	}
	return location
}

// ServeHTTP serves /web/NAME from the folder's NAME.
func (d webDir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(strings.TrimPrefix(r.URL.Path, "/web"))
	if enc, file := d.compressed(name, r.Header.Get("Accept-Encoding")); enc != "" {
		defer file.Close()
		st, err := file.Stat()
		if err == nil {
			w.Header().Set("Content-Encoding", enc)
			w.Header().Add("Vary", "Accept-Encoding")
			if ct := contentType(name); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			http.ServeContent(w, r, name, st.ModTime(), file)
			return
		}
	}
	w.Header().Add("Vary", "Accept-Encoding")
	http.StripPrefix("/web", http.FileServer(http.Dir(string(d)))).ServeHTTP(w, r)
}

// compressed opens the best precompressed variant of name the client
// accepts, if one exists and is not older than name itself.
func (d webDir) compressed(name, accept string) (string, *os.File) {
	orig, err := os.Stat(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil || orig.IsDir() {
		return "", nil
	}
	for _, v := range []struct{ enc, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !accepts(accept, v.enc) {
			continue
		}
		f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(name)+v.ext))
		if err != nil {
			continue
		}
		if st, err := f.Stat(); err != nil || st.ModTime().Before(orig.ModTime()) {
			f.Close() // stale: app.wasm was rebuilt after it
			continue
		}
		return v.enc, f
	}
	return "", nil
}

// accepts reports whether an Accept-Encoding header allows enc (listed
// with no q, or a q above zero).
func accepts(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".wasm":
		return "application/wasm"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	return ""
}

// wasmLength is app.wasm's size, for go-app's loading progress when the
// file travels compressed.
func (d webDir) wasmLength() string {
	st, err := os.Stat(filepath.Join(string(d), "app.wasm"))
	if err != nil {
		return ""
	}
	return strconv.FormatInt(st.Size(), 10)
}

// Precompress writes NAME.br (brotli, quality 11) and NAME.gz (gzip, best)
// beside each file unless they are already newer than it.
func Precompress(files ...string) error {
	for _, name := range files {
		st, err := os.Stat(name)
		if err != nil {
			return fmt.Errorf("punchd: precompress: %w", err)
		}
		for _, v := range []struct {
			ext string
			w   func(io.Writer) io.WriteCloser
		}{
			{".br", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, brotli.BestCompression) }},
			{".gz", func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestCompression); return z }},
		} {
			if out, err := os.Stat(name + v.ext); err == nil && !out.ModTime().Before(st.ModTime()) {
				continue
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("punchd: precompress: %w", err)
			}
			if err := compressFile(name, name+v.ext, v.w); err != nil {
				return err
			}
		}
	}
	return nil
}

func compressFile(src, dst string, newWriter func(io.Writer) io.WriteCloser) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("punchd: precompress: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*")
	if err != nil {
		return fmt.Errorf("punchd: precompress: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes 0600
		tmp.Close()
		return fmt.Errorf("punchd: precompress: %w", err)
	}
	zw := newWriter(tmp)
	if _, err := io.Copy(zw, in); err != nil {
		tmp.Close()
		return fmt.Errorf("punchd: precompress %s: %w", src, err)
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("punchd: precompress %s: %w", src, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("punchd: precompress %s: %w", src, err)
	}
	// Renamed into place whole, so a server never serves half a file.
	return os.Rename(tmp.Name(), dst)
}
