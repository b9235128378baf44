-- One-time prefill tokens (issue 19): a pharmacy's software posts a patient's identity over its
-- mTLS connection and gets a token that opens the counter page prefilled for a pharmacist of
-- that pharmacy. The token itself is never stored: only its SHA-256 (256 random bits, so no
-- salt is needed), as for session ids. The identity is sealed like a result's (AES-256-GCM under
-- a data key, bound to this row's id and its pharmacy). A row lives at most 5 minutes: redeeming
-- deletes it, and the purge deletes the expired ones.
CREATE TABLE counter_prefills (
  id           uuid PRIMARY KEY,
  pharmacy_id  uuid NOT NULL REFERENCES pharmacies (id),
  token_hash   text NOT NULL UNIQUE,
  sealed       bytea NOT NULL,
  -- a shredded data key leaves nothing to open: its tokens go with it
  data_key_id  uuid NOT NULL REFERENCES data_keys (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL CHECK (expires_at <= created_at + interval '5 minutes')
);
-- the purge deletes expired tokens by time
CREATE INDEX counter_prefills_expiry ON counter_prefills (expires_at);
-- the shredder's foreign-key check finds a data key's tokens
CREATE INDEX counter_prefills_data_key ON counter_prefills (data_key_id);

-- Issued by the intake listener, redeemed (deleted) by the web listener, purged by the gateway.
GRANT SELECT, INSERT, DELETE ON counter_prefills TO gateway_runtime;
