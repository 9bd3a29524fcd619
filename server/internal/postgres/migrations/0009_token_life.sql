-- API tokens get an id (to name one without its secret), a scope (empty:
-- whatever the role allows, as for every token made before), an expiry,
-- a last use and a revocation (0: none).
ALTER TABLE tokens ADD COLUMN id text NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN scope text NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN last_used_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN revoked_at_ms bigint NOT NULL DEFAULT 0;
UPDATE tokens SET id = substr(hash, 1, 12) WHERE id = '';
CREATE UNIQUE INDEX tokens_id ON tokens(id);
