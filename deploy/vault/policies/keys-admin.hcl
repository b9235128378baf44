# The policy of `gateway keys rotate|rewrap|retire|status|rotate-blind-index|retire-blind-index`
# (chain-admin, run by an operator): rotation, rewrap and min_decryption_version.
# It never unwraps a data key (no decrypt, datakey or encrypt on gateway-data): a stolen
# keys-admin credential opens no sealed record. `gateway keys reindex` opens results to recompute their
# indexes, so it runs with the gateway's own AppRole (see README, "Keys in Vault").
# Still no delete and no export: shredding is by min_decryption_version (then `trim`, by a
# Vault administrator, once backup retention has passed; see README).

# Rewrap answers ciphertext only; the key read gives latest and min_decryption_version.
path "transit/rewrap/gateway-data" {
  capabilities = ["update"]
}
path "transit/keys/gateway-data" {
  capabilities = ["read"]
}
path "transit/keys/gateway-data/rotate" {
  capabilities = ["update"]
}
path "transit/keys/gateway-data/config" {
  capabilities = ["update"]
}

# Every `gateway keys` command opens the key manager, which unwraps the blind-index key versions
# (decrypt); rotate-blind-index wraps a new one (datakey/wrapped: no plaintext in the answer).
path "transit/decrypt/gateway-blind-index" {
  capabilities = ["update"]
}
path "transit/datakey/wrapped/gateway-blind-index" {
  capabilities = ["update"]
}
path "transit/keys/gateway-blind-index" {
  capabilities = ["read"]
}

path "transit/keys/gateway-audit-checkpoints" {
  capabilities = ["read"]
}
path "transit/keys/gateway-audit-checkpoints/rotate" {
  capabilities = ["update"]
}
path "transit/keys/gateway-receipts" {
  capabilities = ["read"]
}
path "transit/keys/gateway-receipts/rotate" {
  capabilities = ["update"]
}
