// Package backup copies, checks and restores punchd's SQLite database.
//
// Backup takes a consistent online copy with VACUUM INTO on a connection
// of the live database: it reads one snapshot in a read transaction, so
// kiosks keep syncing (WAL writers are not blocked) and the copy holds
// every punch committed before that snapshot and none after it.
//
// Verify checks a copy before anyone relies on it: the file is SQLite,
// PRAGMA integrity_check passes, its schema is one this punchd can
// migrate, and every punch is the evidence ingest stored: its signed body
// verifies with its device's public key, its columns agree with the body,
// and each device's hash chain holds (a gap is allowed only where ingest
// flagged the punch chain_gap). VerifyPostgres runs the punch checks on a
// PostgreSQL database, after pg_restore.
//
// Restore verifies a copy of the backup made beside the database, refuses
// while another connection has the database open, keeps the database it
// replaces as <db>.before-restore-<time>, and installs the copy with a
// rename, so the database is either the old one or the verified new one.
package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors Verify and Restore return (wrapped, with the details).
var (
	// ErrNotSQLite: the file is not a SQLite database.
	ErrNotSQLite = errors.New("not a SQLite database")
	// ErrCorrupt: SQLite finds the file damaged.
	ErrCorrupt = errors.New("database is damaged")
	// ErrSchema: not a punchclock database, or one made by a newer punchd.
	ErrSchema = errors.New("schema is not one this punchd can use")
	// ErrPunches: a punch's signature, columns or chain do not verify.
	ErrPunches = errors.New("punches do not verify")
	// ErrInUse: another connection (a running punchd) has the database open.
	ErrInUse = errors.New("database is in use")
)

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Copy is what Backup wrote.
type Copy struct {
	Path string
	Size int64
}

// Backup writes a consistent copy of the live SQLite database db to dest,
// which must not exist. It runs beside a punchd that is serving: the copy
// is one snapshot of the committed state. The copy is written under a
// temporary name, synced, and renamed to dest, so dest is whole or absent.
func Backup(ctx context.Context, db, dest string) (Copy, error) {
	if err := isSQLite(db); err != nil {
		return Copy{}, err
	}
	if _, err := os.Lstat(dest); err == nil {
		return Copy{}, fmt.Errorf("backup: %s already exists", dest)
	}
	// VACUUM INTO writes only into a file that is absent or empty: an
	// empty temporary file keeps the name unique.
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return Copy{}, fmt.Errorf("backup: %w", err)
	}
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp.Name())
		}
	}()
	// mode=rw: never create the source; no journal_mode pragma, so the
	// live database's mode (WAL under punchd) is left as it is.
	src, err := sql.Open("sqlite", "file:"+escapePath(db)+"?mode=rw&_pragma=busy_timeout(15000)")
	if err != nil {
		return Copy{}, fmt.Errorf("backup: open %s: %w", db, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return Copy{}, fmt.Errorf("backup: copy %s: %w", db, err)
	}
	// VACUUM INTO does not sync what it wrote.
	size, err := syncFile(tmp.Name())
	if err != nil {
		return Copy{}, err
	}
	if _, err := os.Lstat(dest); err == nil {
		return Copy{}, fmt.Errorf("backup: %s appeared during the backup", dest)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return Copy{}, fmt.Errorf("backup: %w", err)
	}
	done = true
	return Copy{Path: dest, Size: size}, syncDir(filepath.Dir(dest))
}

// isSQLite checks that path is a file with SQLite's header.
func isSQLite(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return fmt.Errorf("backup: %s: %w", path, ErrNotSQLite)
	}
	return nil
}

// escapePath makes a file path safe inside a file: URI ('?' and '#'
// would start the query or fragment).
func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// syncFile flushes path to disk and returns its size.
func syncFile(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("backup: sync %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return fi.Size(), nil
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return nil
}
