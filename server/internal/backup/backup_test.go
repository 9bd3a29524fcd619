package backup_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"punchclock/server/internal/backup"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlite"
)

// TestBackupUnderLoad takes backups while kiosks sync signed, chained
// batches into a live store, and checks that each backup is a whole
// snapshot: it passes integrity_check, every punch signature and chain
// verifies, and it holds every punch acknowledged before the backup began
// and none that was not yet sent when it ended. One is then restored and
// opened with the store.
func TestBackupUnderLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "punchclock.db")
	st, err := sqlite.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kiosks := seed(t, st, 4)
	svc := punch.New(st, clock)

	// sent counts punches handed to ingest, acked those it accepted: a
	// punch in a backup was committed, so sent before the backup ended;
	// it may be acknowledged only later.
	var sent, acked, backups atomic.Int64
	const minBatches = 15
	var wg sync.WaitGroup
	for i, k := range kiosks {
		wg.Go(func() {
			// Kiosks keep syncing until three backups have been taken
			// under load.
			for b := 0; b < minBatches || backups.Load() < 3; b++ {
				req := k.batch(t, 10, i == 0 && b%5 == 4)
				sent.Add(int64(len(req.Punches)))
				acked.Add(int64(ingest(t, svc, req)))
				if t.Failed() {
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var last string
	for n := 0; ; n++ {
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		before := acked.Load()
		dest := filepath.Join(dir, fmt.Sprintf("backup-%d.db", n))
		if _, err := backup.Backup(ctx, live, dest); err != nil {
			t.Fatalf("backup %d: %v", n, err)
		}
		after := sent.Load()
		rep, err := backup.Verify(ctx, dest)
		if err != nil {
			t.Fatalf("backup %d: %v", n, err)
		}
		if int64(rep.Punches) < before || int64(rep.Punches) > after {
			t.Errorf("backup %d holds %d punches; %d were acknowledged before it began, %d sent when it ended", n, rep.Punches, before, after)
		}
		if finished {
			// Taken after the kiosks stopped: everything.
			if int64(rep.Punches) != acked.Load() || rep.Devices != len(kiosks) || rep.Gaps == 0 {
				t.Errorf("final backup: %+v; %d punches acknowledged", rep, acked.Load())
			}
			break
		}
		if t.Failed() {
			<-done
			t.FailNow()
		}
		backups.Add(1)
		last = dest
	}
	t.Logf("%d backups under load; %d punches in the end", backups.Load(), acked.Load())

	// A backup taken under load restores into a new place and opens.
	restored := filepath.Join(t.TempDir(), "var", "punchclock.db")
	res, err := backup.Restore(ctx, last, restored, t0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced != "" {
		t.Errorf("nothing to replace, yet Replaced = %q", res.Replaced)
	}
	if got := countPunches(t, restored); got != res.Report.Punches {
		t.Errorf("restored database holds %d punches, the check counted %d", got, res.Report.Punches)
	}
	if _, err := backup.Verify(ctx, restored); err != nil {
		t.Errorf("restored database, after punchd opened it: %v", err)
	}

	// The live database is open: restoring over it is refused.
	if _, err := backup.Restore(ctx, last, live, t0); !errors.Is(err, backup.ErrInUse) {
		t.Errorf("restore over the open database: %v, want ErrInUse", err)
	}
}

// TestBackupRefuses: Backup never overwrites and copies only SQLite.
func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	db := smallDB(t)
	dir := t.TempDir()
	dest := filepath.Join(dir, "b.db")
	if err := os.WriteFile(dest, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Backup(ctx, db, dest); err == nil {
		t.Error("backup over an existing file succeeded")
	}
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a database, clearly not one at all"), 0o600)
	if _, err := backup.Backup(ctx, text, filepath.Join(dir, "c.db")); !errors.Is(err, backup.ErrNotSQLite) {
		t.Errorf("backup of a text file: %v, want ErrNotSQLite", err)
	}
	if _, err := backup.Backup(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "d.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup of a missing file: %v", err)
	}
	if got := snapshot(t, dir); len(got) != 2 {
		t.Errorf("the refused backups left files: %v", got)
	}
}
