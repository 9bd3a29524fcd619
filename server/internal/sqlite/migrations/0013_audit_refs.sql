-- Acts reported from elsewhere (the face service's enrollments and
-- deletions) carry their own id: an act reported twice is one entry.
CREATE TABLE audit_refs (
	ref TEXT PRIMARY KEY,
	seq INTEGER NOT NULL
);
