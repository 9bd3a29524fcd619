package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Restored is what Restore did.
type Restored struct {
	Report Report
	// Replaced is where the database Restore replaced was kept ("" when
	// there was none).
	Replaced string
}

// Restore installs the backup src as the SQLite database db. It copies
// src beside db, verifies the copy (Verify: what is checked is exactly
// what is installed), then, if db exists, checks that nothing has it open
// and keeps it as <db>.before-restore-<now> with its write-ahead log, and
// renames the copy to db. A refused restore (a check fails, or db is in
// use) leaves db as it was; once db is found free, it is taken out of WAL
// mode (its log folded in, its content the same) before it is set aside.
//
// punchd must be stopped first. Restore refuses with ErrInUse when
// another connection has db open, which a running punchd always has.
func Restore(ctx context.Context, src, db string, now time.Time) (Restored, error) {
	var res Restored
	if err := isSQLite(src); err != nil {
		return res, err
	}
	if same(src, db) {
		return res, fmt.Errorf("backup: %s is the database itself", src)
	}
	// The main file of a database whose log is not empty lacks the
	// commits still in the log.
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		return res, fmt.Errorf("backup: %s has a write-ahead log beside it: it is a live database, not a backup (take one with punchd backup)", src)
	}
	dir := filepath.Dir(db)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	tmp, err := copyBeside(src, db)
	if err != nil {
		return res, err
	}
	installed := false
	defer func() {
		if !installed {
			removeDB(tmp)
		}
	}()
	if res.Report, err = verifyFile(ctx, tmp); err != nil {
		return res, fmt.Errorf("backup: %s: %w", src, err)
	}
	// A read-only open of a WAL-mode copy may leave an empty -shm.
	os.Remove(tmp + "-shm")
	if err := release(ctx, db); err != nil {
		return res, err
	}
	if res.Replaced, err = setAside(db, now); err != nil {
		return res, err
	}
	if err := os.Rename(tmp, db); err != nil {
		return res, fmt.Errorf("backup: install: %w", err)
	}
	installed = true
	return res, syncDir(dir)
}

// copyBeside copies src to a new temporary file in db's folder (so the
// final rename stays in one file system) and syncs it.
func copyBeside(src, db string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(db), "."+filepath.Base(db)+".restore-*")
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("backup: copy %s: %w", src, err)
	}
	return out.Name(), nil
}

// release makes sure no connection has db open, and folds its
// write-ahead log into the main file so the copy set aside is whole.
//
// Leaving WAL mode needs the database to itself: SQLite answers busy
// while any other connection, even an idle one, has it open (a shared
// lock on the -shm file says so), which is how a running punchd is
// told from a stopped one. A file SQLite cannot read (the damaged
// database being replaced) is set aside as it is.
func release(ctx context.Context, db string) error {
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	conn, err := sql.Open("sqlite", "file:"+escapePath(db)+"?mode=rw&_pragma=busy_timeout(2000)")
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", db, err)
	}
	defer conn.Close()
	var mode string
	err = conn.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode)
	if err == nil && mode != "delete" {
		return fmt.Errorf("backup: %s: %w: it stays in journal mode %s", db, ErrInUse, mode)
	}
	if err == nil {
		// Taken and released: no connection is in a transaction either.
		if _, err = conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err == nil {
			_, err = conn.ExecContext(ctx, `COMMIT`)
		}
	}
	var e *sqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED):
		return fmt.Errorf("backup: %s: %w: stop punchd (and anything else using it) first", db, ErrInUse)
	case errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_NOTADB || e.Code()&0xff == sqlite3.SQLITE_CORRUPT):
		return nil
	}
	return fmt.Errorf("backup: %s: %w", db, err)
}

// setAside renames db, with its -wal and -journal files, to
// <db>.before-restore-<now> (with a numeric suffix if that exists), and
// removes its -shm (an index SQLite rebuilds). A log left beside db would
// otherwise be replayed into the restored database.
func setAside(db string, now time.Time) (string, error) {
	aside := db + ".before-restore-" + now.UTC().Format("20060102T150405Z")
	for n := 2; exists(aside) || exists(aside+"-wal") || exists(aside+"-journal"); n++ {
		aside = fmt.Sprintf("%s.before-restore-%s-%d", db, now.UTC().Format("20060102T150405Z"), n)
	}
	moved := ""
	for _, suffix := range []string{"", "-wal", "-journal"} {
		err := os.Rename(db+suffix, aside+suffix)
		switch {
		case err == nil:
			if suffix == "" {
				moved = aside
			}
		case !errors.Is(err, os.ErrNotExist):
			return "", fmt.Errorf("backup: set aside %s: %w", db+suffix, err)
		}
	}
	if err := os.Remove(db + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("backup: %w", err)
	}
	return moved, nil
}

// removeDB removes a database file and the files SQLite keeps beside it.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// same reports whether a and b name the same existing file.
func same(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
