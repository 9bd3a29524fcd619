package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"time"

	"punchclock/server/internal/store"
)

// PutLocations implements store.Store.
func (s *DB) PutLocations(ctx context.Context, pts []store.LocationPoint) ([]bool, error) {
	if err := checkAll("put locations", pts); err != nil {
		return nil, err
	}
	for _, p := range pts {
		for _, v := range []float64{p.Lat, p.Lng, p.AccuracyM} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, invalid("put locations", fmt.Errorf("point %s: %v is not a number a database keeps", p.ID, v))
			}
		}
	}
	fresh := make([]bool, len(pts))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := s.Rebind(`INSERT INTO location_points (id, employee_id, device_id, site_id, at_ms, device_time_ms, received_at_ms, lat, lng, accuracy_m, datum, verdict, fence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		for i, p := range pts {
			res, err := tx.ExecContext(ctx, q, p.ID, p.EmployeeID, p.DeviceID, p.SiteID, ms(p.At), ms(p.DeviceTime), ms(p.ReceivedAt),
				p.Lat, p.Lng, p.AccuracyM, p.Datum, p.Verdict, p.Fence)
			if err != nil {
				return fmt.Errorf("sqlstore: put location %s: %w", p.ID, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("sqlstore: put location %s: %w", p.ID, err)
			}
			fresh[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// PruneLocations implements store.Store.
func (s *DB) PruneLocations(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.Rebind(`DELETE FROM location_points WHERE at_ms < ?`), ms(before))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: prune locations: %w", err)
	}
	return res.RowsAffected()
}

// Trail implements store.Store.
func (s *DB) Trail(ctx context.Context, f store.TrailFilter) ([]store.LocationPoint, error) {
	if err := checkAll("trail", f); err != nil {
		return nil, err
	}
	q := `SELECT id, employee_id, device_id, site_id, at_ms, device_time_ms, received_at_ms, lat, lng, accuracy_m, datum, verdict, fence
		FROM location_points WHERE employee_id = ?`
	args := []any{f.EmployeeID}
	if !f.From.IsZero() {
		q += ` AND at_ms >= ?`
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND at_ms < ?`
		args = append(args, ms(f.To))
	}
	q += ` ORDER BY at_ms, id` + s.d.ByteOrder
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: trail: %w", err)
	}
	defer rows.Close()
	var out []store.LocationPoint
	for rows.Next() {
		var p store.LocationPoint
		var at, dev, recv int64
		if err := rows.Scan(&p.ID, &p.EmployeeID, &p.DeviceID, &p.SiteID, &at, &dev, &recv, &p.Lat, &p.Lng, &p.AccuracyM, &p.Datum, &p.Verdict, &p.Fence); err != nil {
			return nil, fmt.Errorf("sqlstore: trail: %w", err)
		}
		p.At, p.DeviceTime, p.ReceivedAt = fromMS(at), fromMS(dev), fromMS(recv)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: trail: %w", err)
	}
	return out, nil
}
