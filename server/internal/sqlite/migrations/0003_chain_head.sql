-- A device's chain head is read from its newest punch (the unique index on
-- (device_id, seq) finds it), so ingest no longer rewrites the device row
-- for every batch.
ALTER TABLE devices DROP COLUMN last_seq;
ALTER TABLE devices DROP COLUMN last_hash;
