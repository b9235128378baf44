#!/bin/sh
# Idempotent Vault set-up for the gateway. Run with an administrator token after `vault operator
# init` and unseal:  VAULT_ADDR=https://vault:8200 VAULT_CACERT=ca.pem VAULT_TOKEN=… ./init.sh
#
# Creates (once; later runs change nothing that exists):
#   - the file audit device;
#   - Transit, with keys gateway-data (aes256-gcm96, derived), gateway-blind-index (same) and
#     gateway-audit-checkpoints (ed25519), none exportable, none deletable;
#   - the PKI mount pki-pharmacies (root CA, ECDSA P-256, 10 years; leaf max TTL 397 days) and its
#     role pharmacy-client (client auth only, EC P-256 keys, 90 days by default, no wildcard, IP or
#     URI SANs), the CRL rebuilt before its 7-day expiry, and the CA certificate in
#     pharmacies-ca.pem (GATEWAY_INTAKE_CLIENT_CA_FILE, or fetched by the gateway at start);
#   - the policies gateway (runtime) and gateway-keys-admin (`gateway keys …`);
#   - the AppRoles gateway and gateway-keys-admin, and their role id / secret id files;
#   - the blind-index key, wrapped by Transit, in blind-index-key.wrapped (never replaced: a new
#     one would orphan every stored blind index; `gateway keys rotate-blind-index` adds versions
#     as blind-index-key.wrapped.v2, .v3, … beside it).
# Files go to $GATEWAY_VAULT_OUT_DIR (default ./vault-out, what the gateway mounts), mode 0600;
# the keys-admin AppRole to $GATEWAY_VAULT_KEYS_ADMIN_DIR (default ./vault-keys-admin), which the
# gateway never mounts.
# INIT_CONTRACT_TEST=1 also creates the key gateway-contract-test and an AppRole for the
# contract suite (tests/integration/key-manager-contract-holds-for-real-vault.test.ts).
set -eu

: "${VAULT_ADDR:?set VAULT_ADDR}"
: "${VAULT_TOKEN:?set VAULT_TOKEN to an administrator token}"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${GATEWAY_VAULT_OUT_DIR:-./vault-out}
KEYS_ADMIN_OUT=${GATEWAY_VAULT_KEYS_ADMIN_DIR:-./vault-keys-admin}
AUDIT_FILE=${VAULT_AUDIT_FILE:-/vault/audit/audit.log}
umask 077
mkdir -p "$OUT" "$KEYS_ADMIN_OUT"
# HashiCorp Vault's CLI or OpenBao's: same commands, same VAULT_* variables.
VAULT_CLI=${VAULT_CLI:-$(command -v vault || command -v bao || true)}
[ -n "$VAULT_CLI" ] || { echo "neither vault nor bao is on the PATH" >&2; exit 2; }
vault() { "$VAULT_CLI" "$@"; }

mounted() { vault "$1" list -format=json | grep -q "\"$2/\""; }

# HashiCorp Vault enables audit devices through the API; OpenBao only from its server
# configuration (deploy/vault/openbao.hcl declares one): either way, none means no set-up.
if ! vault audit list -format=json | grep -q '"type": "file"'; then
  vault audit enable file file_path="$AUDIT_FILE" || { echo "no file audit device: declare one in the server configuration" >&2; exit 1; }
fi
mounted secrets transit || vault secrets enable transit
mounted auth approle || vault auth enable approle

create_key() { # name type
  if ! vault read -format=json "transit/keys/$1" >/dev/null 2>&1; then
    if [ "$2" = ed25519 ]; then
      vault write -f "transit/keys/$1" type=ed25519 exportable=false allow_plaintext_backup=false
    else
      vault write -f "transit/keys/$1" type="$2" derived=true exportable=false allow_plaintext_backup=false
    fi
  fi
  vault write "transit/keys/$1/config" deletion_allowed=false >/dev/null
}
create_key gateway-data aes256-gcm96
create_key gateway-blind-index aes256-gcm96
create_key gateway-audit-checkpoints ed25519

# Pharmacy client certificates: the gateway signs CSRs through the role (GATEWAY_PKI_CA_KIND=vault-pki).
PKI=pki-pharmacies
if ! mounted secrets "$PKI"; then
  vault secrets enable -path="$PKI" -max-lease-ttl=87600h pki
fi
# the CA is generated once, inside Vault (internal: its key never leaves)
if ! vault read -field=certificate "$PKI/cert/ca" 2>/dev/null | grep -q 'BEGIN CERTIFICATE'; then
  vault write -field=certificate "$PKI/root/generate/internal" common_name="SI-DEP Gateway pharmacies CA" \
    key_type=ec key_bits=256 ttl=87600h >/dev/null
fi
# the mount's max TTL bounds the root (10 years); leaves are held to the role's max_ttl (397 days)
vault secrets tune -max-lease-ttl=87600h "$PKI" >/dev/null
# CN = the pharmacy's FINESS (the gateway checks it; allow_any_name because it is no domain name);
# no_store=false: Vault keeps each certificate, which revocation by serial needs.
vault write "$PKI/roles/pharmacy-client" \
  allow_any_name=true enforce_hostnames=true allow_bare_domains=false allow_subdomains=false \
  allow_wildcard_certificates=false allow_ip_sans=false allowed_uri_sans="" allowed_other_sans="" \
  allow_localhost=false server_flag=false client_flag=true code_signing_flag=false email_protection_flag=false \
  key_type=ec key_bits=256 key_usage=DigitalSignature ext_key_usage="" \
  use_csr_common_name=true use_csr_sans=false require_cn=true no_store=false \
  ttl=2160h max_ttl=9528h >/dev/null
# Revocation is immediate; the CRL is rebuilt before its expiry (the gateway stores each new one).
vault write "$PKI/config/crl" expiry=168h auto_rebuild=true auto_rebuild_grace_period=48h >/dev/null
vault read -field=certificate "$PKI/cert/ca" >"$OUT/pharmacies-ca.pem"
chmod 0644 "$OUT/pharmacies-ca.pem"

vault policy write gateway "$HERE/policies/gateway.hcl"
vault policy write gateway-keys-admin "$HERE/policies/keys-admin.hcl"

approle() { # role policy ttl max_ttl out-dir
  vault write "auth/approle/role/$1" token_policies="$2" token_ttl="$3" token_max_ttl="$4" \
    token_type=service secret_id_ttl=0 >/dev/null
  vault read -field=role_id "auth/approle/role/$1/role-id" >"$5/$1-role-id"
  # A secret id is issued once; rotate it with `vault write -f auth/approle/role/$1/secret-id`.
  [ -s "$5/$1-secret-id" ] || vault write -f -field=secret_id "auth/approle/role/$1/secret-id" >"$5/$1-secret-id"
}
approle gateway gateway 1h 24h "$OUT"
# keys-admin can raise min_decryption_version: its credentials never go where the gateway mounts
approle gateway-keys-admin gateway-keys-admin 15m 1h "$KEYS_ADMIN_OUT"

# Version 1 only on a first run: after `gateway keys rotate-blind-index` and `retire-blind-index`
# the newest version lives in blind-index-key.wrapped.vN and version 1 is gone on purpose.
if ! ls "$OUT"/blind-index-key.wrapped "$OUT"/blind-index-key.wrapped.v* >/dev/null 2>&1; then
  context=$(printf '%s' 'sidep-gateway/blind-index-key/v1' | base64)
  vault write -field=ciphertext transit/datakey/wrapped/gateway-blind-index context="$context" bits=256 \
    >"$OUT/blind-index-key.wrapped"
fi

if [ "${INIT_CONTRACT_TEST:-}" = 1 ]; then
  create_key gateway-contract-test aes256-gcm96
  sed 's/gateway-data/gateway-contract-test/g' "$HERE/policies/keys-admin.hcl" | vault policy write gateway-contract-test -
  approle gateway-contract-test gateway-contract-test 15m 1h "$KEYS_ADMIN_OUT"
fi

echo "Vault ready for the gateway; credentials in $OUT"
