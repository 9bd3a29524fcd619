package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// --- enrollment and devices ---

// PutEnrollCode stores a new one-time code.
func (s *DB) PutEnrollCode(ctx context.Context, c store.EnrollCode) error {
	if err := checkAll("put enroll code", c); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO enroll_codes (hash, site_id, employee_id, created_at_ms, expires_at_ms, created_by) VALUES (?, ?, ?, ?, ?, ?)`),
		c.Hash, c.SiteID, c.EmployeeID, ms(c.CreatedAt), ms(c.ExpiresAt), c.CreatedBy)
	if err != nil {
		if s.d.IsUnique(err) {
			return fmt.Errorf("sqlstore: put enroll code: %w", store.ErrConflict)
		}
		return fmt.Errorf("sqlstore: put enroll code: %w", err)
	}
	return nil
}

// Enroll consumes a code and stores the device.
func (s *DB) Enroll(ctx context.Context, codeHash string, d attendance.Device, now time.Time) (attendance.Device, error) {
	if err := checkText("enroll", codeHash); err != nil {
		return d, err
	}
	if err := checkAll("enroll", d); err != nil {
		return d, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var siteID, employeeID string
		var expires int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, s.Rebind(`SELECT site_id, employee_id, expires_at_ms, used_at_ms FROM enroll_codes WHERE hash = ?`+s.d.ForUpdate), codeHash).
			Scan(&siteID, &employeeID, &expires, &used)
		if err != nil {
			return notFound(err, "enroll code")
		}
		if used.Valid {
			return fmt.Errorf("sqlstore: enroll code already used: %w", store.ErrConflict)
		}
		if now.UnixMilli() > expires {
			return fmt.Errorf("sqlstore: enroll code expired: %w", store.ErrExpired)
		}
		d.SiteID, d.EmployeeID, d.Kind = siteID, employeeID, attendance.DeviceKiosk
		if employeeID != "" {
			d.Kind = attendance.DevicePhone
		}
		d.EnrolledAt = now.UTC().Truncate(time.Millisecond)
		if _, err := tx.ExecContext(ctx, s.Rebind(`UPDATE enroll_codes SET used_at_ms = ?, device_id = ? WHERE hash = ?`), ms(now), d.ID, codeHash); err != nil {
			return fmt.Errorf("sqlstore: use enroll code: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO devices (id, name, kind, employee_id, site_id, public_key, qr_secret, enrolled_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			d.ID, d.Name, d.Kind, d.EmployeeID, d.SiteID, d.PublicKey, d.QRSecret, ms(d.EnrolledAt))
		if err != nil {
			if s.d.IsUnique(err) {
				return fmt.Errorf("sqlstore: device %s exists: %w", d.ID, store.ErrConflict)
			}
			return fmt.Errorf("sqlstore: insert device: %w", err)
		}
		return nil
	})
	return d, err
}

// deviceCols reads a device with its chain head, the newest of its punches.
const deviceCols = `id, name, kind, employee_id, site_id, public_key, qr_secret, enrolled_at_ms, revoked,
	COALESCE((SELECT p.seq FROM punches p WHERE p.device_id = devices.id ORDER BY p.seq DESC LIMIT 1), 0),
	COALESCE((SELECT p.hash FROM punches p WHERE p.device_id = devices.id ORDER BY p.seq DESC LIMIT 1), ''),
	offset_ms, seen_at_ms`

func scanDevice(sc interface{ Scan(...any) error }) (attendance.Device, error) {
	var d attendance.Device
	var enrolled, seen int64
	var revoked int
	err := sc.Scan(&d.ID, &d.Name, &d.Kind, &d.EmployeeID, &d.SiteID, &d.PublicKey, &d.QRSecret, &enrolled, &revoked, &d.LastSeq, &d.LastHash, &d.OffsetMS, &seen)
	d.EnrolledAt, d.SeenAt, d.Revoked = fromMS(enrolled), fromMS(seen), revoked != 0
	return d, err
}

// Device returns one device.
func (s *DB) Device(ctx context.Context, id string) (attendance.Device, error) {
	if err := checkID("device", id); err != nil {
		return attendance.Device{}, err
	}
	d, err := scanDevice(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+deviceCols+` FROM devices WHERE id = ?`), id))
	if err != nil {
		return d, notFound(err, "device "+id)
	}
	return d, nil
}

// Devices lists all devices by id.
func (s *DB) Devices(ctx context.Context) ([]attendance.Device, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deviceCols+` FROM devices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: devices: %w", err)
	}
	defer rows.Close()
	var out []attendance.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PutDeviceHealth implements store.Store.
func (s *DB) PutDeviceHealth(ctx context.Context, id string, health json.RawMessage, at time.Time) error {
	if err := checkText("device health", id, string(health)); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE devices SET health = ?, health_at_ms = ? WHERE id = ?`), string(health), ms(at), id)
	if err != nil {
		return fmt.Errorf("sqlstore: device health: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlstore: device %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// DeviceHealths implements store.Store.
func (s *DB) DeviceHealths(ctx context.Context) ([]store.DeviceHealth, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, health, health_at_ms FROM devices WHERE health <> '' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: device healths: %w", err)
	}
	defer rows.Close()
	var out []store.DeviceHealth
	for rows.Next() {
		var h store.DeviceHealth
		var health string
		var at int64
		if err := rows.Scan(&h.DeviceID, &health, &at); err != nil {
			return nil, fmt.Errorf("sqlstore: device healths: %w", err)
		}
		h.Health, h.At = json.RawMessage(health), fromMS(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// RevokeDevice marks a device revoked; its requests are refused from then on.
// RenameDevice changes a device's name.
func (s *DB) RenameDevice(ctx context.Context, id, name string) error {
	if err := checkID("rename device", id); err != nil {
		return err
	}
	if err := checkAll("rename device", name); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE devices SET name = ? WHERE id = ?`), name, id)
	if err != nil {
		return fmt.Errorf("sqlstore: rename device %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlstore: rename device %s: %w", id, store.ErrNotFound)
	}
	return nil
}

func (s *DB) RevokeDevice(ctx context.Context, id string) error {
	if err := checkID("revoke device", id); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		v, err := s.nextVersion(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.Rebind(`UPDATE devices SET revoked = 1, revoked_version = ? WHERE id = ?`), v, id)
		if err != nil {
			return fmt.Errorf("sqlstore: revoke device %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlstore: revoke device %s: %w", id, store.ErrNotFound)
		}
		if s.d.NotifyRevoked != "" {
			if _, err := tx.ExecContext(ctx, s.Rebind(s.d.NotifyRevoked), id); err != nil {
				return fmt.Errorf("sqlstore: revoke device %s: notify: %w", id, err)
			}
		}
		return nil
	})
}
