-- People who sign in (package auth): admins, HR, managers, employees.
-- Passwords are stored as argon2id hashes (PHC strings) only.
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	unit TEXT NOT NULL,
	department_id TEXT NOT NULL,
	employee_id TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	active INTEGER NOT NULL,
	created_at_ms INTEGER NOT NULL,
	updated_at_ms INTEGER NOT NULL
);
-- Browser sessions, by the SHA-256 of the cookie's secret. A session
-- ends at expires_at_ms (absolute), after the idle limit past
-- last_seen_ms, at sign-out (deleted) or when an admin revokes them.
CREATE TABLE sessions (
	hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	addr TEXT NOT NULL,
	created_at_ms INTEGER NOT NULL,
	last_seen_ms INTEGER NOT NULL,
	expires_at_ms INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
