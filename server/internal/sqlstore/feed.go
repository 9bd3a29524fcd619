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
	rows, err := s.db.QueryContext(ctx, s.Rebind(`SELECT id, employee_id, site_id, device_id, method, true_time_ms, received_at_ms, status
		FROM punches WHERE received_at_ms >= ? AND received_at_ms < ? ORDER BY received_at_ms, id`), from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: punches received: %w", err)
	}
	defer rows.Close()
	var out []store.Received
	for rows.Next() {
		var p store.Received
		var trueMS, recvMS int64
		if err := rows.Scan(&p.ID, &p.EmployeeID, &p.SiteID, &p.DeviceID, &p.Method, &trueMS, &recvMS, &p.Status); err != nil {
			return nil, fmt.Errorf("sqlstore: punches received: %w", err)
		}
		p.TrueTime, p.ReceivedAt = fromMS(trueMS), fromMS(recvMS)
		out = append(out, p)
	}
	return out, rows.Err()
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
