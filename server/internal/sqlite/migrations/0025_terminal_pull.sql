-- A terminal read with the older pull protocol (TCP 4370, package zkpull)
-- has the address punchd polls it at ("host:port"); '' for a terminal that
-- pushes (iclock).
ALTER TABLE terminals ADD COLUMN pull_addr TEXT NOT NULL DEFAULT '';
