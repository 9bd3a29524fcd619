package punchd

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/console"
)

// The admin console is a second go-app PWA on the same origin (package
// app/console). Its page is console.Prefix + "/", and so are its own
// app.js, service worker (whose scope is then the console alone),
// manifest and app.wasm (web/admin/app.wasm); the styles and icons are
// the kiosk's, under /web/.

// consoleOwn are the go-app files each PWA has its own copy of.
var consoleOwn = []string{"/app.js", "/app-worker.js", "/manifest.webmanifest", "/wasm_exec.js", "/web/app.wasm"}

// consoleDir resolves and serves the console's resources: its own files
// under console.Prefix, the shared ones where the kiosk serves them.
type consoleDir struct{ web webDir }

// Resolve puts the console's own files under console.Prefix.
func (d consoleDir) Resolve(location string) string {
	for _, f := range consoleOwn {
		if location == f {
			return console.Prefix + f
		}
	}
	return d.web.Resolve(location)
}

// ServeHTTP serves /web/app.wasm (the request's path has lost the prefix)
// from web/admin/app.wasm.
func (d consoleDir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	webDir(filepath.Join(string(d.web), "admin")).ServeHTTP(w, r)
}

// consoleHandler serves the console: its own files with the prefix taken
// off (go-app's handler knows them at the root), its page as it is (the
// route is console.Prefix + "/").
func (m *Main) consoleHandler() http.Handler {
	h := console.Handler(m.Config.Version)
	if m.Config.WebDir != "" {
		d := consoleDir{webDir(m.Config.WebDir)}
		h.Resources = d
		h.WasmContentLength = webDir(filepath.Join(m.Config.WebDir, "admin")).wasmLength()
	}
	own := http.StripPrefix(console.Prefix, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == console.Prefix {
			http.Redirect(w, r, console.Prefix+"/", http.StatusMovedPermanently)
			return
		}
		rest := strings.TrimPrefix(p, console.Prefix)
		for _, f := range consoleOwn {
			if rest == f {
				own.ServeHTTP(w, r)
				return
			}
		}
		if strings.HasPrefix(rest, "/web/") {
			// Only app.wasm lives under the console's /web/.
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

var _ app.ResourceResolver = consoleDir{}
