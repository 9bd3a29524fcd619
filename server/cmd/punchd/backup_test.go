package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/punchd"
)

// punchdCmd runs punchd (this test binary standing in for it, see
// TestMain) with args and returns what it printed and whether it
// succeeded.
func punchdCmd(t *testing.T, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asPunchd+"=1")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return string(out), err == nil
}

// TestBackupRestoreCommands: `punchd backup` copies and checks the demo
// database while a punchd has it open; `punchd restore` refuses while it
// is open and installs the backup once it is closed; -verify-only checks
// a file; PostgreSQL is pointed to pg_dump.
func TestBackupRestoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "var", "punchclock.db")
	// The demo week is laid out before the injected now, whatever the
	// hour the test runs.
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	m, err := punchd.Open(ctx, punchd.Config{DB: db, Demo: true, DataDir: filepath.Join(dir, "var"), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	bak := filepath.Join(dir, "backup.db")
	out, ok := punchdCmd(t, "-db", db, "backup", bak)
	if !ok || !regexp.MustCompile(`backed up .* to .*backup\.db: \d+ bytes in`).MatchString(out) ||
		!regexp.MustCompile(`verified in .*: [1-9]\d* punches of 1 device\(s\), every signature and chain holds; schema \d+\n`).MatchString(out) {
		t.Fatalf("punchd backup:\n%s", out)
	}
	if out, ok := punchdCmd(t, "-db", db, "backup", bak); ok || !strings.Contains(out, "already exists") {
		t.Errorf("backup over an existing file:\n%s", out)
	}
	if out, ok := punchdCmd(t, "-db", db, "restore", bak); ok || !strings.Contains(out, "database is in use: stop punchd") {
		t.Errorf("restore while punchd has the database open:\n%s", out)
	}
	if out, ok := punchdCmd(t, "-db", db, "restore", "-verify-only", bak); !ok || !strings.Contains(out, "every signature and chain holds") {
		t.Errorf("restore -verify-only:\n%s", out)
	}
	// Without FILE, -verify-only checks the database itself, live.
	if out, ok := punchdCmd(t, "-db", db, "restore", "-verify-only"); !ok || !strings.Contains(out, "every signature and chain holds") {
		t.Errorf("restore -verify-only of the database:\n%s", out)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	out, ok = punchdCmd(t, "-db", db, "restore", bak)
	if !ok || !strings.Contains(out, "restored "+bak+" as "+db) || !strings.Contains(out, "kept as "+db+".before-restore-") {
		t.Fatalf("punchd restore:\n%s", out)
	}
	if out, ok := punchdCmd(t, "-db", db, "migrate"); !ok {
		t.Errorf("the restored database does not open:\n%s", out)
	}

	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte("this is not a database, only some words in a file"), 0o600)
	if out, ok := punchdCmd(t, "-db", db, "restore", garbage); ok || !strings.Contains(out, "not a SQLite database") {
		t.Errorf("restore of a text file:\n%s", out)
	}
	if out, ok := punchdCmd(t, "-db", "postgres://postgres@127.0.0.1:5432/x", "backup", filepath.Join(dir, "pg.db")); ok || !strings.Contains(out, "pg_dump -Fc") {
		t.Errorf("backup of PostgreSQL:\n%s", out)
	}
}
