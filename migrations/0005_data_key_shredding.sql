-- Crypto-shredding and key rotation (issue 4). A data key serves one (window, shard); once its
-- window is over and every result it sealed is purged (purge sets data_key_id to NULL), the
-- wrapped key is deleted: a database dump taken earlier then holds ciphertext whose key exists
-- only wrapped under KEK versions that `gateway keys retire` later stops Vault from decrypting.

-- The shredder's NOT EXISTS and `keys status` (records per KEK version) look results up by data
-- key; deleting a data_keys row also checks this foreign key.
CREATE INDEX test_results_data_key ON test_results (data_key_id) WHERE data_key_id IS NOT NULL;

-- `keys rewrap` finds the data keys still wrapped under an older KEK version.
CREATE INDEX data_keys_kek_version ON data_keys ((substring(wrapped from '^[a-z]+:v([0-9]+):')::integer));

-- The gateway's purge loop deletes the data keys of fully purged windows. Rewrap (UPDATE) is an
-- operator command on the owner connection: the runtime role never rewrites a wrapped key.
GRANT DELETE ON data_keys TO gateway_runtime;
