// Package sqlite opens punchd's embedded default store: one SQLite file in
// WAL mode (modernc.org/sqlite, no cgo), schema migrations embedded and
// applied at open.
//
// Commits are synchronous=FULL: a punch the server has answered "accepted"
// for is on disk, because the kiosk may drop its own copy after that answer.
// The group committer of kiosk batches is the exception in form, not in
// effect: its connection commits with synchronous=NORMAL and punchd fsyncs
// the write-ahead log itself, off the committer's serial path, before it
// answers the batches (sqlstore.DB.SetDeferredSync).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"punchclock/server/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is SQLite's: writers take the database lock at BEGIN (immediate
// transactions), so no row locks are needed.
var Dialect = sqlstore.Dialect{
	Name:     "sqlite",
	IsUnique: isUnique,
}

func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// DSN returns the connection string for a database file. Temporary
// storage is in memory: an INSERT inside a transaction keeps a statement
// journal (to undo itself alone should it fail), which otherwise spills
// to a temporary file past 64 KiB, as a group commit's INSERT does: the
// file's writes were a fifth of the group committer's time.
func DSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(15000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// SchemaVersion is the schema version Open migrates a database to.
func SchemaVersion() (int, error) {
	return sqlstore.LatestMigration(migrations, "migrations")
}

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// WAL lets readers run beside the one writer; a few connections suffice.
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := sqlstore.Migrate(ctx, db, migrations, "migrations"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	st := sqlstore.New(db, Dialect)
	conn, err := db.Conn(ctx)
	if err == nil {
		_, err = conn.ExecContext(ctx, `PRAGMA synchronous=NORMAL`)
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("sqlite: %s: group commit connection: %w", path, err)
	}
	st.SetDeferredSync(conn, func() error { return syncWAL(path + "-wal") })
	return st, nil
}

// syncWAL makes the write-ahead log durable: what synchronous=FULL does
// at every commit, done once for the commits of several groups. The file
// is opened anew each time, so a log SQLite deleted and made again is
// the one synced. A log that is not there holds nothing unsynced: SQLite
// removes it only after checkpointing it into the database file, which
// it syncs.
func syncWAL(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: sync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sqlite: sync %s: %w", path, err)
	}
	return nil
}
