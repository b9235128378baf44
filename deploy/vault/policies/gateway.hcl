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

# Pharmacy client certificates (GATEWAY_PKI_CA_KIND=vault-pki): the gateway generates each key
# pair itself and sends only a CSR to the one role; no issue (Vault-generated keys), no other
# role, no sign-verbatim, no CA or role configuration, no tidy.
path "pki-pharmacies/sign/pharmacy-client" {
  capabilities = ["update"]
}
path "pki-pharmacies/revoke" {
  capabilities = ["update"]
}
# The CA certificate (trusted by the intake listener) and the CRL (loaded by it). Vault also
# serves these without a token; the grant keeps them readable should that ever be restricted.
path "pki-pharmacies/cert/ca" {
  capabilities = ["read"]
}
path "pki-pharmacies/cert/crl" {
  capabilities = ["read"]
}
