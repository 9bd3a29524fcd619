// Package pgtest gives tests a fresh PostgreSQL database on the real local
// server, dropped when the test ends. The server is found through
// PUNCHCLOCK_PG_ADMIN (a postgres:// URL of a role that may create
// databases), by default postgres://postgres@127.0.0.1:5432/postgres.
// There is no skip: a machine without PostgreSQL fails these tests with a
// message that says how to start it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// AdminURL is the URL of the server's maintenance database.
func AdminURL() string {
	if u := os.Getenv("PUNCHCLOCK_PG_ADMIN"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDB creates an empty database and returns its URL.
func NewDB(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", AdminURL())
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		tb.Fatalf("pgtest: cannot reach PostgreSQL at %s: %v\n(start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", AdminURL(), err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "punchclock_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Admin opens the server's maintenance database, closed when the test
// ends (to look at or cut other sessions).
func Admin(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("pgx", AdminURL())
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
