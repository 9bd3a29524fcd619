-- Token buckets of the rate limiters (enrollment, phone activation), kept
-- in the database so a restart does not reset them and every punchd on one
-- database shares them.
CREATE TABLE rate_limits (key text PRIMARY KEY, tokens double precision NOT NULL, at_ms bigint NOT NULL);
CREATE INDEX rate_limits_at ON rate_limits(at_ms);
