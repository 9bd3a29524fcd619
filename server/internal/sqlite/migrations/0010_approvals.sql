-- Approval flows (package approval). body is the whole request as JSON
-- (route and decisions included); the columns beside it are what lists
-- filter on. waiting_for is the approver of the level waiting ('' once
-- closed).
CREATE TABLE approvals (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	employee_id TEXT NOT NULL,
	day INTEGER NOT NULL,
	state TEXT NOT NULL,
	waiting_for TEXT NOT NULL,
	created_at_ms INTEGER NOT NULL,
	closed_at_ms INTEGER NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX approvals_employee ON approvals(employee_id, day);
CREATE INDEX approvals_waiting ON approvals(waiting_for, state);
-- Settings of the approval flows: the make-up policy, the matrix, the
-- delegations, each a JSON document under its key.
CREATE TABLE approval_settings (k TEXT PRIMARY KEY, v TEXT NOT NULL);
