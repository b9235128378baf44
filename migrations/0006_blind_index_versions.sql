-- Versioned blind-index keys (issue 4). Each blind index (test_results.nir_index and
-- external_ref_index, idempotency_keys.fingerprint) records the version of the HMAC key it was
-- computed under. After `gateway keys rotate-blind-index`, gateways write under the new version
-- and look up under every version they hold; `gateway keys reindex` opens each sealed result and
-- recomputes its indexes under the newest version; then `keys retire-blind-index` drops the old.
-- Rows from before this migration were indexed under the only key there was: version 1.
ALTER TABLE test_results ADD COLUMN blind_index_version integer NOT NULL DEFAULT 1;
ALTER TABLE idempotency_keys ADD COLUMN blind_index_version integer NOT NULL DEFAULT 1;

-- `keys reindex` and `keys status` find the rows still indexed under an older version.
CREATE INDEX test_results_blind_index_version ON test_results (blind_index_version, id);
CREATE INDEX idempotency_keys_blind_index_version ON idempotency_keys (blind_index_version);

-- Rewriting indexes (UPDATE) is an operator command on the owner connection; the runtime role's
-- table-wide SELECT, INSERT, UPDATE on both tables (0001) already covers the new columns.
