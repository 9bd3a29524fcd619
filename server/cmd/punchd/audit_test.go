package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestAuditVerifyCommand: tokens made from the command line are in the
// audit log; `punchd audit verify` passes on it, and names the entry a
// tampering broke.
func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "p.db")
	for _, name := range []string{"payroll", "hr-sync", "bi"} {
		if err := run(ctx, []string{"-db", db, "token", "-name", name, "-role", "integrator"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(ctx, []string{"-db", db, "audit", "verify"}); err != nil {
		t.Fatalf("audit verify on an untouched log: %v", err)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'token.issue' AND actor = 'cli'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d token entries by cli (%v), want 3", n, err)
	}
	if _, err := raw.ExecContext(ctx, `UPDATE audit_log SET target = 'mallory' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"-db", db, "audit", "verify"})
	if err == nil || !strings.Contains(err.Error(), "entry 2") {
		t.Fatalf("audit verify after tampering with entry 2: %v", err)
	}
}

// TestUserCommand: `punchd user` makes the first super admin, reading the
// password from standard input, hashes it, and logs the act.
func TestUserCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "p.db")
	var out strings.Builder
	cmd := userCommand(&db, strings.NewReader("correct horse battery\n"), &out)
	if err := cmd.ParseAndRun(ctx, []string{"-id", "u-admin", "-login", "admin@example.com", "-name", "Admin"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "created account u-admin (admin@example.com, role super_admin, password set: true)") {
		t.Errorf("output: %s", out.String())
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var hash, action string
	if err := raw.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = 'u-admin'`).Scan(&hash); err != nil || !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("stored hash %q (%v)", hash, err)
	}
	if err := raw.QueryRowContext(ctx, `SELECT action FROM audit_log WHERE actor = 'cli'`).Scan(&action); err != nil || action != "auth.put_user" {
		t.Errorf("audit: %q %v", action, err)
	}
	if err := userCommand(&db, strings.NewReader("short\n"), &out).ParseAndRun(ctx, []string{"-id", "u-2", "-login", "b"}); err == nil {
		t.Error("a 5-character password was accepted")
	}
}
