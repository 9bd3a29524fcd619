package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBrowserDependencies guards what reaches app.wasm: no face library
// (cgo and dlib cannot build for the browser), no database/sql (the kiosk
// stores in IndexedDB; a database driver would only bloat the download), no
// server code, no zone database (64 KB of the download: punchd sends the
// site's zone rules, attendance.Site.ZoneRules). It runs natively and asks the go command for the js/wasm
// build's dependencies.
func TestBrowserDependencies(t *testing.T) {
	deps := browserDeps(t, ".")
	have := map[string]bool{}
	for _, d := range deps {
		have[d] = true
		// database/sql/driver is allowed: google/uuid imports it for its
		// Scanner and Valuer methods, and it is a few interfaces.
		if d == "database/sql" {
			t.Errorf("app.wasm depends on %s", d)
		}
		for _, banned := range []string{"github.com/Kagami/go-face", "punchclock/server/", "modernc.org/sqlite", "github.com/jackc/pgx", "time/tzdata"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("app.wasm depends on %s", d)
			}
		}
	}
	if have["punchclock/app/console"] {
		t.Error("app.wasm carries the admin console (it has its own build, wasm/console)")
	}
	// And what must be there: the IndexedDB store and the pages.
	for _, want := range []string{"punchclock/kiosk/outbox/idbstore", "punchclock/kiosk/pages"} {
		if !have[want] {
			t.Errorf("app.wasm does not include %s", want)
		}
	}
}

// TestConsoleDependencies guards the console's build (web/admin/app.wasm):
// none of the kiosk's pages, no server code, no database; it calls punchd
// through the browser's fetch (kiosk/fetch). (net/http itself is there:
// go-app imports it.)
func TestConsoleDependencies(t *testing.T) {
	have := map[string]bool{}
	for _, d := range browserDeps(t, "./console") {
		have[d] = true
		for _, banned := range []string{"punchclock/kiosk/pages", "punchclock/server/", "database/sql", "github.com/Kagami/go-face"} {
			if d == banned || strings.HasPrefix(d, banned) && strings.HasSuffix(banned, "/") {
				t.Errorf("the console depends on %s", d)
			}
		}
	}
	if !have["punchclock/app/console"] || !have["punchclock/kiosk/fetch"] {
		t.Error("the console's build lacks app/console or kiosk/fetch")
	}
	// The console reads sites' zones and iCal files' TZIDs itself.
	if !have["time/tzdata"] {
		t.Error("the console's build lacks the zone database")
	}
}

// browserDeps lists the packages the js/wasm build of pkg depends on.
func browserDeps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	return strings.Fields(string(out))
}
