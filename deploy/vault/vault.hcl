# Vault server for the gateway: integrated storage (Raft), TLS only, no UI.
# The file audit device is enabled by init.sh (audit devices are not declared in server config).
# Keep Vault snapshots (`vault operator raft snapshot save`) apart from database dumps, and no
# longer than the database backup retention: crypto-shredding relies on it (README).

storage "raft" {
  path    = "/vault/data"
  node_id = "vault-1"
}

listener "tcp" {
  address         = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_cert_file   = "/vault/tls/vault.crt"
  tls_key_file    = "/vault/tls/vault.key"
  # ANSSI: TLS 1.2 minimum, ECDHE + AEAD suites only (TLS 1.3 suites are not configurable).
  tls_min_version = "tls12"
  tls_cipher_suites = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"
}

api_addr      = "https://vault:8200"
cluster_addr  = "https://vault:8201"
ui            = false
# Raft storage: Vault's guidance is to disable mlock and disable swap on the host instead.
disable_mlock = true
