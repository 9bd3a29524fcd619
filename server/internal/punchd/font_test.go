package punchd

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"punchclock/kiosk/pages"
)

// TestFontVersionedURL: the CJK font travels under a URL naming its
// content, cached for a year there and revalidated elsewhere; a new font
// gets a new URL; a web folder without one gives no URL and a 404.
func TestFontVersionedURL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, pages.CJKFontFile)
	f := &webFont{path: path}
	if u := f.URL(); u != "" {
		t.Errorf("URL without a font = %q, want none", u)
	}
	get := func(url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec
	}
	if rec := get("/web/" + pages.CJKFontFile); rec.Code != 404 {
		t.Errorf("GET without a font: %d, want 404", rec.Code)
	}
	if err := os.WriteFile(path, []byte("wOF2 first"), 0o644); err != nil {
		t.Fatal(err)
	}
	first := f.URL()
	if !strings.HasPrefix(first, "/web/"+pages.CJKFontFile+"?v=") {
		t.Fatalf("URL = %q", first)
	}
	rec := get(first)
	if rec.Code != 200 || rec.Body.String() != "wOF2 first" || rec.Header().Get("Content-Type") != "font/woff2" || rec.Header().Get("Cache-Control") != fontMaxAge {
		t.Errorf("GET %s: %d %q %v", first, rec.Code, rec.Body, rec.Header())
	}
	if cc := get("/web/" + pages.CJKFontFile + "?v=0000").Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("another version: Cache-Control %q, want no-cache", cc)
	}
	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(path, []byte("wOF2 second"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if second := f.URL(); second == first || second == "" {
		t.Errorf("a new font kept its URL: %q then %q", first, second)
	}
	if cc := get(first).Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("the old version's URL: Cache-Control %q, want no-cache", cc)
	}
}
