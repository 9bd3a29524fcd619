-- Asynchronous exports (POST /api/v1/report/export, package exportjob):
-- the export's parameters as JSON (spec), who asked (owner), the state and
-- progress, and the run's lease. A job whose punchd died is claimed again
-- once its lease ran out, and at once by the punchd that ran it (runner)
-- when it starts again; attempt fences a stale runner's writes. Its file
-- lives in punchd's data folder until expires_at_ms.
CREATE TABLE export_jobs (
	id text PRIMARY KEY,
	owner text NOT NULL,
	spec text NOT NULL,
	state text NOT NULL,
	done bigint NOT NULL DEFAULT 0,
	total bigint NOT NULL DEFAULT 0,
	size bigint NOT NULL DEFAULT 0,
	error text NOT NULL DEFAULT '',
	attempt bigint NOT NULL DEFAULT 0,
	runner text NOT NULL DEFAULT '',
	created_at_ms bigint NOT NULL,
	started_at_ms bigint NOT NULL DEFAULT 0,
	finished_at_ms bigint NOT NULL DEFAULT 0,
	lease_ms bigint NOT NULL DEFAULT 0,
	expires_at_ms bigint NOT NULL DEFAULT 0
);
CREATE INDEX export_jobs_state ON export_jobs(state, created_at_ms);
CREATE INDEX export_jobs_expires ON export_jobs(expires_at_ms);
