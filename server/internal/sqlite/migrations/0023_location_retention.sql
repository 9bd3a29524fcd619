-- Location points are deleted once older than punchd's retention
-- (serve -location-retention): found by their time.
CREATE INDEX location_points_at ON location_points(at_ms);
