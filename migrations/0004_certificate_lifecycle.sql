-- Certificate lifecycle: what the registry needs to issue, rotate and revoke client certificates,
-- and the CRLs the intake listener loads. Certificates signed here carry their serial number
-- (for the CRL); those of an external CA are registered by fingerprint only.

ALTER TABLE client_certificates
  -- 'issued' by `gateway cert issue` with the configured CA; 'registered' from an external CA
  ADD COLUMN origin             text NOT NULL DEFAULT 'registered' CHECK (origin IN ('issued', 'registered')),
  ADD COLUMN serial_number      text CHECK (serial_number ~ '^[0-9a-f]{2,40}$'),
  ADD COLUMN issuer             text,
  ADD COLUMN not_before         timestamptz,
  -- RFC 5280 §5.3.1 reason names, as `gateway cert revoke --reason` takes them
  ADD COLUMN revocation_reason  text CHECK (revocation_reason IN ('unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation')),
  ADD COLUMN created_by         text,
  ADD COLUMN revoked_by         text,
  ADD CONSTRAINT client_certificates_issued_have_serial CHECK (origin = 'registered' OR serial_number IS NOT NULL),
  ADD CONSTRAINT client_certificates_reason_when_revoked CHECK (revocation_reason IS NULL OR revoked_at IS NOT NULL);
-- the listener's poll for recent revocations
CREATE INDEX client_certificates_revoked ON client_certificates (revoked_at) WHERE revoked_at IS NOT NULL;
-- the CRL: revoked certificates of one issuer
CREATE UNIQUE INDEX client_certificates_issuer_serial ON client_certificates (issuer, serial_number) WHERE serial_number IS NOT NULL;

-- Each CRL the CLI signed; the intake listener loads the newest of its CA and reloads its TLS context.
CREATE TABLE certificate_revocation_lists (
  crl_number   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- SHA-256 fingerprint of the signing CA's certificate
  issuer_fingerprint text NOT NULL CHECK (issuer_fingerprint ~ '^[0-9a-f]{64}$'),
  this_update  timestamptz NOT NULL,
  next_update  timestamptz NOT NULL,
  pem          text NOT NULL,
  entries      integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificate_revocation_lists_latest ON certificate_revocation_lists (issuer_fingerprint, crl_number DESC);

GRANT SELECT ON certificate_revocation_lists TO gateway_runtime;
