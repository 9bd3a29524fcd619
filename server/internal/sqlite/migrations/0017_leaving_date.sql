-- An employee's leaving date: the last day they work, a civil date
-- (YYYY-MM-DD) in their home site's zone; '' none. Readers judge it
-- against their clock (attendance.Employee.ActiveAt).
ALTER TABLE employees ADD COLUMN leaving_date TEXT NOT NULL DEFAULT '';
