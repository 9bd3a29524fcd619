package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"punchclock/app/wire"
	"punchclock/server/internal/backup"
	"punchclock/server/internal/sqlite"
)

// rehash, in an sqlEdit, sets the hash column of punches whose hash is
// ” to the hash of their body, as a forger covering an edit would.
const rehash = "rehash"

// sqlEdit returns a mangler that runs stmts on the backup, as someone
// with write access to the file could.
func sqlEdit(stmts ...string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if s == rehash {
				var id string
				var body []byte
				if err := db.QueryRow(`SELECT id, body FROM punches WHERE hash = ''`).Scan(&id, &body); err != nil {
					t.Fatal(err)
				}
				s = fmt.Sprintf(`UPDATE punches SET hash = '%s' WHERE id = '%s'`, wire.HashBody(body), id)
			}
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

// sqlQuery reads one row of the database at path into dest.
func sqlQuery(t *testing.T, path, query string, dest ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(query).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// fileEdit returns a mangler that rewrites the backup's bytes.
func fileEdit(edit func(t *testing.T, b []byte) []byte) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, edit(t, b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// A punch of the middle of kiosk k0's chain, by seq.
const midPunch = `(SELECT id FROM punches WHERE device_id = 'k0' AND seq = 5)`

// TestRestoreRefuses: a damaged, foreign or tampered backup is refused
// and the database it would replace is left exactly as it was.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	good := filepath.Join(t.TempDir(), "good.db")
	if _, err := backup.Backup(ctx, smallDB(t), good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mangle func(t *testing.T, path string)
		want   error
		says   string
	}{
		{"not SQLite", fileEdit(func(*testing.T, []byte) []byte { return []byte("id,name\n1,Ann\n") }), backup.ErrNotSQLite, "not a SQLite"},
		{"empty", fileEdit(func(*testing.T, []byte) []byte { return nil }), backup.ErrNotSQLite, "not a SQLite"},
		{"pages overwritten", fileEdit(func(t *testing.T, b []byte) []byte {
			// Page 2 onwards, inside the first b-tree pages.
			for i := 4096; i < 4096+2048 && i < len(b); i++ {
				b[i] ^= 0x5a
			}
			return b
		}), backup.ErrCorrupt, "damaged"},
		{"truncated", fileEdit(func(t *testing.T, b []byte) []byte { return b[:len(b)/2] }), backup.ErrCorrupt, "damaged"},
		{"bytes of a signed body flipped in the file", func(t *testing.T, path string) {
			var body []byte
			sqlQuery(t, path, `SELECT body FROM punches WHERE id = `+midPunch, &body)
			// Every copy of it: pages may keep stale copies in free space.
			fileEdit(func(t *testing.T, b []byte) []byte {
				i := bytes.Index(body, []byte(`"method":"badge"`))
				flipped := bytes.Clone(body)
				flipped[i+len(`"method":"`)] = 'B'
				return bytes.ReplaceAll(b, body, flipped)
			})(t, path)
		}, backup.ErrPunches, "signature does not verify"},
		{"body edited with SQL", sqlEdit(`DROP TRIGGER punches_no_update`,
			`UPDATE punches SET body = CAST(replace(CAST(body AS TEXT), '"method":"badge"', '"method":"face"') AS BLOB) WHERE id = `+midPunch),
			backup.ErrPunches, "signature does not verify"},
		{"body and hash edited, the next punch then breaks", sqlEdit(`DROP TRIGGER punches_no_update`,
			`UPDATE punches SET body = CAST(replace(CAST(body AS TEXT), '"method":"badge"', '"method":"face"') AS BLOB) WHERE id = `+midPunch,
			`UPDATE punches SET hash = '' WHERE id = `+midPunch, rehash),
			backup.ErrPunches, "its prev is not the hash of seq 5"},
		{"punch deleted", sqlEdit(`DROP TRIGGER punches_no_delete`, `DELETE FROM punches WHERE id = `+midPunch),
			backup.ErrPunches, "seq 5 of device k0 is missing"},
		{"seq column moved", sqlEdit(`DROP TRIGGER punches_no_update`, `UPDATE punches SET seq = 99 WHERE id = `+midPunch),
			backup.ErrPunches, "its signed body says"},
		{"device key replaced", sqlEdit(`UPDATE devices SET public_key = zeroblob(32) WHERE id = 'k1'`),
			backup.ErrPunches, "signature does not verify"},
		{"schema from a newer punchd", sqlEdit(`INSERT INTO schema_migrations (version, applied_at_ms) VALUES (999, 0)`),
			backup.ErrSchema, "newer"},
		{"another application's database", sqlEdit(`DROP TABLE schema_migrations`), backup.ErrSchema, "not a punchclock database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "candidate.db")
			copyFile(t, good, src)
			tt.mangle(t, src)
			target := smallDB(t)
			before := snapshot(t, filepath.Dir(target))
			_, err := backup.Restore(ctx, src, target, t0)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("restore: %v\nwant %v saying %q", err, tt.want, tt.says)
			}
			if after := snapshot(t, filepath.Dir(target)); !maps.Equal(before, after) {
				t.Errorf("the refused restore changed the database's folder:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestRestoreReplaces: with punchd stopped, a restore keeps the database
// it replaces (WAL included) and installs the backup; with the database
// open, it refuses.
func TestRestoreReplaces(t *testing.T) {
	ctx := context.Background()
	bak := filepath.Join(t.TempDir(), "b.db")
	if _, err := backup.Backup(ctx, smallDB(t), bak); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "punchclock.db")
	st, err := sqlite.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, st, 1)
	before := snapshot(t, filepath.Dir(target))
	if _, err := backup.Restore(ctx, bak, target, t0); !errors.Is(err, backup.ErrInUse) {
		t.Fatalf("restore with the store open: %v, want ErrInUse", err)
	}
	if after := snapshot(t, filepath.Dir(target)); !maps.Equal(before, after) {
		t.Errorf("the refused restore changed the folder:\nbefore %v\nafter  %v", before, after)
	}
	st.Close()

	res, err := backup.Restore(ctx, bak, target, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := target + ".before-restore-20261120T090000Z"; res.Replaced != want {
		t.Errorf("replaced database kept as %q, want %q", res.Replaced, want)
	}
	if res.Report.Punches != 60 || res.Report.Devices != 2 || res.Report.Gaps != 1 {
		t.Errorf("report %+v", res.Report)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(target + suffix); err == nil {
			t.Errorf("%s left beside the restored database", suffix)
		}
	}
	if got := countPunches(t, target); got != 60 {
		t.Errorf("restored database holds %d punches, want 60", got)
	}
	// The replaced database is whole: its one kiosk is there.
	old, err := sqlite.Open(ctx, res.Replaced)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if devs, err := old.Devices(ctx); err != nil || len(devs) != 1 {
		t.Errorf("replaced database: %d devices, %v", len(devs), err)
	}

	// A second restore the same second keeps the first's copy too.
	res2, err := backup.Restore(ctx, bak, target, t0)
	if err != nil || res2.Replaced == res.Replaced || res2.Replaced == "" {
		t.Errorf("second restore: %+v %v", res2.Replaced, err)
	}
}

// TestRestoreRefusesLiveFile: a database file with its log beside it is
// not a backup.
func TestRestoreRefusesLiveFile(t *testing.T) {
	ctx := context.Background()
	live := filepath.Join(t.TempDir(), "live.db")
	st, err := sqlite.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seed(t, st, 1)
	if _, err := backup.Restore(ctx, live, filepath.Join(t.TempDir(), "x.db"), t0); err == nil || !strings.Contains(err.Error(), "write-ahead log") {
		t.Errorf("restore of a live database file: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
