package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestGroupCommitSync: the store's connections wait for the disk at each
// commit (synchronous=FULL, 2), the group committer's is left to its sync
// stage, and that sync fsyncs the store's write-ahead log; a log that is
// not there (checkpointed and removed) is nothing to sync.
func TestGroupCommitSync(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var level int
	if err := st.SQL().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&level); err != nil || level != 2 {
		t.Errorf("a connection's synchronous: %d %v, want 2 (FULL)", level, err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no log at %s-wal: %v", path, err)
	}
	if err := syncWAL(path + "-wal"); err != nil {
		t.Errorf("sync the log: %v", err)
	}
	if err := syncWAL(path + "-gone"); err != nil {
		t.Errorf("a log that is not there: %v", err)
	}
}
