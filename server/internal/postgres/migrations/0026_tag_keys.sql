-- The server's NFC tag keys (package nfctag): Ed25519 seeds signing the
-- badge tokens written on NFC tags. The first is made with id 'k1', so
-- several punchd starting at once on one database agree on it.
CREATE TABLE tag_keys (id TEXT PRIMARY KEY, seed BYTEA NOT NULL, created_at_ms BIGINT NOT NULL);
