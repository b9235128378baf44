# Whoever renews the AppRole secret ids of the gateway and of keys-admin (deploy/vault/secret-id,
# deploy/guides/operations.md#vault-approle-secret-ids): issue them response-wrapped only, list
# their accessors, destroy them by accessor. No role id, no policy, no key: this policy alone
# opens no record.

# A secret id comes out wrapped (single-use token, at most 15 minutes), never in clear.
path "auth/approle/role/gateway/secret-id" {
  capabilities = ["update"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "15m"
}
path "auth/approle/role/gateway-keys-admin/secret-id" {
  capabilities = ["update"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "15m"
}
# LIST requests carry a trailing slash: accessors only, so unwrapped.
path "auth/approle/role/gateway/secret-id/" {
  capabilities = ["list"]
}
path "auth/approle/role/gateway-keys-admin/secret-id/" {
  capabilities = ["list"]
}
path "auth/approle/role/gateway/secret-id-accessor/destroy" {
  capabilities = ["update"]
}
path "auth/approle/role/gateway-keys-admin/secret-id-accessor/destroy" {
  capabilities = ["update"]
}
