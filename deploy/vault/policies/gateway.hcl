# The gateway's runtime policy: least privilege on its own Transit keys only.
# No delete, no export, no key configuration, no rotation (those are keys-admin.hcl).
# Token self-service (lookup-self, renew-self) comes from Vault's built-in "default" policy.

# Data keys: a fresh key per window (datakey/plaintext), unwrapped by decrypt.
path "transit/datakey/plaintext/gateway-data" {
  capabilities = ["update"]
}
path "transit/decrypt/gateway-data" {
  capabilities = ["update"]
}
# Key metadata (latest and min_decryption_version): the 2 s availability probe reads it.
path "transit/keys/gateway-data" {
  capabilities = ["read"]
}

# Blind-index key: unwrapped once at start from its wrapped file.
path "transit/decrypt/gateway-blind-index" {
  capabilities = ["update"]
}

# Audit checkpoints: Ed25519 signatures; key read publishes the public keys.
path "transit/sign/gateway-audit-checkpoints" {
  capabilities = ["update"]
}
path "transit/keys/gateway-audit-checkpoints" {
  capabilities = ["read"]
}
