package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBrowserDependencies guards what reaches app.wasm: no face library
// (cgo and dlib cannot build for the browser), no database/sql (the kiosk
// stores in IndexedDB; a database driver would only bloat the download), no
// server code. It runs natively and asks the go command for the js/wasm
// build's dependencies.
func TestBrowserDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	have := map[string]bool{}
	for _, d := range deps {
		have[d] = true
		// database/sql/driver is allowed: google/uuid imports it for its
		// Scanner and Valuer methods, and it is a few interfaces.
		if d == "database/sql" {
			t.Errorf("app.wasm depends on %s", d)
		}
		for _, banned := range []string{"github.com/Kagami/go-face", "punchclock/server/", "modernc.org/sqlite", "github.com/jackc/pgx"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("app.wasm depends on %s", d)
			}
		}
	}
	// And what must be there: the zone database and the IndexedDB store.
	for _, want := range []string{"time/tzdata", "punchclock/kiosk/outbox/idbstore", "punchclock/kiosk/pages"} {
		if !have[want] {
			t.Errorf("app.wasm does not include %s", want)
		}
	}
}
