-- Field staff's location reports (POST /api/v1/user/location): each point
-- once by the phone's id, its time as the server judged it, and where it
-- lay against the employee's site's fences.
CREATE TABLE location_points (
	id TEXT PRIMARY KEY,
	employee_id TEXT NOT NULL,
	device_id TEXT NOT NULL,
	site_id TEXT NOT NULL,
	at_ms bigint NOT NULL,
	device_time_ms bigint NOT NULL,
	received_at_ms bigint NOT NULL,
	lat double precision NOT NULL,
	lng double precision NOT NULL,
	accuracy_m double precision NOT NULL,
	datum TEXT NOT NULL,
	verdict TEXT NOT NULL,
	fence TEXT NOT NULL
);
CREATE INDEX location_points_employee ON location_points(employee_id, at_ms);
