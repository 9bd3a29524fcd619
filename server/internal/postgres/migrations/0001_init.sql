-- punchclock schema, PostgreSQL dialect. Instants are Unix milliseconds (UTC).
CREATE TABLE meta (k text PRIMARY KEY, v bigint NOT NULL);
INSERT INTO meta (k, v) VALUES ('version', 0);

CREATE TABLE sites (
  id text PRIMARY KEY, name text NOT NULL, zone text NOT NULL, version bigint NOT NULL);
CREATE INDEX sites_version ON sites(version);

CREATE TABLE departments (
  id text PRIMARY KEY, name text NOT NULL, parent_id text NOT NULL DEFAULT '',
  manager_id text NOT NULL DEFAULT '', version bigint NOT NULL);
CREATE INDEX departments_version ON departments(version);

CREATE TABLE employees (
  id text PRIMARY KEY, name text NOT NULL, department_id text NOT NULL, site_id text NOT NULL DEFAULT '',
  manager_id text NOT NULL DEFAULT '', badge_code text NOT NULL DEFAULT '', position text NOT NULL DEFAULT '',
  active integer NOT NULL, version bigint NOT NULL);
CREATE INDEX employees_version ON employees(version);
CREATE UNIQUE INDEX employees_badge ON employees(badge_code) WHERE badge_code <> '' AND active = 1;

CREATE TABLE rules (site_id text PRIMARY KEY, doc text NOT NULL, version bigint NOT NULL);

CREATE TABLE enroll_codes (
  hash text PRIMARY KEY, site_id text NOT NULL, created_at_ms bigint NOT NULL, expires_at_ms bigint NOT NULL,
  created_by text NOT NULL DEFAULT '', used_at_ms bigint, device_id text);

CREATE TABLE devices (
  id text PRIMARY KEY, name text NOT NULL, site_id text NOT NULL, public_key bytea NOT NULL, qr_secret bytea NOT NULL,
  enrolled_at_ms bigint NOT NULL, revoked integer NOT NULL DEFAULT 0, revoked_version bigint NOT NULL DEFAULT 0,
  last_seq bigint NOT NULL DEFAULT 0, last_hash text NOT NULL DEFAULT '',
  offset_ms bigint NOT NULL DEFAULT 0, seen_at_ms bigint NOT NULL DEFAULT 0);
CREATE INDEX devices_revoked ON devices(revoked_version);

CREATE TABLE punches (
  id text PRIMARY KEY, device_id text NOT NULL, seq bigint NOT NULL, employee_id text NOT NULL,
  site_id text NOT NULL, method text NOT NULL, true_time_ms bigint NOT NULL, received_at_ms bigint NOT NULL,
  body bytea NOT NULL, sig bytea NOT NULL, hash text NOT NULL, status text NOT NULL,
  code text NOT NULL DEFAULT '', message text NOT NULL DEFAULT '', flags text NOT NULL DEFAULT '',
  UNIQUE (device_id, seq));
CREATE INDEX punches_employee_time ON punches(employee_id, true_time_ms);
CREATE INDEX punches_site_time ON punches(site_id, true_time_ms);
CREATE INDEX punches_time ON punches(true_time_ms, id);

-- Raw punches are evidence: append-only, enforced by the database too.
CREATE FUNCTION punches_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'punches are append-only'; END $$;
CREATE TRIGGER punches_no_change BEFORE UPDATE OR DELETE ON punches
  FOR EACH ROW EXECUTE FUNCTION punches_append_only();

CREATE TABLE tokens (hash text PRIMARY KEY, name text NOT NULL, role text NOT NULL, created_at_ms bigint NOT NULL);
