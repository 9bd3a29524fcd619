-- The change feed (package changefeed) tails what already orders the
-- changes, so the punch ingest writes nothing more than its punches:
-- punches by their arrival (received_at_ms, then id), and approval flows
-- by the global change version their start or decision bumps (a row
-- lock on meta orders those commits, so the version is commit-ordered).
-- PostgreSQL: a BRIN index, a few pages for millions of punches and next
-- to nothing per insert, as arrival times follow the insertion order.
CREATE INDEX punches_received ON punches USING brin (received_at_ms);
ALTER TABLE approvals ADD COLUMN version bigint NOT NULL DEFAULT 0;
CREATE INDEX approvals_version ON approvals(version);
