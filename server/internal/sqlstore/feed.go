package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

// PunchesReceived implements store.Store, on the punches_received index.
func (s *DB) PunchesReceived(ctx context.Context, from, to time.Time) ([]store.Received, error) {
	return collect(ctx, s.db, "punches received", s.Rebind(`SELECT id, employee_id, site_id, device_id, method, true_time_ms, received_at_ms, status
		FROM punches WHERE received_at_ms >= ? AND received_at_ms < ? ORDER BY received_at_ms, id`),
		func(row interface{ Scan(...any) error }) (store.Received, error) {
			var p store.Received
			var trueMS, recvMS int64
			err := row.Scan(&p.ID, &p.EmployeeID, &p.SiteID, &p.DeviceID, &p.Method, &trueMS, &recvMS, &p.Status)
			p.TrueTime, p.ReceivedAt = fromMS(trueMS), fromMS(recvMS)
			return p, err
		}, from.UnixMilli(), to.UnixMilli())
}

// FeedHorizon implements store.Store. SQLite has one writer and its
// transactions cannot be seen from another connection: zero.
func (s *DB) FeedHorizon(ctx context.Context) (time.Time, error) {
	if s.d.Horizon == "" {
		return time.Time{}, nil
	}
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, s.d.Horizon).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("sqlstore: feed horizon: %w", err)
	}
	if !v.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(v.Int64).UTC(), nil
}
