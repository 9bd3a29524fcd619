-- Proofs attached to approval flows (a photo of a boarding pass for a
-- punch declared offline), checked as images when stored.
CREATE TABLE attachments (
	id TEXT PRIMARY KEY,
	flow_id TEXT NOT NULL,
	content_type TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	created_at_ms bigint NOT NULL,
	data bytea NOT NULL
);
CREATE INDEX attachments_flow ON attachments(flow_id);
