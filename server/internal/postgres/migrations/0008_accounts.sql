-- People who sign in (package auth): admins, HR, managers, employees.
-- Passwords are stored as argon2id hashes (PHC strings) only.
CREATE TABLE users (
	id text PRIMARY KEY,
	login text NOT NULL UNIQUE,
	name text NOT NULL,
	role text NOT NULL,
	unit text NOT NULL,
	department_id text NOT NULL,
	employee_id text NOT NULL,
	password_hash text NOT NULL,
	active integer NOT NULL,
	created_at_ms bigint NOT NULL,
	updated_at_ms bigint NOT NULL
);
-- Browser sessions, by the SHA-256 of the cookie's secret. A session
-- ends at expires_at_ms (absolute), after the idle limit past
-- last_seen_ms, at sign-out (deleted) or when an admin revokes them.
CREATE TABLE sessions (
	hash text PRIMARY KEY,
	user_id text NOT NULL REFERENCES users(id),
	csrf text NOT NULL,
	addr text NOT NULL,
	created_at_ms bigint NOT NULL,
	last_seen_ms bigint NOT NULL,
	expires_at_ms bigint NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
