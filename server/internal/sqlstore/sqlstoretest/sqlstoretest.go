// Package sqlstoretest opens fresh stores of both databases for tests and
// benchmarks that compare them: a SQLite file in the test's folder and a
// new database on the local PostgreSQL (see pgtest).
package sqlstoretest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"punchclock/server/internal/postgres"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/sqlstore"
)

// Backend opens a fresh, migrated store of one database.
type Backend struct {
	Name string
	// NewDB names a fresh database: a SQLite file's path or a PostgreSQL
	// URL, as punchd's -db takes it (unmigrated until opened).
	NewDB func(tb testing.TB) string
	// Open opens a fresh database, migrated.
	Open func(tb testing.TB) *sqlstore.DB
}

// Backends are SQLite and PostgreSQL, in that order.
func Backends() []Backend {
	sqliteDB := func(tb testing.TB) string {
		// A name of its own: one benchmark opens several stores.
		return filepath.Join(tb.TempDir(), fmt.Sprintf("p%d.db", time.Now().UnixNano()))
	}
	return []Backend{
		{"sqlite", sqliteDB, func(tb testing.TB) *sqlstore.DB {
			tb.Helper()
			s, err := sqlite.Open(context.Background(), sqliteDB(tb))
			if err != nil {
				tb.Fatal(err)
			}
			return s
		}},
		{"postgres", pgtest.NewDB, func(tb testing.TB) *sqlstore.DB {
			tb.Helper()
			s, err := postgres.Open(context.Background(), pgtest.NewDB(tb))
			if err != nil {
				tb.Fatal(err)
			}
			return s
		}},
	}
}
