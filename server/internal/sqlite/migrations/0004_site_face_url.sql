-- The site's face matching service on its LAN (kiosks offer face punches when it answers).
ALTER TABLE sites ADD COLUMN face_url TEXT NOT NULL DEFAULT '';
