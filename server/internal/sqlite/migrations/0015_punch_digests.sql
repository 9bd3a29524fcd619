-- What the rules engine reads of an employee's accepted punches, one row
-- per employee and 8-day bucket of true time (true_time_ms / 691200000),
-- so a company's month is 50,000 rows read rather than 440,000. A digest
-- is a cache: n is how many punches (of any status) it was built from, and
-- it is used only while the bucket still holds exactly n punches (punches
-- are append-only, so the same count is the same set); otherwise it is
-- rebuilt from the punches.
CREATE TABLE punch_digests (
  employee_id TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (employee_id, bucket));
