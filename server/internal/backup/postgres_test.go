package backup_test

import (
	"context"
	"errors"
	"testing"

	"punchclock/server/internal/backup"
	"punchclock/server/internal/postgres"
	"punchclock/server/internal/postgres/pgtest"
)

// TestVerifyPostgres runs the punch checks on a PostgreSQL database, as
// after a pg_restore, and catches a body edited there.
func TestVerifyPostgres(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDB(t)
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fill(t, st)
	rep, err := backup.VerifyPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Punches != 60 || rep.Devices != 2 || rep.Gaps != 1 || rep.Schema != rep.Current {
		t.Errorf("report %+v", rep)
	}

	db := st.SQL()
	for _, s := range []string{
		`DROP TRIGGER punches_no_change ON punches`,
		`UPDATE punches SET body = convert_to(replace(convert_from(body, 'UTF8'), '"method":"badge"', '"method":"face"'), 'UTF8') WHERE device_id = 'k1' AND seq = 3`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if rep, err := backup.VerifyPostgres(ctx, url); !errors.Is(err, backup.ErrPunches) || rep.NProblems == 0 {
		t.Errorf("tampered database: %v, %+v", err, rep)
	}
}
