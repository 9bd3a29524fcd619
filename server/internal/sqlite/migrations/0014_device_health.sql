-- The health a kiosk last reported (protocol 2, POST /api/v1/device/health):
-- its JSON as received, and when punchd received it.
ALTER TABLE devices ADD COLUMN health TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN health_at_ms INTEGER NOT NULL DEFAULT 0;
