package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

// --- hardware terminals (migration 0024) ---

const terminalCols = `serial, name, site_id, zone, state, att_stamp, op_stamp, photo_stamp, offset_ms, clock_at_ms,
	first_seen_ms, seen_at_ms, addr, info, roster_version, pull_addr`

func scanTerminal(sc interface{ Scan(...any) error }) (store.Terminal, error) {
	var t store.Terminal
	var clockAt, first, seen int64
	err := sc.Scan(&t.Serial, &t.Name, &t.SiteID, &t.Zone, &t.State, &t.ATTLogStamp, &t.OperLogStamp, &t.PhotoStamp,
		&t.OffsetMS, &clockAt, &first, &seen, &t.Addr, &t.Info, &t.RosterVersion, &t.PullAddr)
	if clockAt != 0 {
		t.ClockAt = fromMS(clockAt)
	}
	if first != 0 {
		t.FirstSeen = fromMS(first)
	}
	if seen != 0 {
		t.SeenAt = fromMS(seen)
	}
	return t, err
}

// SeeTerminal records a terminal's call; see store.Terminals.
func (s *DB) SeeTerminal(ctx context.Context, serial string, at time.Time, addr, info string) (store.Terminal, error) {
	if err := checkID("see terminal", serial); err != nil {
		return store.Terminal{}, err
	}
	if err := checkText("see terminal", addr, info); err != nil {
		return store.Terminal{}, err
	}
	var t store.Terminal
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q, args := `UPDATE terminals SET seen_at_ms = ?, addr = ?, info = ? WHERE serial = ?`, []any{ms(at), addr, info, serial}
		if info == "" {
			q, args = `UPDATE terminals SET seen_at_ms = ?, addr = ? WHERE serial = ?`, []any{ms(at), addr, serial}
		}
		res, err := tx.ExecContext(ctx, s.Rebind(q), args...)
		if err != nil {
			return fmt.Errorf("sqlstore: see terminal: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO terminals (serial, state, first_seen_ms, seen_at_ms, addr, info)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO NOTHING`), serial, store.TerminalPending, ms(at), ms(at), addr, info)
			if err != nil {
				return fmt.Errorf("sqlstore: see terminal: %w", err)
			}
		}
		t, err = scanTerminal(tx.QueryRowContext(ctx, s.Rebind(`SELECT `+terminalCols+` FROM terminals WHERE serial = ?`), serial))
		if err != nil {
			return notFound(err, "terminal "+serial)
		}
		return nil
	})
	return t, err
}

// PutTerminal registers or changes a terminal; see store.Terminals.
func (s *DB) PutTerminal(ctx context.Context, t store.Terminal) (store.Terminal, error) {
	if err := checkAll("put terminal", t); err != nil {
		return t, err
	}
	if err := checkID("put terminal", t.Serial); err != nil {
		return t, err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO terminals (serial, name, site_id, zone, state, pull_addr)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO UPDATE SET name = excluded.name, site_id = excluded.site_id,
		zone = excluded.zone, state = excluded.state, pull_addr = excluded.pull_addr`), t.Serial, t.Name, t.SiteID, t.Zone, store.TerminalActive, t.PullAddr)
	if err != nil {
		return t, fmt.Errorf("sqlstore: put terminal: %w", err)
	}
	return s.Terminal(ctx, t.Serial)
}

// Terminal returns one terminal.
func (s *DB) Terminal(ctx context.Context, serial string) (store.Terminal, error) {
	if err := checkID("terminal", serial); err != nil {
		return store.Terminal{}, err
	}
	t, err := scanTerminal(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+terminalCols+` FROM terminals WHERE serial = ?`), serial))
	if err != nil {
		return t, notFound(err, "terminal "+serial)
	}
	return t, nil
}

// Terminals lists the terminals by serial.
func (s *DB) Terminals(ctx context.Context) ([]store.Terminal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+terminalCols+` FROM terminals ORDER BY serial`+s.d.ByteOrder)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: terminals: %w", err)
	}
	defer rows.Close()
	var out []store.Terminal
	for rows.Next() {
		t, err := scanTerminal(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: terminals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteTerminal forgets a terminal, its queue and its roster.
func (s *DB) DeleteTerminal(ctx context.Context, serial string) error {
	if err := checkID("delete terminal", serial); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.Rebind(`DELETE FROM terminals WHERE serial = ?`), serial)
		if err != nil {
			return fmt.Errorf("sqlstore: delete terminal: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlstore: terminal %s: %w", serial, store.ErrNotFound)
		}
		for _, q := range []string{`DELETE FROM terminal_commands WHERE serial = ?`, `DELETE FROM terminal_users WHERE serial = ?`} {
			if _, err := tx.ExecContext(ctx, s.Rebind(q), serial); err != nil {
				return fmt.Errorf("sqlstore: delete terminal: %w", err)
			}
		}
		return nil
	})
}

// TerminalPunches stores the new ones of a terminal's punches and its
// stamp; see store.Terminals.
func (s *DB) TerminalPunches(ctx context.Context, serial string, ps []store.StoredPunch, table, stamp string) (int, error) {
	if err := checkID("terminal punches", serial); err != nil {
		return 0, err
	}
	if err := checkText("terminal punches", table, stamp); err != nil {
		return 0, err
	}
	if err := checkAll("terminal punches", ps); err != nil {
		return 0, err
	}
	col := map[string]string{"ATTLOG": "att_stamp", "OPERLOG": "op_stamp", "ATTPHOTO": "photo_stamp"}[table]
	var stored int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stored = 0
		// Writing the terminal's row first locks it: two uploads of one
		// terminal run one after the other.
		res, err := tx.ExecContext(ctx, s.Rebind(`UPDATE terminals SET state = state WHERE serial = ?`), serial)
		if err != nil {
			return fmt.Errorf("sqlstore: terminal punches: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlstore: terminal %s: %w", serial, store.ErrNotFound)
		}
		var fresh []store.StoredPunch
		for len(ps) > 0 {
			n := min(len(ps), maxInsertRows)
			ids := make([]string, n)
			for i := range ps[:n] {
				ids[i] = ps[i].ID
			}
			have := map[string]store.Existing{}
			cond, args := in(s, "id", ids)
			if err := s.existing(ctx, tx, cond, args, have, nil); err != nil {
				return err
			}
			for _, p := range ps[:n] {
				if _, ok := have[p.ID]; !ok {
					have[p.ID] = store.Existing{}
					fresh = append(fresh, p)
				}
			}
			ps = ps[n:]
		}
		if err := s.InsertPunches(ctx, tx, fresh); err != nil {
			return err
		}
		stored = len(fresh)
		if col != "" && stamp != "" {
			if _, err := tx.ExecContext(ctx, s.Rebind(`UPDATE terminals SET `+col+` = ? WHERE serial = ?`), stamp, serial); err != nil {
				return fmt.Errorf("sqlstore: terminal stamp: %w", err)
			}
		}
		return nil
	})
	return stored, err
}

// SetTerminalClock records a measure of a terminal's clock.
func (s *DB) SetTerminalClock(ctx context.Context, serial string, offsetMS int64, at time.Time) error {
	if err := checkID("terminal clock", serial); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE terminals SET offset_ms = ?, clock_at_ms = ? WHERE serial = ?`), offsetMS, ms(at), serial)
	if err != nil {
		return fmt.Errorf("sqlstore: terminal clock: %w", err)
	}
	return nil
}

// TerminalUsers lists the users a terminal's queue gave it.
func (s *DB) TerminalUsers(ctx context.Context, serial string) ([]store.TerminalUser, error) {
	if err := checkID("terminal users", serial); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(`SELECT pin, name FROM terminal_users WHERE serial = ? ORDER BY pin`+s.d.ByteOrder), serial)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: terminal users: %w", err)
	}
	defer rows.Close()
	var out []store.TerminalUser
	for rows.Next() {
		var u store.TerminalUser
		if err := rows.Scan(&u.PIN, &u.Name); err != nil {
			return nil, fmt.Errorf("sqlstore: terminal users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ForgetTerminalUser takes a user off a terminal's roster.
func (s *DB) ForgetTerminalUser(ctx context.Context, serial, pin string) error {
	if err := checkID("terminal user", serial, pin); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`DELETE FROM terminal_users WHERE serial = ? AND pin = ?`), serial, pin); err != nil {
		return fmt.Errorf("sqlstore: terminal user: %w", err)
	}
	return nil
}

// QueueTerminalRoster applies a roster change and queues its commands.
func (s *DB) QueueTerminalRoster(ctx context.Context, serial string, r store.TerminalRoster, now time.Time) (bool, error) {
	if err := checkID("terminal roster", serial); err != nil {
		return false, err
	}
	if err := checkAll("terminal roster", r); err != nil {
		return false, err
	}
	ok := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.Rebind(`UPDATE terminals SET roster_version = ? WHERE serial = ? AND roster_version = ?`), r.To, serial, r.From)
		if err != nil {
			return fmt.Errorf("sqlstore: terminal roster: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ok = true
		for _, pin := range r.Delete {
			if _, err := tx.ExecContext(ctx, s.Rebind(`DELETE FROM terminal_users WHERE serial = ? AND pin = ?`), serial, pin); err != nil {
				return fmt.Errorf("sqlstore: terminal roster: %w", err)
			}
		}
		for _, u := range r.Put {
			_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO terminal_users (serial, pin, name) VALUES (?, ?, ?)
				ON CONFLICT (serial, pin) DO UPDATE SET name = excluded.name`), serial, u.PIN, u.Name)
			if err != nil {
				return fmt.Errorf("sqlstore: terminal roster: %w", err)
			}
		}
		for _, c := range r.Commands {
			if _, err := s.queueCommand(ctx, tx, serial, c, now); err != nil {
				return err
			}
		}
		return nil
	})
	return ok, err
}

func (s *DB) queueCommand(ctx context.Context, tx *sql.Tx, serial, command string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.Rebind(`INSERT INTO terminal_commands (serial, command, created_at_ms) VALUES (?, ?, ?) RETURNING id`),
		serial, command, ms(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: queue terminal command: %w", err)
	}
	return id, nil
}

// QueueTerminalCommand queues one command.
func (s *DB) QueueTerminalCommand(ctx context.Context, serial, command string, now time.Time) (store.TerminalCommand, error) {
	c := store.TerminalCommand{Serial: serial, Command: command, CreatedAt: now}
	if err := checkID("terminal command", serial); err != nil {
		return c, err
	}
	if err := checkText("terminal command", command); err != nil {
		return c, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c.ID, err = s.queueCommand(ctx, tx, serial, command, now)
		return err
	})
	return c, err
}

const terminalCommandCols = `id, serial, command, created_at_ms, sent_at_ms, done_at_ms, return_code, result`

func scanTerminalCommand(sc interface{ Scan(...any) error }) (store.TerminalCommand, error) {
	var c store.TerminalCommand
	var created, sent, done int64
	var ret sql.NullInt64
	err := sc.Scan(&c.ID, &c.Serial, &c.Command, &created, &sent, &done, &ret, &c.Result)
	c.CreatedAt = fromMS(created)
	if sent != 0 {
		c.SentAt = fromMS(sent)
	}
	if done != 0 {
		c.DoneAt = fromMS(done)
	}
	c.Done, c.Return = ret.Valid, ret.Int64
	return c, err
}

func (s *DB) terminalCommands(ctx context.Context, q queryer, query string, args ...any) ([]store.TerminalCommand, error) {
	rows, err := q.QueryContext(ctx, s.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: terminal commands: %w", err)
	}
	defer rows.Close()
	var out []store.TerminalCommand
	for rows.Next() {
		c, err := scanTerminalCommand(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: terminal commands: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// NextTerminalCommands hands out the commands due to a terminal.
func (s *DB) NextTerminalCommands(ctx context.Context, serial string, now, resend time.Time, limit int) ([]store.TerminalCommand, error) {
	if err := checkID("terminal commands", serial); err != nil {
		return nil, err
	}
	var out []store.TerminalCommand
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.terminalCommands(ctx, tx, `SELECT `+terminalCommandCols+` FROM terminal_commands
			WHERE serial = ? AND return_code IS NULL AND sent_at_ms < ? ORDER BY id LIMIT ?`+s.d.ForUpdate, serial, ms(resend)+1, limit)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].SentAt = now
			if _, err := tx.ExecContext(ctx, s.Rebind(`UPDATE terminal_commands SET sent_at_ms = ? WHERE id = ?`), ms(now), out[i].ID); err != nil {
				return fmt.Errorf("sqlstore: terminal commands: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// FinishTerminalCommand records a command's result.
func (s *DB) FinishTerminalCommand(ctx context.Context, serial string, id, ret int64, result string, at time.Time) error {
	if err := checkID("terminal command", serial); err != nil {
		return err
	}
	if err := checkText("terminal command", result); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE terminal_commands SET return_code = ?, result = ?, done_at_ms = ? WHERE serial = ? AND id = ?`),
		ret, result, ms(at), serial, id)
	if err != nil {
		return fmt.Errorf("sqlstore: terminal command: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlstore: terminal %s command %d: %w", serial, id, store.ErrNotFound)
	}
	return nil
}

// TerminalCommands lists a terminal's newest commands first.
func (s *DB) TerminalCommands(ctx context.Context, serial string, limit int) ([]store.TerminalCommand, error) {
	if err := checkID("terminal commands", serial); err != nil {
		return nil, err
	}
	out, err := s.terminalCommands(ctx, s.db, `SELECT `+terminalCommandCols+` FROM terminal_commands WHERE serial = ? ORDER BY id DESC LIMIT ?`, serial, limit)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return out, err
}
