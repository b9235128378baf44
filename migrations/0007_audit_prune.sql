-- Retention of the audit log (CNIL: 6 months to 1 year; 12 months by default). Only
-- `gateway audit prune`, logged in as `gateway_audit_admin` (from `gateway db init-roles`), may
-- delete, and only whole sealed batches from the start of the log. Each prune keeps the last
-- pruned checkpoint's signed body here: `audit verify` checks its signature and chains the
-- oldest retained checkpoint to it. The runtime and sealer roles get nothing here.

CREATE TABLE audit_prunes (
  -- checkpoints 1..through, and their events, were deleted
  through      bigint PRIMARY KEY CHECK (through >= 1),
  body         text NOT NULL,
  key_version  integer NOT NULL,
  signature    text NOT NULL,
  before       timestamptz NOT NULL,
  pruned_at    timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, DELETE ON audit_events, audit_checkpoints, audit_sink_copies TO gateway_audit_admin;
-- the prune's own audit event
GRANT INSERT ON audit_events TO gateway_audit_admin;
GRANT USAGE ON SEQUENCE audit_events_seq_seq TO gateway_audit_admin;
GRANT SELECT, INSERT ON audit_prunes TO gateway_audit_admin;
