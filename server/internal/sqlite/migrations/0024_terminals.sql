-- Hardware attendance terminals (ZKTeco PUSH, package terminal), by serial
-- number. An unknown serial that calls is kept as 'pending' (nothing of
-- its records is stored) until an admin accepts it, binding it to a site
-- and a zone ('' is the site's). The stamps are what the terminal last
-- uploaded of each table, given back at its handshake; offset_ms is its
-- clock as last measured (server minus terminal) and clock_at_ms when.
CREATE TABLE terminals (
	serial TEXT PRIMARY KEY,
	name TEXT NOT NULL DEFAULT '',
	site_id TEXT NOT NULL DEFAULT '',
	zone TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	att_stamp TEXT NOT NULL DEFAULT '',
	op_stamp TEXT NOT NULL DEFAULT '',
	photo_stamp TEXT NOT NULL DEFAULT '',
	offset_ms INTEGER NOT NULL DEFAULT 0,
	clock_at_ms INTEGER NOT NULL DEFAULT 0,
	first_seen_ms INTEGER NOT NULL DEFAULT 0,
	seen_at_ms INTEGER NOT NULL DEFAULT 0,
	addr TEXT NOT NULL DEFAULT '',
	info TEXT NOT NULL DEFAULT '',
	roster_version INTEGER NOT NULL DEFAULT 0
);

-- The command queue of each terminal (served on GET /iclock/getrequest,
-- answered on POST /iclock/devicecmd): return_code is NULL until the
-- terminal reports the result (0 done, negative an error).
CREATE TABLE terminal_commands (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	serial TEXT NOT NULL,
	command TEXT NOT NULL,
	created_at_ms INTEGER NOT NULL,
	sent_at_ms INTEGER NOT NULL DEFAULT 0,
	done_at_ms INTEGER NOT NULL DEFAULT 0,
	return_code INTEGER,
	result TEXT NOT NULL DEFAULT ''
);
CREATE INDEX terminal_commands_serial ON terminal_commands(serial, id);

-- The users (PIN and name) the command queue has given each terminal: the
-- roster it holds, against which the next change of its site is sent.
CREATE TABLE terminal_users (
	serial TEXT NOT NULL,
	pin TEXT NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (serial, pin)
);
