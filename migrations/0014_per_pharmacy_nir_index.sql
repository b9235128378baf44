-- Per-pharmacy NIR indexes. test_results.nir_index was one HMAC of the NIR for the whole chain,
-- so anyone holding a dump could link one person's tests across pharmacies. The gateway now
-- writes HMAC(pharmacy id, NIR) ('pharmacy'); rows written before keep their chain-wide index
-- ('chain') and still match (lookups try both forms) until `gateway keys reindex` converts them
-- in batches, row by row, without locking intake.
-- The default stays 'chain': a replica still on the previous release during a rolling upgrade
-- writes chain-wide indexes without naming the scheme, and the reindex must still find them.
ALTER TABLE test_results ADD COLUMN nir_index_scheme text NOT NULL DEFAULT 'chain'
  CHECK (nir_index_scheme IN ('chain', 'pharmacy'));

-- `keys reindex` and `keys status` find the rows still to convert.
CREATE INDEX test_results_chain_nir_index ON test_results (id) WHERE nir_index_scheme = 'chain';

-- The runtime role's table-wide SELECT, INSERT, UPDATE on test_results (0001) covers the column.
