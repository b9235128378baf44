-- The rights of the people tested (GDPR art. 15-18, 21): the data protection officer's role, and
-- the register of their requests with the one-month answer due date (art. 12(3)). The register
-- holds no personal value: no NIR, no name, no result id; who recorded and answered a request is
-- the operator's identity, as the audit log names it.

ALTER TABLE enrolments DROP CONSTRAINT enrolments_role_check;
ALTER TABLE enrolments ADD CONSTRAINT enrolments_role_check
  CHECK (role IN ('pharmacist', 'pharmacy-manager', 'operator', 'chain-admin', 'auditor', 'dpo'));

CREATE TABLE subject_requests (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  received_at  timestamptz NOT NULL DEFAULT now(),
  -- one month after receipt, set by the writer (a month is not a fixed interval: no generated column)
  due_at       timestamptz NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('access-request', 'rectification', 'erasure', 'objection')),
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  answered_at  timestamptz,
  recorded_by  text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
  answered_by  text CHECK (length(answered_by) BETWEEN 1 AND 200),
  CHECK (due_at > received_at),
  CHECK ((status = 'answered') = (answered_at IS NOT NULL AND answered_by IS NOT NULL))
);
-- the open requests by due date: the register's page and the gauge of those due soon
CREATE INDEX subject_requests_open_due ON subject_requests (due_at) WHERE status = 'open';

-- The runtime role records a request and marks it answered, audited by the caller in the same
-- transaction; it never deletes one nor moves when it was received or is due.
GRANT SELECT ON subject_requests TO gateway_runtime;
GRANT INSERT (received_at, due_at, reason, recorded_by) ON subject_requests TO gateway_runtime;
GRANT UPDATE (status, answered_at, answered_by) ON subject_requests TO gateway_runtime;
