package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"punchclock/server/internal/store"
)

const approvalColumns = `id, kind, employee_id, day, state, waiting_for, created_at_ms, closed_at_ms, body`

// approvalRead is what is read of a request: its columns and version.
const approvalRead = approvalColumns + `, version`

func scanApproval(row interface{ Scan(...any) error }) (store.ApprovalRow, error) {
	var a store.ApprovalRow
	var created, closed int64
	var body string
	err := row.Scan(&a.ID, &a.Kind, &a.EmployeeID, &a.Day, &a.State, &a.WaitingFor, &created, &closed, &body, &a.Version)
	a.CreatedAt, a.ClosedAt, a.Body = fromMS(created), fromMS(closed), json.RawMessage(body)
	return a, err
}

func checkApproval(a store.ApprovalRow) error {
	if err := checkAll("approval", a); err != nil {
		return err
	}
	return checkText("approval body", string(a.Body))
}

// StartApproval implements store.Store.
func (s *DB) StartApproval(ctx context.Context, a store.ApprovalRow) (store.ApprovalRow, bool, error) {
	if err := checkApproval(a); err != nil {
		return a, false, err
	}
	// A new flow bumps the change version: kiosks pull the pending
	// flows of their managers.
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO approvals (`+approvalColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			a.ID, a.Kind, a.EmployeeID, a.Day, a.State, a.WaitingFor, ms(a.CreatedAt), ms(a.ClosedAt), string(a.Body))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return s.versionApproval(ctx, tx, a.ID)
	})
	if err != nil {
		return a, false, fmt.Errorf("sqlstore: start approval: %w", err)
	}
	stored, err := s.Approval(ctx, a.ID)
	return stored, n == 1, err
}

// Approval implements store.Store.
func (s *DB) Approval(ctx context.Context, id string) (store.ApprovalRow, error) {
	if err := checkID("approval", id); err != nil {
		return store.ApprovalRow{}, err
	}
	a, err := scanApproval(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+approvalRead+` FROM approvals WHERE id = ?`), id))
	if err != nil {
		return a, notFound(err, "approval "+id)
	}
	return a, nil
}

// UpdateApproval implements store.Store.
func (s *DB) UpdateApproval(ctx context.Context, id string, change func(store.ApprovalRow) (store.ApprovalRow, error)) (store.ApprovalRow, error) {
	if err := checkID("approval", id); err != nil {
		return store.ApprovalRow{}, err
	}
	var out store.ApprovalRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanApproval(tx.QueryRowContext(ctx, s.Rebind(`SELECT `+approvalRead+` FROM approvals WHERE id = ?`+s.d.ForUpdate), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlstore: approval %s: %w", id, store.ErrNotFound)
		} else if err != nil {
			return err
		}
		a, err := change(old)
		if err != nil {
			return err
		}
		if a.ID != id {
			return fmt.Errorf("sqlstore: update approval %s: the change renamed it", id)
		}
		if err := checkApproval(a); err != nil {
			return err
		}
		out = a
		if a.State == old.State && a.WaitingFor == old.WaitingFor && string(a.Body) == string(old.Body) {
			return nil // nothing changed (a decision sent again)
		}
		if _, err := tx.ExecContext(ctx, s.Rebind(`UPDATE approvals SET state = ?, waiting_for = ?, closed_at_ms = ?, body = ? WHERE id = ?`),
			a.State, a.WaitingFor, ms(a.ClosedAt), string(a.Body), id); err != nil {
			return err
		}
		return s.versionApproval(ctx, tx, id)
	})
	if err != nil {
		return out, fmt.Errorf("sqlstore: update approval: %w", err)
	}
	return out, nil
}

// Approvals implements store.Store.
func (s *DB) Approvals(ctx context.Context, f store.ApprovalFilter) ([]store.ApprovalRow, error) {
	if err := checkAll("approvals", f); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if len(f.EmployeeIDs) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.EmployeeIDs)), ", ")
		where = append(where, "employee_id IN ("+marks+")")
		for _, id := range f.EmployeeIDs {
			args = append(args, id)
		}
	}
	if f.WaitingFor != "" {
		add("waiting_for = ?", f.WaitingFor)
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.FromDay != 0 {
		add("day >= ?", f.FromDay)
	}
	if f.ToDay != 0 {
		add("day <= ?", f.ToDay)
	}
	q := `SELECT ` + approvalRead + ` FROM approvals`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY day, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: approvals: %w", err)
	}
	defer rows.Close()
	var out []store.ApprovalRow
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: approvals: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ApprovalSetting implements store.Store.
func (s *DB) ApprovalSetting(ctx context.Context, key string) (json.RawMessage, error) {
	if err := checkText("approval setting", key); err != nil {
		return nil, err
	}
	var v string
	if err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT v FROM approval_settings WHERE k = ?`), key).Scan(&v); err != nil {
		return nil, notFound(err, "approval setting "+key)
	}
	return json.RawMessage(v), nil
}

// PutApprovalSetting implements store.Store.
func (s *DB) PutApprovalSetting(ctx context.Context, key string, v json.RawMessage) error {
	if err := checkText("approval setting", key, string(v)); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO approval_settings (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`), key, string(v)); err != nil {
		return fmt.Errorf("sqlstore: put approval setting: %w", err)
	}
	return nil
}

// PutAttachment implements store.Store.
func (s *DB) PutAttachment(ctx context.Context, a store.Attachment) error {
	if err := checkText("attachment", a.ID, a.FlowID, a.ContentType, a.SHA256); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO attachments (id, flow_id, content_type, sha256, created_at_ms, data) VALUES (?, ?, ?, ?, ?, ?)`),
		a.ID, a.FlowID, a.ContentType, a.SHA256, ms(a.CreatedAt), a.Data); err != nil {
		if s.d.IsUnique(err) {
			return fmt.Errorf("sqlstore: attachment %s: %w", a.ID, store.ErrConflict)
		}
		return fmt.Errorf("sqlstore: put attachment: %w", err)
	}
	return nil
}

// Attachment implements store.Store.
func (s *DB) Attachment(ctx context.Context, id string) (store.Attachment, error) {
	if err := checkID("attachment", id); err != nil {
		return store.Attachment{}, err
	}
	var a store.Attachment
	var created int64
	err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT id, flow_id, content_type, sha256, created_at_ms, data FROM attachments WHERE id = ?`), id).
		Scan(&a.ID, &a.FlowID, &a.ContentType, &a.SHA256, &created, &a.Data)
	if err != nil {
		return a, notFound(err, "attachment "+id)
	}
	a.CreatedAt = fromMS(created)
	return a, nil
}

// versionApproval bumps the change version and stamps request id with
// it: the change feed tails the requests by version, which the lock on
// the version orders as the commits are.
func (s *DB) versionApproval(ctx context.Context, tx *sql.Tx, id string) error {
	v, err := s.nextVersion(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.Rebind(`UPDATE approvals SET version = ? WHERE id = ?`), v, id)
	return err
}

// ApprovalsChanged implements store.Store.
func (s *DB) ApprovalsChanged(ctx context.Context, since, upto int64) ([]store.ApprovalRow, error) {
	return collect(ctx, s.db, "approvals changed", s.Rebind(`SELECT `+approvalRead+` FROM approvals WHERE version > ? AND version <= ? ORDER BY version`), scanApproval, since, upto)
}
