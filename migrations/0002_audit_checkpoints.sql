-- Signed Merkle checkpoints over the audit log (RFC 6962 trees, chained like Certificate
-- Transparency signed tree heads). Checkpoint n seals every event whose transaction id lies in
-- [xact_from, xact_to): those transactions have all finished when it is sealed, so no event can
-- join a sealed batch later, whatever order sequence numbers commit in.
-- Roles come from `gateway db init-roles`: `gateway_sealer` (NOLOGIN) is taken on with
-- SET LOCAL ROLE by the runtime role's sealer connection only; request transactions keep
-- INSERT-only access to audit_events.

CREATE TABLE audit_checkpoints (
  number       bigint PRIMARY KEY CHECK (number >= 1),
  xact_from    xid8 NOT NULL,
  xact_to      xid8 NOT NULL CHECK (xact_to > xact_from),
  size         integer NOT NULL CHECK (size >= 1),
  -- the batch's sequence numbers in order and their RFC 6962 leaf hashes (32 bytes each): the
  -- root covers them, and they let `audit verify` name the first bad sequence and the fault
  seqs         bigint[] NOT NULL,
  leaves       bytea NOT NULL,
  root         text NOT NULL,
  prev         text NOT NULL,
  sealed_at    timestamptz NOT NULL,
  -- the canonical JSON that was signed (Ed25519), kept byte for byte
  body         text NOT NULL,
  key_version  integer NOT NULL,
  signature    text NOT NULL
);

-- The sealer's copies to the external sink, in checkpoint order (for the seal-lag guard).
CREATE TABLE audit_sink_copies (
  number     bigint PRIMARY KEY REFERENCES audit_checkpoints (number),
  copied_at  timestamptz NOT NULL DEFAULT now()
);

-- sealer: next batch and oldest unsealed event, by transaction id
CREATE INDEX audit_events_xact ON audit_events (xact_id);

GRANT SELECT ON audit_events TO gateway_sealer;
GRANT SELECT, INSERT ON audit_checkpoints, audit_sink_copies TO gateway_sealer;
