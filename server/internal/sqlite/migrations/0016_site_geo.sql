-- A site's address, point, geofences and allowed networks, as one JSON object
-- (attendance.Site's address, point, fences, networks; '' none).
ALTER TABLE sites ADD COLUMN geo TEXT NOT NULL DEFAULT '';
