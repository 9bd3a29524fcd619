-- punchclock schema, SQLite dialect. Instants are Unix milliseconds (UTC).
CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
INSERT INTO meta (k, v) VALUES ('version', 0);

CREATE TABLE sites (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, zone TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX sites_version ON sites(version);

CREATE TABLE departments (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT NOT NULL DEFAULT '',
  manager_id TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL);
CREATE INDEX departments_version ON departments(version);

CREATE TABLE employees (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, department_id TEXT NOT NULL, site_id TEXT NOT NULL DEFAULT '',
  manager_id TEXT NOT NULL DEFAULT '', badge_code TEXT NOT NULL DEFAULT '', position TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE INDEX employees_version ON employees(version);
CREATE UNIQUE INDEX employees_badge ON employees(badge_code) WHERE badge_code <> '' AND active = 1;

CREATE TABLE rules (site_id TEXT PRIMARY KEY, doc TEXT NOT NULL, version INTEGER NOT NULL);

CREATE TABLE enroll_codes (
  hash TEXT PRIMARY KEY, site_id TEXT NOT NULL, created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '', used_at_ms INTEGER, device_id TEXT);

CREATE TABLE devices (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, site_id TEXT NOT NULL, public_key BLOB NOT NULL, qr_secret BLOB NOT NULL,
  enrolled_at_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, revoked_version INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0, last_hash TEXT NOT NULL DEFAULT '',
  offset_ms INTEGER NOT NULL DEFAULT 0, seen_at_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX devices_revoked ON devices(revoked_version);

CREATE TABLE punches (
  id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq INTEGER NOT NULL, employee_id TEXT NOT NULL,
  site_id TEXT NOT NULL, method TEXT NOT NULL, true_time_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL,
  body BLOB NOT NULL, sig BLOB NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL,
  code TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '', flags TEXT NOT NULL DEFAULT '',
  UNIQUE (device_id, seq));
CREATE INDEX punches_employee_time ON punches(employee_id, true_time_ms);
CREATE INDEX punches_site_time ON punches(site_id, true_time_ms);
CREATE INDEX punches_time ON punches(true_time_ms, id);

-- Raw punches are evidence: append-only, enforced by the database too.
CREATE TRIGGER punches_no_update BEFORE UPDATE ON punches BEGIN SELECT RAISE(ABORT, 'punches are append-only'); END;
CREATE TRIGGER punches_no_delete BEFORE DELETE ON punches BEGIN SELECT RAISE(ABORT, 'punches are append-only'); END;

CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
