-- A rate limit per API token: requests a minute (0: punchd's default).
ALTER TABLE tokens ADD COLUMN rate_per_min integer NOT NULL DEFAULT 0;
