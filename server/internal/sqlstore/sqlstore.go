// Package sqlstore is the SQL implementation of store.Store shared by the
// sqlite and postgres packages. The SQL is written once with "?"
// placeholders; a Dialect rebinds it and says how to lock a row.
//
// Instants are stored as Unix milliseconds so both databases compare and
// order them the same way.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// Dialect is what differs between the databases.
type Dialect struct {
	Name string
	// Placeholder returns the n-th (1-based) bind parameter.
	Placeholder func(n int) string
	// ForUpdate is appended to a SELECT that must lock its rows for the
	// rest of the transaction ("" where transactions lock the database).
	ForUpdate string
	// LockDevice, when set, is run first in an ingest transaction with
	// the device id: it serialises the batches of one device without
	// writing to its row ("" where transactions lock the database).
	LockDevice string
	// IsUnique reports a unique-constraint violation.
	IsUnique func(error) bool
	// Arrays says the driver binds Go slices as SQL arrays, so a list
	// test is "col = ANY(?)" with one parameter. That keeps one prepared
	// statement and one good plan (PostgreSQL's generic plan for a long
	// IN list of parameters degrades to a scan as the table grows).
	Arrays bool
}

// DB is a store.Store over database/sql.
type DB struct {
	db *sql.DB
	d  Dialect
	q  sync.Map // insert statements by row count, rebound
}

var _ store.Store = (*DB)(nil)

// New wraps an open database whose schema is migrated.
func New(db *sql.DB, d Dialect) *DB {
	return &DB{db: db, d: d}
}

// SQL returns the underlying database (for benchmarks and tools).
func (s *DB) SQL() *sql.DB { return s.db }

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Rebind turns "?" placeholders into the dialect's.
func (s *DB) Rebind(q string) string {
	if s.d.Placeholder == nil {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString(s.d.Placeholder(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Migrate applies the embedded migrations (files NNNN_*.sql in dir of
// fsys) that the database has not seen, each in its own transaction.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := migrationVersion(name)
		if err != nil {
			return err
		}
		var n int
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM schema_migrations WHERE version = %d`, v)).Scan(&n); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(text)); err != nil {
			tx.Rollback()
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO schema_migrations (version, applied_at_ms) VALUES (%d, %d)`, v, time.Now().UnixMilli())); err != nil {
			tx.Rollback()
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
	}
	return nil
}

// migrationVersion is the number a migration file's name starts with.
func migrationVersion(name string) (int, error) {
	base := name[strings.LastIndex(name, "/")+1:]
	num, _, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil {
		return 0, fmt.Errorf("sqlstore: migration %s: name must start with a number and _", name)
	}
	return v, nil
}

// LatestMigration is the highest version among the migrations in dir of
// fsys: the schema version Migrate brings a database to. Tools that read
// a database without migrating it (backup checks) compare it with the
// database's own.
func LatestMigration(fsys fs.FS, dir string) (int, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return 0, fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	latest := 0
	for _, name := range names {
		v, err := migrationVersion(name)
		if err != nil {
			return 0, err
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// --- small helpers ---

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}

// inTx runs fn in a transaction, rolling back on error.
func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// nextVersion bumps and returns the global change version.
func (s *DB) nextVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `UPDATE meta SET v = v + 1 WHERE k = 'version' RETURNING v`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: next version: %w", err)
	}
	return v, nil
}

// --- organisation ---

// PutSite inserts or replaces a site.
func (s *DB) PutSite(ctx context.Context, x attendance.Site) (attendance.Site, error) {
	if err := checkAll("put site", x); err != nil {
		return x, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		v, err := s.nextVersion(ctx, tx)
		if err != nil {
			return err
		}
		x.Version = v
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO sites (id, name, zone, face_url, version) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, zone = excluded.zone, face_url = excluded.face_url, version = excluded.version`),
			x.ID, x.Name, x.Zone, x.FaceURL, v)
		return err
	})
	if err != nil {
		return x, fmt.Errorf("sqlstore: put site %s: %w", x.ID, err)
	}
	return x, nil
}

// PutDepartment inserts or replaces a department.
func (s *DB) PutDepartment(ctx context.Context, x attendance.Department) (attendance.Department, error) {
	if err := checkAll("put department", x); err != nil {
		return x, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		v, err := s.nextVersion(ctx, tx)
		if err != nil {
			return err
		}
		x.Version = v
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO departments (id, name, parent_id, manager_id, version) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id,
			manager_id = excluded.manager_id, version = excluded.version`),
			x.ID, x.Name, x.ParentID, x.ManagerID, v)
		return err
	})
	if err != nil {
		return x, fmt.Errorf("sqlstore: put department %s: %w", x.ID, err)
	}
	return x, nil
}

// PutEmployee inserts or replaces an employee. A badge code held by another
// active employee is ErrConflict.
func (s *DB) PutEmployee(ctx context.Context, x attendance.Employee) (attendance.Employee, error) {
	if err := checkAll("put employee", x); err != nil {
		return x, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		v, err := s.nextVersion(ctx, tx)
		if err != nil {
			return err
		}
		x.Version = v
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO employees (id, name, department_id, site_id, manager_id, badge_code, position, active, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, department_id = excluded.department_id,
			site_id = excluded.site_id, manager_id = excluded.manager_id, badge_code = excluded.badge_code,
			position = excluded.position, active = excluded.active, version = excluded.version`),
			x.ID, x.Name, x.DepartmentID, x.SiteID, x.ManagerID, x.BadgeCode, x.Position, b2i(x.Active), v)
		if err != nil && s.d.IsUnique(err) {
			return fmt.Errorf("badge code already in use: %w", store.ErrConflict)
		}
		return err
	})
	if err != nil {
		return x, fmt.Errorf("sqlstore: put employee %s: %w", x.ID, err)
	}
	return x, nil
}

// Site returns one site.
func (s *DB) Site(ctx context.Context, id string) (attendance.Site, error) {
	if err := checkID("site", id); err != nil {
		return attendance.Site{}, err
	}
	var x attendance.Site
	err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT id, name, zone, face_url, version FROM sites WHERE id = ?`), id).
		Scan(&x.ID, &x.Name, &x.Zone, &x.FaceURL, &x.Version)
	if err != nil {
		return x, notFound(err, "site "+id)
	}
	return x, nil
}

// Sites lists all sites by id.
func (s *DB) Sites(ctx context.Context) ([]attendance.Site, error) {
	return s.sites(ctx, `SELECT id, name, zone, face_url, version FROM sites ORDER BY id`)
}

func (s *DB) sites(ctx context.Context, q string, args ...any) ([]attendance.Site, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: sites: %w", err)
	}
	defer rows.Close()
	var out []attendance.Site
	for rows.Next() {
		var x attendance.Site
		if err := rows.Scan(&x.ID, &x.Name, &x.Zone, &x.FaceURL, &x.Version); err != nil {
			return nil, fmt.Errorf("sqlstore: sites: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Departments lists all departments by id.
func (s *DB) Departments(ctx context.Context) ([]attendance.Department, error) {
	return s.departments(ctx, `SELECT id, name, parent_id, manager_id, version FROM departments ORDER BY id`)
}

func (s *DB) departments(ctx context.Context, q string, args ...any) ([]attendance.Department, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: departments: %w", err)
	}
	defer rows.Close()
	var out []attendance.Department
	for rows.Next() {
		var x attendance.Department
		if err := rows.Scan(&x.ID, &x.Name, &x.ParentID, &x.ManagerID, &x.Version); err != nil {
			return nil, fmt.Errorf("sqlstore: departments: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

const employeeCols = `id, name, department_id, site_id, manager_id, badge_code, position, active, version`

func scanEmployee(sc interface{ Scan(...any) error }) (attendance.Employee, error) {
	var x attendance.Employee
	var active int
	err := sc.Scan(&x.ID, &x.Name, &x.DepartmentID, &x.SiteID, &x.ManagerID, &x.BadgeCode, &x.Position, &active, &x.Version)
	x.Active = active != 0
	return x, err
}

// Employee returns one employee.
func (s *DB) Employee(ctx context.Context, id string) (attendance.Employee, error) {
	if err := checkID("employee", id); err != nil {
		return attendance.Employee{}, err
	}
	x, err := scanEmployee(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+employeeCols+` FROM employees WHERE id = ?`), id))
	if err != nil {
		return x, notFound(err, "employee "+id)
	}
	return x, nil
}

// EmployeeByBadge returns the active employee holding a badge code.
func (s *DB) EmployeeByBadge(ctx context.Context, code string) (attendance.Employee, error) {
	if err := checkText("employee by badge", code); err != nil {
		return attendance.Employee{}, err
	}
	x, err := scanEmployee(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+employeeCols+` FROM employees WHERE badge_code = ? AND active = 1`), code))
	if err != nil || code == "" {
		return x, notFound(cmpErr(err, sql.ErrNoRows), "employee with badge")
	}
	return x, nil
}

func cmpErr(err, dflt error) error {
	if err == nil {
		return dflt
	}
	return err
}

// Employees lists employees by id.
func (s *DB) Employees(ctx context.Context, f store.EmployeeFilter) ([]attendance.Employee, error) {
	if err := checkAll("employees", f); err != nil {
		return nil, err
	}
	q := `SELECT ` + employeeCols + ` FROM employees WHERE 1 = 1`
	var args []any
	if f.SiteID != "" {
		q += ` AND site_id = ?`
		args = append(args, f.SiteID)
	}
	if f.DepartmentID != "" {
		q += ` AND department_id = ?`
		args = append(args, f.DepartmentID)
	}
	if f.ActiveOnly {
		q += ` AND active = 1`
	}
	return s.employees(ctx, q+` ORDER BY id`, args...)
}

func (s *DB) employees(ctx context.Context, q string, args ...any) ([]attendance.Employee, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: employees: %w", err)
	}
	defer rows.Close()
	var out []attendance.Employee
	for rows.Next() {
		x, err := scanEmployee(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: employees: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// PutRules stores a site's rule document and returns its version.
func (s *DB) PutRules(ctx context.Context, siteID string, doc json.RawMessage) (int64, error) {
	if err := checkID("put rules", siteID); err != nil {
		return 0, err
	}
	if err := checkText("put rules", string(doc)); err != nil {
		return 0, err
	}
	var v int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if v, err = s.nextVersion(ctx, tx); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO rules (site_id, doc, version) VALUES (?, ?, ?)
			ON CONFLICT (site_id) DO UPDATE SET doc = excluded.doc, version = excluded.version`), siteID, string(doc), v)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: put rules %q: %w", siteID, err)
	}
	return v, nil
}

// Rules returns the site's rule document, or the default's.
func (s *DB) Rules(ctx context.Context, siteID string) (json.RawMessage, int64, error) {
	if err := checkID("rules", siteID); err != nil {
		return nil, 0, err
	}
	var doc string
	var v int64
	err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT doc, version FROM rules WHERE site_id = ? OR site_id = '' ORDER BY site_id DESC LIMIT 1`), siteID).Scan(&doc, &v)
	if err != nil {
		return nil, 0, notFound(err, "rules of site "+siteID)
	}
	return json.RawMessage(doc), v, nil
}

// Changes returns what changed after version since.
func (s *DB) Changes(ctx context.Context, since int64) (store.Changes, error) {
	var c store.Changes
	// Read the version first: anything written later has a larger version
	// and is picked up by the next pull, so nothing falls between two pulls.
	if err := s.db.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'version'`).Scan(&c.Version); err != nil {
		return c, fmt.Errorf("sqlstore: changes: %w", err)
	}
	if c.Version == since {
		return c, nil
	}
	var err error
	if c.Sites, err = s.sites(ctx, `SELECT id, name, zone, face_url, version FROM sites WHERE version > ? AND version <= ? ORDER BY id`, since, c.Version); err != nil {
		return c, err
	}
	if c.Departments, err = s.departments(ctx, `SELECT id, name, parent_id, manager_id, version FROM departments WHERE version > ? AND version <= ? ORDER BY id`, since, c.Version); err != nil {
		return c, err
	}
	if c.Employees, err = s.employees(ctx, `SELECT `+employeeCols+` FROM employees WHERE version > ? AND version <= ? ORDER BY id`, since, c.Version); err != nil {
		return c, err
	}
	if c.RulesChanged, err = s.strings(ctx, `SELECT site_id FROM rules WHERE version > ? AND version <= ? ORDER BY site_id`, since, c.Version); err != nil {
		return c, err
	}
	if c.DevicesRevoked, err = s.strings(ctx, `SELECT id FROM devices WHERE revoked = 1 AND revoked_version > ? AND revoked_version <= ? ORDER BY id`, since, c.Version); err != nil {
		return c, err
	}
	return c, nil
}

func (s *DB) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

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

// RevokeDevice marks a device revoked; its requests are refused from then on.
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
		return nil
	})
}

// --- tokens ---

// PutToken stores an API token by hash.
func (s *DB) PutToken(ctx context.Context, t store.Token) error {
	if err := checkAll("put token", t); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO tokens (hash, name, role, created_at_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET name = excluded.name, role = excluded.role`), t.Hash, t.Name, t.Role, ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlstore: put token: %w", err)
	}
	return nil
}

// TokenByHash finds a token.
func (s *DB) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	if err := checkText("token", hash); err != nil {
		return store.Token{}, err
	}
	var t store.Token
	var created int64
	err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT hash, name, role, created_at_ms FROM tokens WHERE hash = ?`), hash).
		Scan(&t.Hash, &t.Name, &t.Role, &created)
	t.CreatedAt = fromMS(created)
	if err != nil {
		return t, notFound(err, "token")
	}
	return t, nil
}

// --- punches ---

// punchCols are the columns of a punch insert, in InsertPunches' order.
const punchCols = `id, device_id, seq, employee_id, site_id, method, true_time_ms, received_at_ms, body, sig, hash, status, code, message, flags, addr`

// punchArgs returns p's values in punchCols order.
func punchArgs(p *store.StoredPunch) []any {
	return []any{p.ID, p.DeviceID, int64(p.Seq), p.EmployeeID, p.SiteID, string(p.Method), ms(p.TrueTime),
		ms(p.ReceivedAt), p.Body, p.Sig, p.Hash, p.Status, p.Code, p.Message, strings.Join(p.Flags, ","), p.Addr}
}

// InsertPunches writes punches with multi-row INSERTs in tx. It is the one
// write path of raw punches (and the benchmark's baseline).
func (s *DB) InsertPunches(ctx context.Context, tx *sql.Tx, ps []store.StoredPunch) error {
	const perRow = 16
	const maxRows = 500 // stays far below both databases' bind limits
	for len(ps) > 0 {
		n := min(len(ps), maxRows)
		var q string
		if v, ok := s.q.Load(n); ok {
			q = v.(string)
		} else {
			var b strings.Builder
			b.WriteString(`INSERT INTO punches (` + punchCols + `) VALUES `)
			row := "(" + strings.TrimSuffix(strings.Repeat("?, ", perRow), ", ") + ")"
			for i := range n {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(row)
			}
			q = s.Rebind(b.String())
			s.q.Store(n, q)
		}
		args := make([]any, 0, n*perRow)
		for i := range ps[:n] {
			args = append(args, punchArgs(&ps[i])...)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			if s.d.IsUnique(err) {
				return fmt.Errorf("sqlstore: insert punches: %w", store.ErrConflict)
			}
			return fmt.Errorf("sqlstore: insert punches: %w", err)
		}
		ps = ps[n:]
	}
	return nil
}

// Ingest runs one batch in a transaction; see store.Store.
func (s *DB) Ingest(ctx context.Context, deviceID string, keys store.IngestKeys, decide func(store.IngestView) (store.IngestPlan, error)) error {
	if err := checkID("ingest", deviceID); err != nil {
		return err
	}
	if err := checkAll("ingest", keys); err != nil {
		return err
	}
	if err := checkSeqs("ingest", keys.Seqs...); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.LockDevice != "" {
			if _, err := tx.ExecContext(ctx, s.Rebind(s.d.LockDevice), deviceID); err != nil {
				return fmt.Errorf("sqlstore: lock device %s: %w", deviceID, err)
			}
		}
		var version int64
		dev, err := scanDevice(scanFunc(func(dest ...any) error {
			return tx.QueryRowContext(ctx, s.Rebind(`SELECT `+deviceCols+`, (SELECT v FROM meta WHERE k = 'version') FROM devices WHERE id = ?`), deviceID).
				Scan(append(dest, &version)...)
		}))
		if err != nil {
			return notFound(err, "device "+deviceID)
		}
		view := store.IngestView{Device: dev, Version: version, ByID: map[string]store.Existing{}, BySeq: map[uint64]store.Existing{}, UsedQR: map[store.QRUse]store.QRUse{}}
		for _, u := range keys.QR {
			var punchID string
			err := tx.QueryRowContext(ctx, s.Rebind(`SELECT punch_id FROM qr_uses WHERE kiosk_id = ? AND step = ? AND employee_id = ?`), u.KioskID, u.Step, u.EmployeeID).Scan(&punchID)
			if err == nil {
				k := u.Key()
				view.UsedQR[k] = store.QRUse{KioskID: k.KioskID, Step: k.Step, EmployeeID: k.EmployeeID, PunchID: punchID}
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlstore: qr uses: %w", err)
			}
		}
		if len(keys.IDs) > 0 {
			cond, args := in(s, "id", keys.IDs)
			if err := s.existing(ctx, tx, cond, args, view.ByID, nil); err != nil {
				return err
			}
		}
		if len(keys.Seqs) > 0 {
			seqs := make([]int64, len(keys.Seqs))
			for i, q := range keys.Seqs {
				seqs[i] = int64(q)
			}
			cond, args := in(s, "seq", seqs)
			if err := s.existing(ctx, tx, `device_id = ? AND `+cond, append([]any{deviceID}, args...), nil, view.BySeq); err != nil {
				return err
			}
		}
		plan, err := decide(view)
		if err != nil {
			return err
		}
		if err := checkPlan(plan); err != nil {
			return err
		}
		if err := s.InsertPunches(ctx, tx, plan.Insert); err != nil {
			return err
		}
		for _, u := range plan.QRUses {
			_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO qr_uses (kiosk_id, step, employee_id, punch_id) VALUES (?, ?, ?, ?)`), u.KioskID, u.Step, u.EmployeeID, u.PunchID)
			if err != nil {
				if s.d.IsUnique(err) {
					return fmt.Errorf("sqlstore: qr use: %w", store.ErrConflict)
				}
				return fmt.Errorf("sqlstore: qr use: %w", err)
			}
		}
		if !plan.UpdateDevice {
			return nil
		}
		d := plan.Device
		_, err = tx.ExecContext(ctx, s.Rebind(`UPDATE devices SET offset_ms = ?, seen_at_ms = ? WHERE id = ?`), d.OffsetMS, ms(d.SeenAt), deviceID)
		if err != nil {
			return fmt.Errorf("sqlstore: update device %s: %w", deviceID, err)
		}
		return nil
	})
}

func (s *DB) existing(ctx context.Context, tx *sql.Tx, where string, args []any, byID map[string]store.Existing, bySeq map[uint64]store.Existing) error {
	rows, err := tx.QueryContext(ctx, s.Rebind(`SELECT id, seq, hash, status, code, message, flags FROM punches WHERE `+where), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: existing punches: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.Existing
		var seq int64
		var flags string
		if err := rows.Scan(&e.ID, &seq, &e.Hash, &e.Status, &e.Code, &e.Message, &flags); err != nil {
			return fmt.Errorf("sqlstore: existing punches: %w", err)
		}
		e.Seq, e.Flags = uint64(seq), splitFlags(flags)
		if byID != nil {
			byID[e.ID] = e
		}
		if bySeq != nil {
			bySeq[e.Seq] = e
		}
	}
	return rows.Err()
}

// scanFunc adapts a function to the Scan interface of the scan helpers.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// in returns the condition "col is one of vals" and its arguments.
func in[T any](s *DB, col string, vals []T) (string, []any) {
	if s.d.Arrays {
		return col + ` = ANY(?)`, []any{vals}
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + ` IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + `)`, args
}

const storedCols = `id, employee_id, site_id, true_time_ms, received_at_ms, body, sig, hash, status, code, message, flags, addr`

func scanStored(sc interface{ Scan(...any) error }) (store.StoredPunch, error) {
	var p store.StoredPunch
	var trueMS, recvMS int64
	var flags, id, emp, site string
	if err := sc.Scan(&id, &emp, &site, &trueMS, &recvMS, &p.Body, &p.Sig, &p.Hash, &p.Status, &p.Code, &p.Message, &flags, &p.Addr); err != nil {
		return p, err
	}
	if err := json.Unmarshal(p.Body, &p.Punch); err != nil {
		return p, fmt.Errorf("sqlstore: stored punch %s body: %w", id, err)
	}
	// The server's resolution (badge to employee, device to site) wins
	// over what the device wrote.
	p.ID, p.EmployeeID, p.SiteID = id, emp, site
	p.TrueTime, p.ReceivedAt, p.Flags = fromMS(trueMS), fromMS(recvMS), splitFlags(flags)
	return p, nil
}

// Punch returns one stored punch.
func (s *DB) Punch(ctx context.Context, id string) (store.StoredPunch, error) {
	if err := checkID("punch", id); err != nil {
		return store.StoredPunch{}, err
	}
	p, err := scanStored(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+storedCols+` FROM punches WHERE id = ?`), id))
	if err != nil {
		return p, notFound(err, "punch "+id)
	}
	return p, nil
}

// Punches lists stored punches by true time, then id.
func (s *DB) Punches(ctx context.Context, f store.PunchFilter) ([]store.StoredPunch, error) {
	if err := checkAll("punches", f); err != nil {
		return nil, err
	}
	q := `SELECT ` + storedCols + ` FROM punches WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) { q += ` AND ` + cond; args = append(args, v) }
	if f.EmployeeID != "" {
		add(`employee_id = ?`, f.EmployeeID)
	}
	if len(f.EmployeeIDs) > 0 {
		cond, a := in(s, "employee_id", f.EmployeeIDs)
		q += ` AND ` + cond
		args = append(args, a...)
	}
	if f.DeviceID != "" {
		add(`device_id = ?`, f.DeviceID)
	}
	if f.SiteID != "" {
		add(`site_id = ?`, f.SiteID)
	}
	if !f.From.IsZero() {
		add(`true_time_ms >= ?`, ms(f.From))
	}
	if !f.To.IsZero() {
		add(`true_time_ms < ?`, ms(f.To))
	}
	if f.Status != "" {
		add(`status = ?`, f.Status)
	}
	if f.AfterID != "" {
		q += ` AND (true_time_ms > ? OR (true_time_ms = ? AND id > ?))`
		args = append(args, ms(f.AfterTime), ms(f.AfterTime), f.AfterID)
	}
	q += ` ORDER BY true_time_ms, id`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: punches: %w", err)
	}
	defer rows.Close()
	var out []store.StoredPunch
	for rows.Next() {
		p, err := scanStored(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: punches: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
