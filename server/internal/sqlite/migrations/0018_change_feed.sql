-- The change feed (package changefeed) tails what already orders the
-- changes, so the punch ingest writes nothing more than its punches:
-- punches by their arrival (received_at_ms, then id), and approval flows
-- by the global change version their start or decision bumps (a row
-- lock on meta orders those commits, so the version is commit-ordered).
CREATE INDEX punches_received ON punches(received_at_ms, id);
ALTER TABLE approvals ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX approvals_version ON approvals(version);
