package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"punchclock/server/internal/store"
)

// The demo seed's marker lives in the meta table beside the change
// version, as two rows of Unix milliseconds.
const (
	demoAnchorKey = "demo_seed_anchor_ms"
	demoDoneKey   = "demo_seed_done_ms"
)

// DemoSeed returns the demo seed's progress marker.
func (s *DB) DemoSeed(ctx context.Context) (store.DemoSeed, error) {
	var m store.DemoSeed
	rows, err := s.db.QueryContext(ctx, s.Rebind(`SELECT k, v FROM meta WHERE k = ? OR k = ?`), demoAnchorKey, demoDoneKey)
	if err != nil {
		return m, fmt.Errorf("sqlstore: demo seed: %w", err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return m, fmt.Errorf("sqlstore: demo seed: %w", err)
		}
		switch {
		case k == demoAnchorKey:
			m.Anchor, found = fromMS(v), true
		case v != 0:
			m.Done = fromMS(v)
		}
	}
	if err := rows.Err(); err != nil {
		return m, fmt.Errorf("sqlstore: demo seed: %w", err)
	}
	if !found {
		return m, fmt.Errorf("sqlstore: demo seed: %w", store.ErrNotFound)
	}
	return m, nil
}

// PutDemoSeed writes the demo seed's progress marker in one transaction.
func (s *DB) PutDemoSeed(ctx context.Context, m store.DemoSeed) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, kv := range []struct {
			k string
			v int64
		}{{demoAnchorKey, ms(m.Anchor)}, {demoDoneKey, ms(m.Done)}} {
			_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`), kv.k, kv.v)
			if err != nil {
				return fmt.Errorf("sqlstore: put demo seed: %w", err)
			}
		}
		return nil
	})
}
