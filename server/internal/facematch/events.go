package facematch

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// The acts the face service reports to punchd's audit log.
const (
	ActionFaceEnroll = "face.enroll" // descriptors stored with a consent
	ActionFaceDelete = "face.delete" // an employee's descriptors deleted, consents withdrawn
)

// Event is an enrollment or a deletion, written to the store's outbox in
// the same transaction as the act and reported to punchd's audit log by
// EventSync. ID (UUIDv7) makes the report idempotent: punchd records an
// event once however often it is sent.
type Event struct {
	ID         string         `json:"id"`
	Action     string         `json:"action"`
	EmployeeID string         `json:"employee_id"`
	SiteID     string         `json:"site_id,omitempty"`
	At         time.Time      `json:"at"`
	Detail     map[string]any `json:"detail,omitempty"`
}

// EventBatch is the body of punchd's POST /api/v1/face/events.
type EventBatch struct {
	Events []Event `json:"events"`
}

// MaxEventBatch is the most events one report carries.
const MaxEventBatch = 100

// addEvent writes ev to the outbox in tx and returns its id.
func addEvent(ctx context.Context, tx *sql.Tx, ev Event) (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("facematch: event id: %w", err)
	}
	detail, err := json.Marshal(ev.Detail)
	if err != nil {
		return "", fmt.Errorf("facematch: event: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, action, employee_id, site_id, detail, at) VALUES (?, ?, ?, ?, ?, ?)`,
		id.String(), ev.Action, ev.EmployeeID, ev.SiteID, string(detail), ev.At.UTC().Format(timeFormat)); err != nil {
		return "", fmt.Errorf("facematch: event: %w", err)
	}
	return id.String(), nil
}

// Unsent lists the oldest events punchd has not acknowledged, at most limit.
func (s *Store) Unsent(ctx context.Context, limit int) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, action, employee_id, site_id, detail, at FROM outbox WHERE sent = 0 ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("facematch: outbox: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		var detail, at string
		if err := rows.Scan(&ev.ID, &ev.Action, &ev.EmployeeID, &ev.SiteID, &detail, &at); err != nil {
			return nil, fmt.Errorf("facematch: outbox: %w", err)
		}
		if err := json.Unmarshal([]byte(detail), &ev.Detail); err != nil {
			return nil, fmt.Errorf("facematch: outbox %s: %w", ev.ID, err)
		}
		if ev.At, err = time.Parse(timeFormat, at); err != nil {
			return nil, fmt.Errorf("facematch: outbox %s: %w", ev.ID, err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// MarkSent records that punchd acknowledged the events.
func (s *Store) MarkSent(ctx context.Context, ids []string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("facematch: outbox: %w", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET sent = 1 WHERE id = ?`, id); err != nil {
			return fmt.Errorf("facematch: outbox: %w", err)
		}
	}
	return tx.Commit()
}

// EventSync reports the store's enrollments and deletions to punchd's
// audit log (POST /api/v1/face/events, a bearer token with the face
// role), oldest first, and marks them sent once punchd acknowledged them.
// punchd unreachable: they wait in the outbox for the next round.
type EventSync struct {
	Store     *Store
	PunchdURL string
	Token     string
	Client    *http.Client
	Log       *slog.Logger
}

// Once sends every unsent event, a batch at a time, and returns how many
// punchd acknowledged.
func (e *EventSync) Once(ctx context.Context) (int, error) {
	sent := 0
	for {
		evs, err := e.Store.Unsent(ctx, MaxEventBatch)
		if err != nil || len(evs) == 0 {
			return sent, err
		}
		var ack struct {
			Recorded []string `json:"recorded"`
		}
		if err := callPunchd(ctx, e.Client, http.MethodPost, e.PunchdURL, e.Token, "/api/v1/face/events", EventBatch{Events: evs}, &ack); err != nil {
			return sent, fmt.Errorf("facematch: report events: %w", err)
		}
		if err := e.Store.MarkSent(ctx, ack.Recorded); err != nil {
			return sent, err
		}
		sent += len(ack.Recorded)
		if len(ack.Recorded) < len(evs) {
			return sent, fmt.Errorf("facematch: report events: punchd recorded %d of %d", len(ack.Recorded), len(evs))
		}
	}
}

// Run calls Once now and then every interval until ctx ends.
func (e *EventSync) Run(ctx context.Context, every time.Duration) {
	repeat(ctx, every, func() {
		n, err := e.Once(ctx)
		if e.Log != nil {
			if err != nil {
				e.Log.Warn("audit events", "err", err)
			} else if n > 0 {
				e.Log.Info("enrollments and deletions reported to punchd's audit log", "events", n)
			}
		}
	})
}
