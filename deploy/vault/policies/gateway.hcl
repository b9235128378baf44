# The gateway's runtime policy: least privilege on its own Transit keys only.
# No delete, no export, no trim, no key configuration (min_decryption_version: `keys retire`),
# which stay with keys-admin.hcl.
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
# A chain admin's rotation and rewrap from the keys page (web listener). Neither reveals a
# plaintext (rewrap answers ciphertext only) nor makes anything undecryptable.
path "transit/keys/gateway-data/rotate" {
  capabilities = ["update"]
}
path "transit/rewrap/gateway-data" {
  capabilities = ["update"]
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

# Delivery receipts: their own Ed25519 key; key read publishes every version (the JWKS).
path "transit/sign/gateway-receipts" {
  capabilities = ["update"]
}
path "transit/keys/gateway-receipts" {
  capabilities = ["read"]
}

# Pharmacy client certificates (GATEWAY_PKI_CA_KIND=vault-pki): the gateway generates each key
# pair itself and sends only a CSR to the one role; no issue (Vault-generated keys), no other
# role, no sign-verbatim, no CA, role or CRL configuration, no tidy.
path "pki-pharmacies/sign/pharmacy-client" {
  capabilities = ["update"]
}
path "pki-pharmacies/revoke" {
  capabilities = ["update"]
}
# Rebuilds the CRL after each revoke: with auto_rebuild, Vault would list the serial only at its
# next scheduled rebuild, days later. `crl/rotate` is a read in Vault's API.
path "pki-pharmacies/crl/rotate" {
  capabilities = ["read"]
}
# The CA certificate (trusted by the intake listener) and the CRL (loaded by it). Vault also
# serves these without a token; the grant keeps them readable should that ever be restricted.
path "pki-pharmacies/cert/ca" {
  capabilities = ["read"]
}
path "pki-pharmacies/cert/crl" {
  capabilities = ["read"]
}

# Its own secret id's expiry (gateway_key_manager_secret_id_expiry_timestamp_seconds, alerted
# ahead): a lookup needs the secret id itself, so it tells only what the gateway already holds.
path "auth/approle/role/gateway/secret-id/lookup" {
  capabilities = ["update"]
}
