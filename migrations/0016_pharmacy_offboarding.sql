-- Offboarding a pharmacy (`gateway pharmacy offboard`, the pharmacies page): started once, when
-- intake stopped, its certificates and enrolments were revoked and its receipts exported;
-- completed once no delivery of its results is pending. From completion the purge destroys the
-- personal data of its settled results without waiting for retention.
ALTER TABLE pharmacies
  ADD COLUMN offboarding_started_at timestamptz,
  ADD COLUMN offboarded_at          timestamptz,
  -- an offboarding pharmacy takes no traffic: it is never active again
  ADD CONSTRAINT pharmacies_offboarding_is_inactive CHECK (offboarding_started_at IS NULL OR NOT active),
  ADD CONSTRAINT pharmacies_offboarded_after_start CHECK (offboarded_at IS NULL OR offboarding_started_at IS NOT NULL);

-- the admin UI offboards as the registrar role, audited by the constraint trigger of 0011
GRANT UPDATE (offboarding_started_at, offboarded_at) ON pharmacies TO gateway_registrar;
