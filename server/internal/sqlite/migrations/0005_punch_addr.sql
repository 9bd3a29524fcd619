-- The client address a punch's batch came from, for the rules' allowed networks.
ALTER TABLE punches ADD COLUMN addr TEXT NOT NULL DEFAULT '';
