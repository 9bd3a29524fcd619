-- The hash-chained audit log (package audit): append-only, one row per
-- security-relevant act, each holding the hash of the one before.
CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY,
	at_ms INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	unit TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev TEXT NOT NULL,
	hash TEXT NOT NULL
);
