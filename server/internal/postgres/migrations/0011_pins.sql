-- A manager's or HR's kiosk PIN, as the verifier kiosks check offline
-- (auth.HashPIN: argon2id with the kiosk's parameters); '' none.
ALTER TABLE users ADD COLUMN pin_hash TEXT NOT NULL DEFAULT '';
