-- Approval flows (package approval). body is the whole request as JSON
-- (route and decisions included); the columns beside it are what lists
-- filter on. waiting_for is the approver of the level waiting ('' once
-- closed).
CREATE TABLE approvals (
	id text PRIMARY KEY,
	kind text NOT NULL,
	employee_id text NOT NULL,
	day bigint NOT NULL,
	state text NOT NULL,
	waiting_for text NOT NULL,
	created_at_ms bigint NOT NULL,
	closed_at_ms bigint NOT NULL,
	body text NOT NULL
);
CREATE INDEX approvals_employee ON approvals(employee_id, day);
CREATE INDEX approvals_waiting ON approvals(waiting_for, state);
-- Settings of the approval flows: the make-up policy, the matrix, the
-- delegations, each a JSON document under its key.
CREATE TABLE approval_settings (k text PRIMARY KEY, v text NOT NULL);
