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
	"punchclock/server/internal/groupcommit"
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
	// LockDevices, when set, does the same for the devices of a group
	// (group commit), given as one array in the order to lock them.
	LockDevices string
	// GroupWriters is how many group-commit transactions run at once
	// (see groupcommit.go): 1 where the database has one writer.
	GroupWriters int
	// IsUnique reports a unique-constraint violation.
	IsUnique func(error) bool
	// Arrays says the driver binds Go slices as SQL arrays, so a list
	// test is "col = ANY(?)" with one parameter. That keeps one prepared
	// statement and one good plan (PostgreSQL's generic plan for a long
	// IN list of parameters degrades to a scan as the table grows).
	Arrays bool
	// ByteOrder is appended to a text column to order it byte by byte,
	// as Go compares strings, whatever the database's collation.
	ByteOrder string
	// SkipLocked is appended to a SELECT ... FOR UPDATE that claims
	// rows, so two claimers pass over each other's ("" where
	// transactions lock the database).
	SkipLocked string
	// Horizon, when set, selects the start (Unix ms, NULL when none) of
	// the oldest transaction in flight other than the caller's (see
	// store.Store.FeedHorizon).
	Horizon string
	// NotifyRevoked, when set, is run with the device id in the
	// transaction that revokes a device: it tells the other servers on
	// the database at commit (PostgreSQL's NOTIFY) to drop it from their
	// caches.
	NotifyRevoked string
}

// DB is a store.Store over database/sql.
type DB struct {
	db *sql.DB
	d  Dialect
	q  sync.Map // insert statements by row count, rebound
	// group writes concurrent ingest batches in shared transactions
	// (nil: each in its own); see groupcommit.go.
	group *groupcommit.Committer[ingestReq]
	// groupConn and groupSync: see SetDeferredSync (nil: none).
	groupConn *sql.Conn
	groupSync func() error
}

var _ store.Store = (*DB)(nil)

// New wraps an open database whose schema is migrated.
func New(db *sql.DB, d Dialect) *DB {
	s := &DB{db: db, d: d}
	s.SetGroupCommit(DefaultGroupCommit)
	return s
}

// SQL returns the underlying database (for benchmarks and tools).
func (s *DB) SQL() *sql.DB { return s.db }

// Close finishes the ingest batches under way and closes the database.
func (s *DB) Close() error {
	if s.group != nil {
		s.group.Close()
	}
	if s.groupConn != nil {
		s.groupConn.Close()
	}
	return s.db.Close()
}

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
		geo, err := siteGeoOf(x)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO sites (id, name, zone, face_url, geo, version) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, zone = excluded.zone, face_url = excluded.face_url, geo = excluded.geo, version = excluded.version`),
			x.ID, x.Name, x.Zone, x.FaceURL, geo, v)
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
	xs, err := s.PutEmployees(ctx, []attendance.Employee{x})
	if err != nil {
		return x, err
	}
	return xs[0], nil
}

// PutEmployees implements store.Store: every employee or none, in one
// transaction. Badge codes are set after every row is in, so a file that
// moves a badge from one of its employees to another goes through.
func (s *DB) PutEmployees(ctx context.Context, xs []attendance.Employee) ([]attendance.Employee, error) {
	for _, x := range xs {
		if err := checkAll("put employee", x); err != nil {
			return nil, err
		}
	}
	out := make([]attendance.Employee, len(xs))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, x := range xs {
			v, err := s.nextVersion(ctx, tx)
			if err != nil {
				return err
			}
			x.Version = v
			_, err = tx.ExecContext(ctx, s.Rebind(`INSERT INTO employees (id, name, department_id, site_id, manager_id, badge_code, position, active, leaving_date, version)
			VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, department_id = excluded.department_id,
			site_id = excluded.site_id, manager_id = excluded.manager_id, badge_code = '',
			position = excluded.position, active = excluded.active, leaving_date = excluded.leaving_date, version = excluded.version`),
				x.ID, x.Name, x.DepartmentID, x.SiteID, x.ManagerID, x.Position, b2i(x.Active), x.LeavingDate, v)
			if err != nil {
				return fmt.Errorf("employee %s: %w", x.ID, err)
			}
			out[i] = x
		}
		for _, x := range xs {
			if x.BadgeCode == "" {
				continue
			}
			_, err := tx.ExecContext(ctx, s.Rebind(`UPDATE employees SET badge_code = ? WHERE id = ?`), x.BadgeCode, x.ID)
			if err != nil && s.d.IsUnique(err) {
				return fmt.Errorf("employee %s: badge code already in use: %w", x.ID, store.ErrConflict)
			} else if err != nil {
				return fmt.Errorf("employee %s: %w", x.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: put employees: %w", err)
	}
	return out, nil
}

// Site returns one site.
func (s *DB) Site(ctx context.Context, id string) (attendance.Site, error) {
	if err := checkID("site", id); err != nil {
		return attendance.Site{}, err
	}
	xs, err := s.sites(ctx, `SELECT `+siteColumns+` FROM sites WHERE id = ?`, id)
	if err == nil && len(xs) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return attendance.Site{}, notFound(err, "site "+id)
	}
	return xs[0], nil
}

// Sites lists all sites by id.
func (s *DB) Sites(ctx context.Context) ([]attendance.Site, error) {
	return s.sites(ctx, `SELECT `+siteColumns+` FROM sites ORDER BY id`)
}

// siteColumns are a site's columns, in the order sites scans them.
const siteColumns = `id, name, zone, face_url, geo, version`

func (s *DB) sites(ctx context.Context, q string, args ...any) ([]attendance.Site, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: sites: %w", err)
	}
	defer rows.Close()
	var out []attendance.Site
	for rows.Next() {
		var x attendance.Site
		var geo string
		if err := rows.Scan(&x.ID, &x.Name, &x.Zone, &x.FaceURL, &geo, &x.Version); err != nil {
			return nil, fmt.Errorf("sqlstore: sites: %w", err)
		}
		if err := setSiteGeo(&x, geo); err != nil {
			return nil, err
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

const employeeCols = `id, name, department_id, site_id, manager_id, badge_code, position, active, leaving_date, version`

func scanEmployee(sc interface{ Scan(...any) error }) (attendance.Employee, error) {
	var x attendance.Employee
	var active int
	err := sc.Scan(&x.ID, &x.Name, &x.DepartmentID, &x.SiteID, &x.ManagerID, &x.BadgeCode, &x.Position, &active, &x.LeavingDate, &x.Version)
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
	if len(f.DepartmentIDs) > 0 {
		cond, a := in(s, "department_id", f.DepartmentIDs)
		q += ` AND ` + cond
		args = append(args, a...)
	}
	if f.ActiveOnly {
		q += ` AND active = 1`
	}
	if f.AfterID != "" {
		q += ` AND id` + s.d.ByteOrder + ` > ?`
		args = append(args, f.AfterID)
	}
	q += ` ORDER BY id` + s.d.ByteOrder
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	return s.employees(ctx, q, args...)
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
	if c.Sites, err = s.sites(ctx, `SELECT `+siteColumns+` FROM sites WHERE version > ? AND version <= ? ORDER BY id`, since, c.Version); err != nil {
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
