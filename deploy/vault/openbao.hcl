# OpenBao server for the gateway (compose.yaml's default key manager): vault.hcl's settings, plus
# the file audit device declared here, since OpenBao refuses to enable audit devices through the
# API (init.sh then finds it and enables none). HashiCorp Vault runs vault.hcl instead.
# Keep snapshots (`bao operator raft snapshot save`) apart from database dumps, and no longer than
# the database backup retention: crypto-shredding relies on it (README).

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

# Every request and answer, secrets HMAC'd: the same log HashiCorp Vault writes once init.sh
# enables it (compose mounts deploy/state/vault-audit here).
audit "file" "file" {
  options {
    file_path = "/vault/audit/audit.log"
  }
}

api_addr      = "https://vault:8200"
cluster_addr  = "https://vault:8201"
ui            = false
# No disable_mlock: OpenBao 2.x never locks memory and warns "unknown or unsupported field" (seen
# with 2.7.2); disable swap on the host instead.
