package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"punchclock/server/internal/store"
)

// auditRetries bounds how often an append that lost the race for the
// next seq (PostgreSQL, another connection or punchd) reads the head again.
const auditRetries = 50

// AppendAudit implements store.Store. The next seq is the head's plus
// one and seq is the primary key, so of two appends that read the same
// head one commits and the other fails on the key and tries again on the
// new head: the chain never forks. (SQLite's immediate transactions never
// race.)
func (s *DB) AppendAudit(ctx context.Context, seal func(head store.AuditEntry) (store.AuditEntry, error)) (store.AuditEntry, error) {
	for range auditRetries {
		var e store.AuditEntry
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var head store.AuditEntry
			err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&head.Seq, &head.Hash)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlstore: audit head: %w", err)
			}
			if e, err = seal(head); err != nil {
				return err
			}
			if e.Ref != "" {
				var seq int64
				err := tx.QueryRowContext(ctx, s.Rebind(`SELECT seq FROM audit_refs WHERE ref = ?`), e.Ref).Scan(&seq)
				if err == nil {
					return s.auditEntry(ctx, tx, seq, &e)
				} else if !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("sqlstore: audit ref: %w", err)
				}
				if _, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO audit_refs (ref, seq) VALUES (?, ?)`), e.Ref, e.Seq); err != nil {
					return err
				}
			}
			if err := checkText("audit entry", e.Actor, e.Action, e.Target, e.Unit, string(e.Detail), e.Prev, e.Hash, e.Ref); err != nil {
				return err
			}
			detail := string(e.Detail)
			if detail == "" {
				detail = "null"
			}
			_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO audit_log (seq, at_ms, actor, action, target, unit, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				e.Seq, ms(e.At), e.Actor, e.Action, e.Target, e.Unit, detail, e.Prev, e.Hash)
			return err
		})
		switch {
		case err == nil:
			return e, nil
		case s.d.IsUnique(err):
			continue
		default:
			return store.AuditEntry{}, fmt.Errorf("sqlstore: append audit: %w", err)
		}
	}
	return store.AuditEntry{}, fmt.Errorf("sqlstore: append audit: lost the race for the next entry %d times", auditRetries)
}

// auditEntry reads entry seq into e (its Ref kept).
func (s *DB) auditEntry(ctx context.Context, tx *sql.Tx, seq int64, e *store.AuditEntry) error {
	ref := e.Ref
	var at int64
	var detail string
	*e = store.AuditEntry{Ref: ref}
	err := tx.QueryRowContext(ctx, s.Rebind(`SELECT seq, at_ms, actor, action, target, unit, detail, prev, hash FROM audit_log WHERE seq = ?`), seq).
		Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Unit, &detail, &e.Prev, &e.Hash)
	if err != nil {
		return fmt.Errorf("sqlstore: audit entry %d: %w", seq, err)
	}
	e.At, e.Detail = fromMS(at), json.RawMessage(detail)
	return nil
}

// AuditEntries implements store.Store.
func (s *DB) AuditEntries(ctx context.Context, after int64, limit int) ([]store.AuditEntry, error) {
	q := `SELECT seq, at_ms, actor, action, target, unit, detail, prev, hash FROM audit_log WHERE seq > ? ORDER BY seq`
	args := []any{after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: audit entries: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		var detail string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Unit, &detail, &e.Prev, &e.Hash); err != nil {
			return nil, fmt.Errorf("sqlstore: audit entries: %w", err)
		}
		e.At, e.Detail = fromMS(at), json.RawMessage(detail)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: audit entries: %w", err)
	}
	return out, nil
}
