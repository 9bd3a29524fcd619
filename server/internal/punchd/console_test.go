package punchd_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"punchclock/server/internal/punchd"
)

// TestConsoleServed: the admin console is a second PWA on punchd's origin
// with files of its own under /admin/ (its app.js loads its own app.wasm,
// web/admin/app.wasm, and registers its own service worker), while the
// kiosk's stay where they were.
func TestConsoleServed(t *testing.T) {
	web := t.TempDir()
	if err := os.MkdirAll(filepath.Join(web, "admin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"app.wasm": "kiosk wasm", "admin/app.wasm": "console wasm", "console.css": "body{}"} {
		if err := os.WriteFile(filepath.Join(web, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := serve(t, punchd.Config{DB: filepath.Join(t.TempDir(), "p.db"), DataDir: t.TempDir(), WebDir: web, Version: "v-test"})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, http.Header) {
		t.Helper()
		resp, err := noRedirect.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	if st, _, h := get("/admin"); st != http.StatusMovedPermanently || h.Get("Location") != "/admin/" {
		t.Errorf("/admin: %d to %q, want a redirect to /admin/", st, h.Get("Location"))
	}
	for _, c := range []struct {
		path       string
		status     int
		has, hasNo []string
	}{
		{"/admin/", 200, []string{`/admin/app.js`, `/admin/manifest.webmanifest`, `/web/console.css`}, []string{`"/app.js"`}},
		{"/admin/app.js", 200, []string{`/admin/web/app.wasm`, `/admin/app-worker.js`}, nil},
		{"/admin/web/app.wasm", 200, []string{"console wasm"}, nil},
		{"/admin/web/console.css", 404, nil, nil},
		{"/app.js", 200, []string{`/web/app.wasm`, `/app-worker.js`}, []string{"/admin/"}},
		{"/web/app.wasm", 200, []string{"kiosk wasm"}, nil},
		{"/", 200, []string{`/app.js`}, []string{"/admin/app.js"}},
	} {
		st, body, _ := get(c.path)
		if st != c.status {
			t.Errorf("%s: %d, want %d", c.path, st, c.status)
			continue
		}
		for _, s := range c.has {
			if !strings.Contains(body, s) {
				t.Errorf("%s does not mention %s", c.path, s)
			}
		}
		for _, s := range c.hasNo {
			if strings.Contains(body, s) {
				t.Errorf("%s mentions %s", c.path, s)
			}
		}
	}
}
