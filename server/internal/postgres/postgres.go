// Package postgres opens punchd's PostgreSQL store (pgx/v5 through
// database/sql), for deployments that outgrow one machine. Migrations are
// embedded and applied at open, under a session advisory lock so that
// several instances may start together; a transaction-scoped advisory lock
// per device (Dialect.LockDevice) serialises the batches of one device
// across server instances.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"punchclock/server/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is PostgreSQL's.
var Dialect = sqlstore.Dialect{
	Name:        "postgres",
	Placeholder: func(n int) string { return fmt.Sprintf("$%d", n) },
	ForUpdate:   " FOR UPDATE",
	SkipLocked:  " FOR UPDATE SKIP LOCKED",
	// Sessions of this database with a transaction open (every punchd
	// instance's), as the server's clock saw them start.
	Horizon: `SELECT (extract(epoch FROM min(xact_start)) * 1000)::bigint FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND backend_type = 'client backend'`,
	// A transaction-scoped advisory lock in its own key space (two int4
	// keys), rather than FOR UPDATE, which would write a lock marker into
	// the device row on every batch.
	LockDevice:  `SELECT pg_advisory_xact_lock(20261122, hashtext(?))`,
	LockDevices: `SELECT pg_advisory_xact_lock(20261122, hashtext(id)) FROM unnest(?::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`,
	Arrays:      true,
	ByteOrder:   ` COLLATE "C"`,
	// While one group commits, the next is read and written: PostgreSQL
	// runs them side by side and flushes their commits together.
	GroupWriters: 2,
	// Delivered at commit to every session that listens (Listen).
	NotifyRevoked: `SELECT pg_notify('` + RevokedChannel + `', ?)`,
	IsUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
}

// SchemaVersion is the schema version Open migrates a database to.
func SchemaVersion() (int, error) {
	return sqlstore.LatestMigration(migrations, "migrations")
}

// Open connects to the database at dsn (a postgres:// URL) and migrates it.
// Concurrent first starts of several instances serialise on an advisory lock.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close()
	const lockKey = 7_420_815 // any constant shared by all punchd instances
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migration lock: %w", err)
	}
	err = sqlstore.Migrate(ctx, db, migrations, "migrations")
	conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return sqlstore.New(db, Dialect), nil
}
