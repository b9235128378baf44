# The policy of `gateway keys rotate|rewrap|status|reindex` (chain-admin, run by an operator):
# everything the gateway may do, plus rotation, rewrap and min_decryption_version.
# Still no delete and no export: shredding is by min_decryption_version (then `trim`, by a
# Vault administrator, once backup retention has passed; see README).

path "transit/datakey/plaintext/gateway-data" {
  capabilities = ["update"]
}
path "transit/encrypt/gateway-data" {
  capabilities = ["update"]
}
path "transit/decrypt/gateway-data" {
  capabilities = ["update"]
}
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
