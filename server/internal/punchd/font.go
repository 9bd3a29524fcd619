package punchd

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"punchclock/kiosk/pages"
)

// webFont serves the kiosk's CJK web font (pages.CJKFontFile, made by
// `make font`) under a URL that names its content, /web/cjk-sc.woff2?v=SUM,
// so browsers may keep it for a year: a new font gets a new URL, and with
// it a new service worker (its cache list changes). A request for another
// version gets the current font, to be revalidated.
type webFont struct {
	path string
	mu   sync.Mutex
	mod  time.Time
	size int64
	sum  string
}

// fontMaxAge is the font's cache lifetime at its versioned URL.
const fontMaxAge = "public, max-age=31536000, immutable"

// URL is the font's versioned URL, or "" when the web folder has none
// (`make font` was not run): then the pages do without it.
func (f *webFont) URL() string {
	file, err := os.Open(f.path)
	if err != nil {
		return ""
	}
	defer file.Close()
	v, err := f.version(file)
	if err != nil {
		return ""
	}
	return "/web/" + pages.CJKFontFile + "?v=" + v
}

// version is the first 16 hex digits of the open font's SHA-256,
// remembered while its size and time stay the same.
func (f *webFont) version(file *os.File) (string, error) {
	st, err := file.Stat()
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sum != "" && st.ModTime().Equal(f.mod) && st.Size() == f.size {
		return f.sum, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return "", err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	f.mod, f.size, f.sum = st.ModTime(), st.Size(), hex.EncodeToString(h.Sum(nil))[:16]
	return f.sum, nil
}

// ServeHTTP serves the font, for a year at its current version's URL.
func (f *webFont) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	file, err := os.Open(f.path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer file.Close()
	v, err := f.version(file)
	if err != nil {
		http.Error(w, "the font cannot be read", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "font/woff2")
	if r.URL.Query().Get("v") == v {
		w.Header().Set("Cache-Control", fontMaxAge)
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, pages.CJKFontFile, f.mod, file)
}
