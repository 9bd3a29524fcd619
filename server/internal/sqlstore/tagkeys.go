package sqlstore

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

// EnsureTagKey implements store.Store.
func (s *DB) EnsureTagKey(ctx context.Context, seed []byte, now time.Time) ([]store.TagKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, invalid("tag key", fmt.Errorf("a seed has %d bytes, not %d", ed25519.SeedSize, len(seed)))
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO tag_keys (id, seed, created_at_ms) VALUES ('k1', ?, ?) ON CONFLICT (id) DO NOTHING`), seed, ms(now)); err != nil {
		return nil, fmt.Errorf("sqlstore: tag key: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, seed, created_at_ms FROM tag_keys ORDER BY created_at_ms, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: tag keys: %w", err)
	}
	defer rows.Close()
	var out []store.TagKey
	for rows.Next() {
		var k store.TagKey
		var at int64
		if err := rows.Scan(&k.ID, &k.Seed, &at); err != nil {
			return nil, fmt.Errorf("sqlstore: tag keys: %w", err)
		}
		k.Created = fromMS(at)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: tag keys: %w", err)
	}
	return out, nil
}
