-- Signed status callbacks to pharmacy software: the endpoints each pharmacy registered and the
-- callbacks outbox. Events are inserted in the transaction of the status change they report
-- (results/lifecycle/), so a committed change always has its event and a rolled-back one none.

CREATE TABLE webhook_endpoints (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pharmacy_id      uuid NOT NULL REFERENCES pharmacies (id),
  -- operator-given configuration (https only, checked at registration and at each send)
  url              text NOT NULL CHECK (url LIKE 'https://%'),
  ca_pem           text,
  -- networks a chain admin allow-listed past the SSRF guard (CIDR text)
  allow_networks   text[] NOT NULL DEFAULT '{}',
  events           text[] NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY['result.delivered', 'result.dead-lettered', 'result.cancelled', 'result.purged', 'certificate.expiring']),
  -- signing secrets wrapped by the key manager (never stored in clear); during a rotation the
  -- previous one signs too until previous_until
  secret_current   text NOT NULL,
  secret_previous  text,
  previous_until   timestamptz,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  disabled_at      timestamptz
);
-- every status change looks up its pharmacy's live endpoints: one cheap probe when there is none
CREATE INDEX webhook_endpoints_pharmacy ON webhook_endpoints (pharmacy_id) WHERE disabled_at IS NULL;

CREATE TABLE webhook_events (
  -- the Standard Webhooks `webhook-id`: one per status change and endpoint, kept across retries
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id),
  -- the result id or the certificate fingerprint; NULL for a test event. No foreign key: the
  -- result.purged event outlives its result.
  subject_id       text,
  type             text NOT NULL CHECK (type IN ('result.delivered', 'result.dead-lettered', 'result.cancelled', 'result.purged', 'certificate.expiring', 'test')),
  -- no personal data: ids, status, codes and instants only
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_token      uuid,
  lease_until      timestamptz,
  last_error_code  text,
  -- our code, never the endpoint's text
  dead_reason      text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (endpoint_id, subject_id, type)
);
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE status = 'pending';

-- Registration and removal (disabled_at) run as the runtime role (web) too; nothing deletes.
GRANT SELECT, INSERT ON webhook_endpoints TO gateway_runtime;
GRANT UPDATE (secret_current, secret_previous, previous_until, disabled_at) ON webhook_endpoints TO gateway_runtime;
GRANT SELECT, INSERT ON webhook_events TO gateway_runtime;
GRANT UPDATE (status, attempts, next_attempt_at, lease_token, lease_until, last_error_code, dead_reason, delivered_at) ON webhook_events TO gateway_runtime;
