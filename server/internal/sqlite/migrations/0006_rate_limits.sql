-- Token buckets of the rate limiters (enrollment, phone activation), kept
-- in the database so a restart does not reset them and every punchd on one
-- database shares them.
CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tokens REAL NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX rate_limits_at ON rate_limits(at_ms);
