-- The hash-chained audit log (package audit): append-only, one row per
-- security-relevant act, each holding the hash of the one before.
CREATE TABLE audit_log (
	seq bigint PRIMARY KEY,
	at_ms bigint NOT NULL,
	actor text NOT NULL,
	action text NOT NULL,
	target text NOT NULL,
	unit text NOT NULL,
	detail text NOT NULL,
	prev text NOT NULL,
	hash text NOT NULL
);
