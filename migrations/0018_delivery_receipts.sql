-- Signed delivery receipts. The claims are columns the delivery already writes (received_at,
-- delivered_at, sidep_ack_id) plus the contract version it was sent under and a keyed digest of
-- the message bytes sent (HMAC-SHA256 under the blind-index key, `v<version>:<hex>`); the compact JWS is
-- signed on first request and kept, so a receipt is signed once and read many times. None of
-- these is personal data: the purge (which nulls the personal columns only) keeps them.
ALTER TABLE test_results
  ADD COLUMN delivered_contract_version text,
  ADD COLUMN delivered_digest text,
  ADD COLUMN receipt_jws text;
