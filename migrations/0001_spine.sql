-- The spine: pharmacies and their certificates, sealed results, the transactional outbox,
-- idempotency records, data keys and the append-only audit log.
-- Roles are created once per cluster by `gateway db init-roles`; this file only GRANTs.

CREATE TABLE pharmacies (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  finess         text NOT NULL UNIQUE CHECK (finess ~ '^[0-9]{2}[0-9AB][0-9]{6}$' OR finess ~ '^2[AB][0-9]{7}$'),
  name           text NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  deactivated_at timestamptz
);

CREATE TABLE client_certificates (
  fingerprint  text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  pharmacy_id  uuid NOT NULL REFERENCES pharmacies (id),
  subject      text NOT NULL,
  not_after    timestamptz NOT NULL,
  revoked_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- certificate list per pharmacy
CREATE INDEX client_certificates_pharmacy ON client_certificates (pharmacy_id);

-- Data keys wrapped by the key manager: one per time window and pharmacy shard.
CREATE TABLE data_keys (
  id          uuid PRIMARY KEY,
  key_window  text NOT NULL,
  shard       integer NOT NULL,
  wrapped     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (key_window, shard)
);

CREATE TABLE test_results (
  id                  uuid PRIMARY KEY,
  pharmacy_id         uuid NOT NULL REFERENCES pharmacies (id),
  status              text NOT NULL CHECK (status IN ('received', 'delivering', 'retrying', 'delivered', 'dead-lettered', 'cancelled')),
  corrects            uuid REFERENCES test_results (id),
  superseded_by       uuid REFERENCES test_results (id),
  -- personal and health fields, sealed together (AES-256-GCM); NULL once purged
  sealed              bytea,
  data_key_id         uuid REFERENCES data_keys (id),
  -- blind indexes (HMAC): duplicate detection and externalRef lookup without decrypting
  nir_index           text,
  external_ref_index  text,
  loinc               text,
  collected_minute    timestamptz,
  received_at         timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  delivered_at        timestamptz,
  cancelled_at        timestamptz,
  purged_at           timestamptz,
  sidep_ack_id        text,
  problem_code        text
);
-- duplicate-result: one live result per (pharmacy, person, test, collection minute)
CREATE UNIQUE INDEX test_results_duplicate ON test_results (pharmacy_id, nir_index, loinc, collected_minute)
  WHERE nir_index IS NOT NULL;
-- GET /test-results?status=&since= (reconciliation listing, keyset on updated_at, id)
CREATE INDEX test_results_listing ON test_results (pharmacy_id, updated_at, id);
-- purge: terminal results not yet purged
CREATE INDEX test_results_purgeable ON test_results (status, updated_at) WHERE purged_at IS NULL;
-- findByExternalRef
CREATE INDEX test_results_external_ref ON test_results (pharmacy_id, external_ref_index) WHERE external_ref_index IS NOT NULL;

-- The transactional outbox. Payload is ids only; the relay decrypts at send time.
CREATE TABLE outbox_messages (
  id               uuid PRIMARY KEY,
  result_id        uuid NOT NULL REFERENCES test_results (id),
  kind             text NOT NULL CHECK (kind IN ('original', 'correction', 'cancellation')),
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead', 'superseded')),
  -- a correction or cancellation waits until the message it follows is settled
  depends_on       uuid REFERENCES outbox_messages (id),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_token      uuid,
  lease_until      timestamptz,
  last_error_code  text,
  dead_reason      jsonb,
  ack_id           text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- claimDue: pending messages by due time
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at) WHERE state = 'pending';
-- message of a result (status resource, corrections)
CREATE INDEX outbox_by_result ON outbox_messages (result_id);

CREATE TABLE idempotency_keys (
  pharmacy_id   uuid NOT NULL REFERENCES pharmacies (id),
  key           uuid NOT NULL,
  fingerprint   text NOT NULL,
  -- deferred: the key is claimed first in the intake transaction, before the result row exists
  result_id     uuid NOT NULL REFERENCES test_results (id) DEFERRABLE INITIALLY DEFERRED,
  response      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pharmacy_id, key)
);
-- purge: idempotency records of a purged result
CREATE INDEX idempotency_keys_result ON idempotency_keys (result_id);

-- Append-only audit log: no personal data, only pseudonymous ids.
CREATE TABLE audit_events (
  seq          bigserial PRIMARY KEY,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- the sealer seals only below the oldest transaction still in flight
  xact_id      xid8 NOT NULL DEFAULT pg_current_xact_id(),
  actor_type   text NOT NULL CHECK (actor_type IN ('pharmacy', 'user', 'system', 'anonymous')),
  actor_id     text,
  action       text NOT NULL,
  object_type  text,
  object_id    text,
  outcome      text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  reason       text,
  request_id   text,
  source_ip    text
);

GRANT SELECT ON pharmacies, client_certificates TO gateway_runtime;
GRANT SELECT, INSERT ON data_keys TO gateway_runtime;
GRANT SELECT, INSERT, UPDATE ON test_results, outbox_messages TO gateway_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO gateway_runtime;
GRANT INSERT ON audit_events TO gateway_runtime;
GRANT USAGE ON SEQUENCE audit_events_seq_seq TO gateway_runtime;
