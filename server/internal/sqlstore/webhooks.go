package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"punchclock/server/internal/store"
)

const (
	endpointColumns = `id, url, events, secret, prev_secret, prev_until_ms, created_at_ms`
	deliveryColumns = `id, endpoint_id, event_id, event_type, payload, created_at_ms, state, attempt, next_at_ms`
	webhookFeedKey  = "webhooks"
)

// collect runs a query and scans each row with scan: the rows of the
// change feed and the webhook tables.
func collect[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, what, q string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return out, nil
}

func scanEndpoint(row interface{ Scan(...any) error }) (store.WebhookEndpoint, error) {
	var e store.WebhookEndpoint
	var events string
	var prevUntil, created int64
	err := row.Scan(&e.ID, &e.URL, &events, &e.Secret, &e.PrevSecret, &prevUntil, &created)
	e.Events, e.PrevUntil, e.CreatedAt = strings.Fields(events), fromMS(prevUntil), fromMS(created)
	return e, err
}

func scanDelivery(row interface{ Scan(...any) error }) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	var created, next int64
	err := row.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Payload, &created, &d.State, &d.Attempt, &next)
	d.CreatedAt, d.NextAt = fromMS(created), fromMS(next)
	return d, err
}

// PutWebhookEndpoint implements store.Store.
func (s *DB) PutWebhookEndpoint(ctx context.Context, e store.WebhookEndpoint) error {
	if err := checkAll("webhook endpoint", e); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO webhook_endpoints (`+endpointColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events, secret = excluded.secret,
		prev_secret = excluded.prev_secret, prev_until_ms = excluded.prev_until_ms`),
		e.ID, e.URL, strings.Join(e.Events, " "), e.Secret, e.PrevSecret, ms(e.PrevUntil), ms(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlstore: put webhook endpoint: %w", err)
	}
	return nil
}

// WebhookEndpoint implements store.Store.
func (s *DB) WebhookEndpoint(ctx context.Context, id string) (store.WebhookEndpoint, error) {
	if err := checkID("webhook endpoint", id); err != nil {
		return store.WebhookEndpoint{}, err
	}
	e, err := scanEndpoint(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`), id))
	if err != nil {
		return e, notFound(err, "webhook endpoint "+id)
	}
	return e, nil
}

// WebhookEndpoints implements store.Store.
func (s *DB) WebhookEndpoints(ctx context.Context) ([]store.WebhookEndpoint, error) {
	return collect(ctx, s.db, "webhook endpoints", `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY id`+s.d.ByteOrder, scanEndpoint)
}

// DeleteWebhookEndpoint implements store.Store.
func (s *DB) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	if err := checkID("webhook endpoint", id); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.Rebind(`DELETE FROM webhook_endpoints WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("sqlstore: webhook endpoint %s: %w", id, store.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, s.Rebind(`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)`), id); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, s.Rebind(`DELETE FROM webhook_deliveries WHERE endpoint_id = ?`), id); err != nil {
			return err
		}
		// With the last endpoint goes the producer's place in the feed:
		// the next first endpoint starts from its own time, not from a
		// backlog of changes made while nobody listened.
		_, err = tx.ExecContext(ctx, `DELETE FROM webhook_feed WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints)`)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("sqlstore: delete webhook endpoint: %w", err)
	}
	return err
}

// StartWebhookFeed implements store.Store.
func (s *DB) StartWebhookFeed(ctx context.Context, start store.WebhookFeed) error {
	if _, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO webhook_feed (k, version, at_ms) VALUES (?, ?, ?) ON CONFLICT (k) DO NOTHING`),
		webhookFeedKey, start.Version, ms(start.At)); err != nil {
		return fmt.Errorf("sqlstore: start webhook feed: %w", err)
	}
	return nil
}

// LeaseWebhookFeed implements store.Store.
func (s *DB) LeaseWebhookFeed(ctx context.Context, owner string, now, until time.Time, start store.WebhookFeed) (store.WebhookFeed, bool, error) {
	if err := checkID("webhook feed", owner); err != nil {
		return store.WebhookFeed{}, false, err
	}
	var f store.WebhookFeed
	ok := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO webhook_feed (k, version, at_ms) VALUES (?, ?, ?) ON CONFLICT (k) DO NOTHING`),
			webhookFeedKey, start.Version, ms(start.At)); err != nil {
			return err
		}
		var at int64
		err := tx.QueryRowContext(ctx, s.Rebind(`UPDATE webhook_feed SET lease_owner = ?, lease_until_ms = ?
			WHERE k = ? AND (lease_owner = ? OR lease_until_ms <= ?) RETURNING version, at_ms`),
			owner, ms(until), webhookFeedKey, owner, ms(now)).Scan(&f.Version, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		f.At, ok = fromMS(at), err == nil
		return err
	})
	if err != nil {
		return f, false, fmt.Errorf("sqlstore: lease webhook feed: %w", err)
	}
	return f, ok, nil
}

// EnqueueWebhooks implements store.Store.
func (s *DB) EnqueueWebhooks(ctx context.Context, owner string, from, to store.WebhookFeed, ds []store.WebhookDelivery) error {
	if err := checkAll("enqueue webhooks", ds); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.Rebind(`UPDATE webhook_feed SET version = ?, at_ms = ?
			WHERE k = ? AND lease_owner = ? AND version = ? AND at_ms = ?`),
			to.Version, ms(to.At), webhookFeedKey, owner, from.Version, ms(from.At))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("sqlstore: the webhook feed moved on: %w", store.ErrConflict)
		}
		ins := s.Rebind(`INSERT INTO webhook_deliveries (` + deliveryColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id, event_id) DO NOTHING`)
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, ins, d.ID, d.EndpointID, d.EventID, d.EventType, d.Payload, ms(d.CreatedAt), store.DeliveryPending, 0, ms(d.NextAt)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("sqlstore: enqueue webhooks: %w", err)
	}
	return err
}

// ClaimWebhookDeliveries implements store.Store: one UPDATE whose
// subquery skips rows another claimer has locked (PostgreSQL), or runs
// alone (SQLite's one writer).
func (s *DB) ClaimWebhookDeliveries(ctx context.Context, owner string, now, until time.Time, limit int) ([]store.WebhookDelivery, error) {
	if err := checkID("claim webhooks", owner); err != nil {
		return nil, err
	}
	return collect(ctx, s.db, "claim webhooks", s.Rebind(`UPDATE webhook_deliveries SET lease_owner = ?, lease_until_ms = ?
		WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = ? AND next_at_ms <= ? AND lease_until_ms <= ?
			ORDER BY next_at_ms, id LIMIT ?`+s.d.SkipLocked+`)
		RETURNING `+deliveryColumns), scanDelivery, owner, ms(until), store.DeliveryPending, ms(now), ms(now), limit)
}

// FinishWebhookAttempt implements store.Store.
func (s *DB) FinishWebhookAttempt(ctx context.Context, owner string, a store.WebhookAttempt, d store.WebhookDelivery) error {
	if err := checkAll("finish webhook attempt", a); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.Rebind(`UPDATE webhook_deliveries SET state = ?, attempt = ?, next_at_ms = ?, lease_owner = '', lease_until_ms = 0
			WHERE id = ? AND lease_owner = ?`), d.State, d.Attempt, ms(d.NextAt), a.DeliveryID, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("sqlstore: webhook delivery %s: lease lost: %w", a.DeliveryID, store.ErrConflict)
		}
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO webhook_attempts (delivery_id, n, at_ms, status_code, error, duration_ms)
			SELECT ?, COALESCE(MAX(n), 0) + 1, ?, ?, ?, ? FROM webhook_attempts WHERE delivery_id = ?`),
			a.DeliveryID, ms(a.At), a.StatusCode, a.Error, a.Duration.Milliseconds(), a.DeliveryID)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("sqlstore: finish webhook attempt: %w", err)
	}
	return err
}

// WebhookDelivery implements store.Store.
func (s *DB) WebhookDelivery(ctx context.Context, id string) (store.WebhookDelivery, error) {
	if err := checkID("webhook delivery", id); err != nil {
		return store.WebhookDelivery{}, err
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`), id))
	if err != nil {
		return d, notFound(err, "webhook delivery "+id)
	}
	ds := []store.WebhookDelivery{d}
	err = s.webhookAttempts(ctx, ds)
	return ds[0], err
}

// WebhookDeliveries implements store.Store.
func (s *DB) WebhookDeliveries(ctx context.Context, endpointID string, before time.Time, limit int) ([]store.WebhookDelivery, error) {
	if err := checkID("webhook deliveries", endpointID); err != nil {
		return nil, err
	}
	q := `SELECT ` + deliveryColumns + ` FROM webhook_deliveries WHERE endpoint_id = ?`
	args := []any{endpointID}
	if !before.IsZero() {
		q += ` AND created_at_ms < ?`
		args = append(args, ms(before))
	}
	q += ` ORDER BY created_at_ms DESC, id DESC LIMIT ?`
	args = append(args, limit)
	out, err := collect(ctx, s.db, "webhook deliveries", s.Rebind(q), scanDelivery, args...)
	if err != nil {
		return nil, err
	}
	return out, s.webhookAttempts(ctx, out)
}

// webhookAttempts fills the deliveries' logs.
func (s *DB) webhookAttempts(ctx context.Context, ds []store.WebhookDelivery) error {
	q := s.Rebind(`SELECT delivery_id, n, at_ms, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = ? ORDER BY n`)
	for i := range ds {
		var err error
		if ds[i].Attempts, err = collect(ctx, s.db, "webhook attempts", q, scanAttempt, ds[i].ID); err != nil {
			return err
		}
	}
	return nil
}

func scanAttempt(row interface{ Scan(...any) error }) (store.WebhookAttempt, error) {
	var a store.WebhookAttempt
	var at, dur int64
	err := row.Scan(&a.DeliveryID, &a.N, &at, &a.StatusCode, &a.Error, &dur)
	a.At, a.Duration = fromMS(at), time.Duration(dur)*time.Millisecond
	return a, err
}

// ReplayWebhookDelivery implements store.Store.
func (s *DB) ReplayWebhookDelivery(ctx context.Context, id string, now time.Time) (store.WebhookDelivery, error) {
	if err := checkID("replay webhook", id); err != nil {
		return store.WebhookDelivery{}, err
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.Rebind(`UPDATE webhook_deliveries SET state = ?, attempt = 0, next_at_ms = ?, lease_owner = '', lease_until_ms = 0
		WHERE id = ? RETURNING `+deliveryColumns), store.DeliveryPending, ms(now), id))
	if err != nil {
		return d, notFound(err, "webhook delivery "+id)
	}
	ds := []store.WebhookDelivery{d}
	err = s.webhookAttempts(ctx, ds)
	return ds[0], err
}

// PruneWebhookDeliveries implements store.Store.
func (s *DB) PruneWebhookDeliveries(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		const old = `SELECT id FROM webhook_deliveries WHERE created_at_ms < ? AND state <> ?`
		if _, err := tx.ExecContext(ctx, s.Rebind(`DELETE FROM webhook_attempts WHERE delivery_id IN (`+old+`)`), ms(before), store.DeliveryPending); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.Rebind(`DELETE FROM webhook_deliveries WHERE created_at_ms < ? AND state <> ?`), ms(before), store.DeliveryPending)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: prune webhook deliveries: %w", err)
	}
	return int(n), nil
}
