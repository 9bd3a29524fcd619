package facematch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// Store keeps the gallery, the consent records, the audit trail and the
// copy of punchd's kiosks (DeviceSync) in one SQLite file. SQLite rather than an encrypted flat file because deletion on
// request must remove descriptors and record the withdrawal atomically, and
// punchd looks audit records up by id; both are one statement here and a
// rewrite of the whole file there. Only the descriptors are secret and they
// are sealed row by row (AES-GCM); ids, consent texts and distances are
// kept in clear so that deletion and audits work without the key.
type Store struct {
	db   *sql.DB
	seal *sealer
}

const schema = `
CREATE TABLE IF NOT EXISTS templates (
	employee_id TEXT NOT NULL,
	site_id     TEXT NOT NULL,
	slot        INTEGER NOT NULL,
	sealed      BLOB NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (employee_id, site_id, slot)
);
CREATE TABLE IF NOT EXISTS consents (
	id           INTEGER PRIMARY KEY,
	employee_id  TEXT NOT NULL,
	site_id      TEXT NOT NULL,
	given_by     TEXT NOT NULL,
	purpose      TEXT NOT NULL,
	given_at     TEXT NOT NULL,
	withdrawn_at TEXT
);
CREATE INDEX IF NOT EXISTS consents_employee ON consents (employee_id);
CREATE TABLE IF NOT EXISTS audit (
	verdict_id         TEXT PRIMARY KEY,
	kind               TEXT NOT NULL,
	site_id            TEXT NOT NULL,
	kiosk_id           TEXT NOT NULL,
	verdict            TEXT NOT NULL,
	employee_id        TEXT NOT NULL,
	distance           REAL,
	second_employee_id TEXT NOT NULL,
	second_distance    REAL,
	threshold          REAL NOT NULL,
	margin             REAL NOT NULL,
	faces              INTEGER NOT NULL,
	frames             INTEGER NOT NULL,
	reason             TEXT NOT NULL,
	at                 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
	id          TEXT PRIMARY KEY,
	action      TEXT NOT NULL,
	employee_id TEXT NOT NULL,
	site_id     TEXT NOT NULL,
	detail      TEXT NOT NULL,
	at          TEXT NOT NULL,
	sent        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (sent, id);
CREATE TABLE IF NOT EXISTS devices (
	id         TEXT PRIMARY KEY,
	site_id    TEXT NOT NULL,
	public_key BLOB NOT NULL,
	revoked    INTEGER NOT NULL,
	synced_at  TEXT NOT NULL
);
`

// OpenStore opens (creating if needed) the database file at path; key is the
// 32-byte AES-256 key that seals descriptors. Use ":memory:" in tests.
func OpenStore(ctx context.Context, path string, key []byte) (*Store, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(15000)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("facematch: open %s: %w", path, err)
	}
	// One connection: writes are rare (enrolment, audit rows), and ":memory:"
	// databases are per connection.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("facematch: schema of %s: %w", path, err)
	}
	st := &Store{db: db, seal: s}
	return st, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

const timeFormat = time.RFC3339Nano

// Consent is the record of an employee's consent to face matching.
type Consent struct {
	ID          int64      `json:"id"`
	EmployeeID  string     `json:"employee_id"`
	SiteID      string     `json:"site_id"`
	By          string     `json:"by"`      // who gave or recorded the consent
	Purpose     string     `json:"purpose"` // the purpose text shown to the employee
	GivenAt     time.Time  `json:"given_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// replaceTemplates stores the descriptors of an employee at a site, replacing
// earlier ones, and records the consent, in one transaction.
func (s *Store) replaceTemplates(ctx context.Context, employee, site string, descs []Descriptor, c Consent) (consent int64, event string, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, "", fmt.Errorf("facematch: enroll: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM templates WHERE employee_id = ? AND site_id = ?`, employee, site); err != nil {
		return 0, "", fmt.Errorf("facematch: enroll: %w", err)
	}
	at := c.GivenAt.UTC().Format(timeFormat)
	for i, d := range descs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO templates (employee_id, site_id, slot, sealed, created_at) VALUES (?, ?, ?, ?, ?)`,
			employee, site, i, s.seal.seal(d, employee, site, i), at); err != nil {
			return 0, "", fmt.Errorf("facematch: enroll: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO consents (employee_id, site_id, given_by, purpose, given_at) VALUES (?, ?, ?, ?, ?)`,
		employee, site, c.By, c.Purpose, at)
	if err != nil {
		return 0, "", fmt.Errorf("facematch: enroll: consent: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, "", fmt.Errorf("facematch: enroll: consent: %w", err)
	}
	ev := Event{Action: ActionFaceEnroll, EmployeeID: employee, SiteID: site, At: c.GivenAt,
		Detail: map[string]any{"consent_id": id, "consent_by": c.By, "purpose": c.Purpose, "descriptors": len(descs)}}
	if event, err = addEvent(ctx, tx, ev); err != nil {
		return 0, "", err
	}
	return id, event, tx.Commit()
}

// deleteEmployee removes every descriptor of an employee and marks the open
// consents withdrawn. Consent rows stay: they prove what was agreed and when
// it ended, and hold no biometric data.
func (s *Store) deleteEmployee(ctx context.Context, employee string, now time.Time) (descriptors, consents int64, event string, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, "", fmt.Errorf("facematch: delete: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM templates WHERE employee_id = ?`, employee)
	if err != nil {
		return 0, 0, "", fmt.Errorf("facematch: delete: %w", err)
	}
	descriptors, _ = res.RowsAffected()
	res, err = tx.ExecContext(ctx, `UPDATE consents SET withdrawn_at = ? WHERE employee_id = ? AND withdrawn_at IS NULL`,
		now.UTC().Format(timeFormat), employee)
	if err != nil {
		return 0, 0, "", fmt.Errorf("facematch: delete: %w", err)
	}
	consents, _ = res.RowsAffected()
	if descriptors > 0 || consents > 0 {
		ev := Event{Action: ActionFaceDelete, EmployeeID: employee, At: now,
			Detail: map[string]any{"descriptors": descriptors, "withdrawn_consents": consents}}
		if event, err = addEvent(ctx, tx, ev); err != nil {
			return 0, 0, "", err
		}
	}
	return descriptors, consents, event, tx.Commit()
}

// loadAll reads and opens every descriptor: site -> employee -> descriptors.
func (s *Store) loadAll(ctx context.Context) (map[string]map[string][]Descriptor, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT employee_id, site_id, slot, sealed FROM templates ORDER BY site_id, employee_id, slot`)
	if err != nil {
		return nil, fmt.Errorf("facematch: load gallery: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string][]Descriptor{}
	for rows.Next() {
		var emp, site string
		var slot int
		var sealed []byte
		if err := rows.Scan(&emp, &site, &slot, &sealed); err != nil {
			return nil, fmt.Errorf("facematch: load gallery: %w", err)
		}
		d, err := s.seal.open(sealed, emp, site, slot)
		if err != nil {
			return nil, err
		}
		if out[site] == nil {
			out[site] = map[string][]Descriptor{}
		}
		out[site][emp] = append(out[site][emp], d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facematch: load gallery: %w", err)
	}
	return out, nil
}

// Consents lists the consent records of an employee, oldest first.
func (s *Store) Consents(ctx context.Context, employee string) ([]Consent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, employee_id, site_id, given_by, purpose, given_at, withdrawn_at FROM consents WHERE employee_id = ? ORDER BY id`, employee)
	if err != nil {
		return nil, fmt.Errorf("facematch: consents: %w", err)
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		var c Consent
		var given string
		var withdrawn sql.NullString
		if err := rows.Scan(&c.ID, &c.EmployeeID, &c.SiteID, &c.By, &c.Purpose, &given, &withdrawn); err != nil {
			return nil, fmt.Errorf("facematch: consents: %w", err)
		}
		c.GivenAt, _ = time.Parse(timeFormat, given)
		if withdrawn.Valid {
			t, _ := time.Parse(timeFormat, withdrawn.String)
			c.WithdrawnAt = &t
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AuditRecord is what punchd keeps as evidence of a face punch. Distances
// are Euclidean; a missing candidate has a null distance.
type AuditRecord struct {
	VerdictID        string    `json:"verdict_id"`
	Kind             string    `json:"kind"` // "identify" or "liveness"
	SiteID           string    `json:"site_id"`
	KioskID          string    `json:"kiosk_id"`
	Verdict          Verdict   `json:"verdict"`
	EmployeeID       string    `json:"employee_id,omitempty"` // nearest employee, also when not matched
	Distance         *float64  `json:"distance"`
	SecondEmployeeID string    `json:"second_employee_id,omitempty"`
	SecondDistance   *float64  `json:"second_distance"`
	Threshold        float64   `json:"threshold"`
	Margin           float64   `json:"margin"`
	Faces            int       `json:"faces"`
	Frames           int       `json:"frames"`
	Reason           string    `json:"reason,omitempty"`
	At               time.Time `json:"at"`
}

// ErrNotFound is returned for an unknown verdict id.
var ErrNotFound = errors.New("facematch: not found")

func (s *Store) addAudit(ctx context.Context, r AuditRecord) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit (verdict_id, kind, site_id, kiosk_id, verdict, employee_id, distance,
		second_employee_id, second_distance, threshold, margin, faces, frames, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.VerdictID, r.Kind, r.SiteID, r.KioskID, string(r.Verdict), r.EmployeeID, r.Distance, r.SecondEmployeeID, r.SecondDistance,
		r.Threshold, r.Margin, r.Faces, r.Frames, r.Reason, r.At.UTC().Format(timeFormat))
	if err != nil {
		return fmt.Errorf("facematch: audit: %w", err)
	}
	return nil
}

// Audit returns the audit record of a verdict.
func (s *Store) Audit(ctx context.Context, verdictID string) (AuditRecord, error) {
	var r AuditRecord
	var verdict, at string
	var d1, d2 sql.NullFloat64
	err := s.db.QueryRowContext(ctx, `SELECT verdict_id, kind, site_id, kiosk_id, verdict, employee_id, distance, second_employee_id,
		second_distance, threshold, margin, faces, frames, reason, at FROM audit WHERE verdict_id = ?`, verdictID).Scan(
		&r.VerdictID, &r.Kind, &r.SiteID, &r.KioskID, &verdict, &r.EmployeeID, &d1, &r.SecondEmployeeID, &d2,
		&r.Threshold, &r.Margin, &r.Faces, &r.Frames, &r.Reason, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("facematch: audit %s: %w", verdictID, err)
	}
	r.Verdict = Verdict(verdict)
	if d1.Valid {
		r.Distance = &d1.Float64
	}
	if d2.Valid {
		r.SecondDistance = &d2.Float64
	}
	r.At, _ = time.Parse(timeFormat, at)
	return r, nil
}
