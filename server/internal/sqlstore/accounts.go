package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

const userColumns = `id, login, name, role, unit, department_id, employee_id, password_hash, pin_hash, active, created_at_ms, updated_at_ms`

// PutUser implements store.Store.
func (s *DB) PutUser(ctx context.Context, u store.User) (store.User, error) {
	if err := checkAll("put user", u); err != nil {
		return u, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.nextVersion(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET login = excluded.login, name = excluded.name, role = excluded.role, unit = excluded.unit,
		department_id = excluded.department_id, employee_id = excluded.employee_id, password_hash = excluded.password_hash,
		pin_hash = excluded.pin_hash, active = excluded.active, updated_at_ms = excluded.updated_at_ms`),
			u.ID, u.Login, u.Name, u.Role, u.Unit, u.DepartmentID, u.EmployeeID, u.PasswordHash, u.PINHash, b2i(u.Active), ms(u.CreatedAt), ms(u.UpdatedAt))
		return err
	})
	if err != nil && s.d.IsUnique(err) {
		return u, fmt.Errorf("sqlstore: put user %s: login already in use: %w", u.ID, store.ErrConflict)
	} else if err != nil {
		return u, fmt.Errorf("sqlstore: put user %s: %w", u.ID, err)
	}
	return s.User(ctx, u.ID)
}

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	var active int
	var created, updated int64
	err := row.Scan(&u.ID, &u.Login, &u.Name, &u.Role, &u.Unit, &u.DepartmentID, &u.EmployeeID, &u.PasswordHash, &u.PINHash, &active, &created, &updated)
	u.Active, u.CreatedAt, u.UpdatedAt = active != 0, fromMS(created), fromMS(updated)
	return u, err
}

// User implements store.Store.
func (s *DB) User(ctx context.Context, id string) (store.User, error) {
	if err := checkID("user", id); err != nil {
		return store.User{}, err
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
	if err != nil {
		return u, notFound(err, "user "+id)
	}
	return u, nil
}

// UserByLogin implements store.Store.
func (s *DB) UserByLogin(ctx context.Context, login string) (store.User, error) {
	if err := checkText("login", login); err != nil {
		return store.User{}, err
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+userColumns+` FROM users WHERE login = ?`), login))
	if err != nil {
		return u, notFound(err, "user")
	}
	return u, nil
}

// Users implements store.Store.
func (s *DB) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// PutSession implements store.Store.
func (s *DB) PutSession(ctx context.Context, x store.Session) error {
	if err := checkAll("put session", x); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO sessions (hash, user_id, csrf, addr, created_at_ms, last_seen_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		x.Hash, x.UserID, x.CSRF, x.Addr, ms(x.CreatedAt), ms(x.LastSeen), ms(x.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlstore: put session: %w", err)
	}
	return nil
}

// Session implements store.Store.
func (s *DB) Session(ctx context.Context, hash string) (store.Session, error) {
	if err := checkText("session", hash); err != nil {
		return store.Session{}, err
	}
	var x store.Session
	var created, seen, expires int64
	err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT hash, user_id, csrf, addr, created_at_ms, last_seen_ms, expires_at_ms FROM sessions WHERE hash = ?`), hash).
		Scan(&x.Hash, &x.UserID, &x.CSRF, &x.Addr, &created, &seen, &expires)
	if err != nil {
		return x, notFound(err, "session")
	}
	x.CreatedAt, x.LastSeen, x.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	return x, nil
}

// TouchSession implements store.Store.
func (s *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	if err := checkText("session", hash); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE sessions SET last_seen_ms = ? WHERE hash = ? AND last_seen_ms < ?`), ms(at), hash, ms(at)); err != nil {
		return fmt.Errorf("sqlstore: touch session: %w", err)
	}
	return nil
}

// DeleteSession implements store.Store.
func (s *DB) DeleteSession(ctx context.Context, hash string) error {
	if err := checkText("session", hash); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`DELETE FROM sessions WHERE hash = ?`), hash); err != nil {
		return fmt.Errorf("sqlstore: delete session: %w", err)
	}
	return nil
}

// DeleteSessions implements store.Store.
func (s *DB) DeleteSessions(ctx context.Context, userID string) (int, error) {
	if err := checkID("user", userID); err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`DELETE FROM sessions WHERE user_id = ?`), userID)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete sessions of %s: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete sessions of %s: %w", userID, err)
	}
	return int(n), nil
}
