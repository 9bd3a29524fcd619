package consolee2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/terminal/emulator"
)

// TestConsoleTerminals: a ZKTeco terminal that calls punchd unknown is
// refused and listed pending in the kiosks section; the administrator
// accepts it for the Shanghai store from the console, after which it is
// answered; a catch-up of the last week is queued for it; a pull
// terminal is registered by its LAN address, then deleted after a
// confirmation.
func TestConsoleTerminals(t *testing.T) {
	s, ctx := consoleOn(t, 4*time.Minute, map[string]auth.UserRequest{
		"u-admin": {Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword},
	})
	bg := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	door := emulator.New("ZKPUSH001", s.URL(), s.Main().Config.Now, sh)
	if _, err := door.Handshake(bg); !errors.Is(err, emulator.ErrRefused) {
		t.Fatalf("an unknown terminal's handshake: %v, want refused", err)
	}
	signIn(t, ctx, adminLogin, adminPassword)
	e2etest.Tap(t, ctx, "open Kiosks", "#nav-kiosks")
	e2etest.Wait(t, ctx, "the pending terminal", `document.querySelector('#terminal-list tr[data-serial="ZKPUSH001"]')?.dataset.state === "pending"`, 30*time.Second)

	e2etest.Tap(t, ctx, "accept it", "#terminal-accept-ZKPUSH001")
	e2etest.Wait(t, ctx, "the form", `document.getElementById("terminal-form")?.dataset.serial === "ZKPUSH001"`, 30*time.Second)
	e2etest.SetInput(t, ctx, "terminal-name", "Front door")
	choose(t, ctx, "terminal-site", "sh-jingan")
	e2etest.Tap(t, ctx, "save", "#terminal-save")
	e2etest.Wait(t, ctx, "accepted", `document.getElementById("terminal-done")?.dataset.done === "saved" && document.querySelector('#terminal-list tr[data-serial="ZKPUSH001"]')?.dataset.state === "active"`, 30*time.Second)
	if _, err := door.Handshake(bg); err != nil {
		t.Fatalf("the accepted terminal's handshake: %v", err)
	}
	term, err := s.Main().Store.Terminal(bg, "ZKPUSH001")
	if err != nil || term.SiteID != "sh-jingan" || term.Name != "Front door" {
		t.Fatalf("stored: %+v %v", term, err)
	}

	e2etest.Tap(t, ctx, "catch up", "#terminal-catchup-ZKPUSH001")
	e2etest.Wait(t, ctx, "the catch-up queued and listed", `document.getElementById("terminal-done")?.dataset.done === "catch_up" &&
		document.querySelector('#terminal-list tr[data-serial="ZKPUSH001"] [data-field="last"]')?.title.startsWith("DATA QUERY ATTLOG StartTime=")`, 30*time.Second)
	cmds, err := s.Main().Store.TerminalCommands(bg, "ZKPUSH001", 20)
	if err != nil || !strings.HasPrefix(cmds[0].Command, "DATA QUERY ATTLOG") {
		t.Fatalf("the terminal's newest command: %+v %v", cmds, err)
	}

	e2etest.Tap(t, ctx, "register a terminal", "#terminal-new")
	e2etest.Wait(t, ctx, "the form", `document.getElementById("terminal-form")?.dataset.new === "true" && document.getElementById("terminal-serial")?.readOnly === false`, 30*time.Second)
	e2etest.SetInput(t, ctx, "terminal-serial", "ZKPULL01")
	e2etest.SetInput(t, ctx, "terminal-name", "Workshop gate")
	choose(t, ctx, "terminal-site", "sh-jingan")
	e2etest.SetInput(t, ctx, "terminal-pull_addr", "10.0.8.21:4370")
	e2etest.Tap(t, ctx, "save", "#terminal-save")
	e2etest.Wait(t, ctx, "the pull terminal listed", `document.querySelector('#terminal-list tr[data-serial="ZKPULL01"]')?.dataset.state === "active"`, 30*time.Second)
	if term, err := s.Main().Store.Terminal(bg, "ZKPULL01"); err != nil || term.PullAddr != "10.0.8.21:4370" {
		t.Fatalf("stored: %+v %v", term, err)
	}
	keepShot(t, ctx, "console-terminals.png")

	e2etest.Tap(t, ctx, "delete it", "#terminal-delete-ZKPULL01")
	e2etest.Tap(t, ctx, "confirm", "#terminal-delete-yes")
	// The row the button was in, not the one go-app first drew there
	// (ZKPULL01 sorts before ZKPUSH001, which held that row).
	e2etest.Wait(t, ctx, "deleted", `document.getElementById("terminal-done")?.dataset.done === "deleted" && document.getElementById("terminal-done")?.dataset.serial === "ZKPULL01" &&
		!document.querySelector('#terminal-list tr[data-serial="ZKPULL01"]') && !!document.querySelector('#terminal-list tr[data-serial="ZKPUSH001"]')`, 30*time.Second)
}
