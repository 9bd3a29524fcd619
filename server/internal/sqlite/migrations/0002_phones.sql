-- Phones: an employee's own phone enrolls like a kiosk, bound to the employee,
-- and punches with the kiosk's rotating QR token as proof of presence.
ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'kiosk';
ALTER TABLE devices ADD COLUMN employee_id TEXT NOT NULL DEFAULT '';
ALTER TABLE enroll_codes ADD COLUMN employee_id TEXT NOT NULL DEFAULT '';

-- A rotating QR token (kiosk, step) is single use per employee.
CREATE TABLE qr_uses (
  kiosk_id TEXT NOT NULL, step BIGINT NOT NULL, employee_id TEXT NOT NULL, punch_id TEXT NOT NULL,
  PRIMARY KEY (kiosk_id, step, employee_id));
