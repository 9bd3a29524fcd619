package sqlstore

import (
	"context"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

const tokenColumns = `hash, id, name, role, scope, rate_per_min, created_at_ms, expires_at_ms, last_used_ms, revoked_at_ms`

// PutToken stores an API token by hash. Stored again (punchd token -file
// at every start), it keeps its id, use and revocation: a revoked token
// stays revoked.
func (s *DB) PutToken(ctx context.Context, t store.Token) error {
	if t.ID == "" {
		t.ID = t.Hash[:min(12, len(t.Hash))]
	}
	if err := checkAll("put token", t); err != nil {
		return err
	}
	if t.RatePerMin < 0 {
		return fmt.Errorf("sqlstore: put token: rate %d: %w", t.RatePerMin, store.ErrInvalid)
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
		ON CONFLICT (hash) DO UPDATE SET name = excluded.name, role = excluded.role, scope = excluded.scope, rate_per_min = excluded.rate_per_min, expires_at_ms = excluded.expires_at_ms`),
		t.Hash, t.ID, t.Name, t.Role, t.Scope, t.RatePerMin, ms(t.CreatedAt), ms(t.ExpiresAt))
	if err != nil && s.d.IsUnique(err) {
		return fmt.Errorf("sqlstore: put token: id %s in use: %w", t.ID, store.ErrConflict)
	} else if err != nil {
		return fmt.Errorf("sqlstore: put token: %w", err)
	}
	return nil
}

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var t store.Token
	var created, expires, used, revoked int64
	err := row.Scan(&t.Hash, &t.ID, &t.Name, &t.Role, &t.Scope, &t.RatePerMin, &created, &expires, &used, &revoked)
	t.CreatedAt, t.ExpiresAt, t.LastUsed, t.RevokedAt = fromMS(created), fromMS(expires), fromMS(used), fromMS(revoked)
	return t, err
}

// TokenByHash finds a token.
func (s *DB) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	if err := checkText("token", hash); err != nil {
		return store.Token{}, err
	}
	t, err := scanToken(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`), hash))
	if err != nil {
		return t, notFound(err, "token")
	}
	return t, nil
}

// Tokens lists the tokens, oldest first.
func (s *DB) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at_ms, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements store.Store.
func (s *DB) RevokeToken(ctx context.Context, id string, at time.Time) (store.Token, error) {
	if err := checkID("token", id); err != nil {
		return store.Token{}, err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms = 0`), ms(at), id); err != nil {
		return store.Token{}, fmt.Errorf("sqlstore: revoke token: %w", err)
	}
	t, err := scanToken(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+tokenColumns+` FROM tokens WHERE id = ?`), id))
	if err != nil {
		return t, notFound(err, "token "+id)
	}
	return t, nil
}

// TouchToken implements store.Store.
func (s *DB) TouchToken(ctx context.Context, hash string, at time.Time) error {
	if err := checkText("token", hash); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE tokens SET last_used_ms = ? WHERE hash = ? AND last_used_ms < ?`), ms(at), hash, ms(at)); err != nil {
		return fmt.Errorf("sqlstore: touch token: %w", err)
	}
	return nil
}
