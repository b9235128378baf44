#!/bin/sh
# Idempotent Vault set-up for the gateway. Run with an administrator token after `vault operator
# init` and unseal:  VAULT_ADDR=https://vault:8200 VAULT_CACERT=ca.pem VAULT_TOKEN=… ./init.sh
#
# Creates (once; later runs change nothing that exists):
#   - the file audit device;
#   - Transit, with keys gateway-data (aes256-gcm96, derived), gateway-blind-index (same) and
#     gateway-audit-checkpoints and gateway-receipts (ed25519), none exportable, none deletable;
#   - the PKI mount pki-pharmacies (root CA, ECDSA P-256, 10 years; leaf max TTL 397 days) and its
#     role pharmacy-client (client auth only, EC P-256 keys, 90 days by default, no wildcard, IP or
#     URI SANs), the CRL rebuilt before its 7-day expiry, and the CA certificate in
#     pharmacies-ca.pem (GATEWAY_INTAKE_CLIENT_CA_FILE, or fetched by the gateway at start);
#   - the policies gateway (runtime), gateway-keys-admin (`gateway keys …`) and secret-id-issuer
#     (whoever renews the secret ids: deploy/guides/operations.md#vault-approle-secret-ids);
#   - the AppRoles gateway and gateway-keys-admin and their role id files. Their secret ids expire
#     (gateway: GATEWAY_VAULT_GATEWAY_SECRET_ID_TTL, default 720h; keys-admin:
#     GATEWAY_VAULT_KEYS_ADMIN_SECRET_ID_TTL, default 1h), log in and use tokens only from
#     GATEWAY_VAULT_GATEWAY_CIDRS / GATEWAY_VAULT_KEYS_ADMIN_CIDRS (default: loopback and the
#     private ranges; set the compose backend network's subnet), and are delivered
#     response-wrapped (deploy/vault/secret-id). The gateway's first secret id is unwrapped here
#     into its file; keys-admin gets none here: one per operation, issued when needed;
#   - the blind-index key, wrapped by Transit, in blind-index-key.wrapped (never replaced: a new
#     one would orphan every stored blind index; `gateway keys rotate-blind-index` adds versions
#     as blind-index-key.wrapped.v2, .v3, … beside it).
# Files go to $GATEWAY_VAULT_OUT_DIR (default ./vault-out, what the gateway mounts), mode 0600
# (secret ids 0440, readable by the group that runs the gateway: deploy/vault/secret-id);
# the keys-admin AppRole to $GATEWAY_VAULT_KEYS_ADMIN_DIR (default ./vault-keys-admin), which the
# gateway never mounts.
# INIT_CONTRACT_TEST=1 also creates the key gateway-contract-test and an AppRole for the
# contract suite (tests/integration/vault-key-manager-contract-holds-for-real-openbao.test.ts).
set -eu

: "${VAULT_ADDR:?set VAULT_ADDR}"
: "${VAULT_TOKEN:?set VAULT_TOKEN to an administrator token}"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${GATEWAY_VAULT_OUT_DIR:-./vault-out}
KEYS_ADMIN_OUT=${GATEWAY_VAULT_KEYS_ADMIN_DIR:-./vault-keys-admin}
AUDIT_FILE=${VAULT_AUDIT_FILE:-/vault/audit/audit.log}
# Loopback and the private ranges: the compose networks' addresses, never a public one.
PRIVATE_CIDRS=127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16
GATEWAY_CIDRS=${GATEWAY_VAULT_GATEWAY_CIDRS:-$PRIVATE_CIDRS}
KEYS_ADMIN_CIDRS=${GATEWAY_VAULT_KEYS_ADMIN_CIDRS:-$PRIVATE_CIDRS}
umask 077
mkdir -p "$OUT" "$KEYS_ADMIN_OUT"
. "$HERE/cli.sh"

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
create_key gateway-receipts ed25519

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
# The CRL is rebuilt before its expiry (auto_rebuild), and at once after each revoke by the
# gateway (`crl/rotate`: auto_rebuild alone leaves a revoked serial out until then); the gateway
# stores each new one.
vault write "$PKI/config/crl" expiry=168h auto_rebuild=true auto_rebuild_grace_period=48h >/dev/null
vault read -field=certificate "$PKI/cert/ca" >"$OUT/pharmacies-ca.pem"
chmod 0644 "$OUT/pharmacies-ca.pem"

vault policy write gateway "$HERE/policies/gateway.hcl"
vault policy write gateway-keys-admin "$HERE/policies/keys-admin.hcl"
vault policy write secret-id-issuer "$HERE/policies/secret-id-issuer.hcl"

approle() { # role policy token_ttl token_max_ttl secret_id_ttl cidrs out-dir
  vault write "auth/approle/role/$1" token_policies="$2" token_ttl="$3" token_max_ttl="$4" \
    token_type=service secret_id_ttl="$5" secret_id_bound_cidrs="$6" token_bound_cidrs="$6" >/dev/null
  vault read -field=role_id "auth/approle/role/$1/role-id" >"$7/$1-role-id"
}
# Once: later ones are renewed before they expire (deploy/guides/operations.md#vault-approle-secret-ids).
first_secret_id() { # role out-dir
  [ -s "$2/$1-secret-id" ] && return
  wrapped=$(sh "$HERE/secret-id" issue "$1")
  printf '%s\n' "$wrapped" | sh "$HERE/secret-id" unwrap "$1" "$2/$1-secret-id" >/dev/null
}
approle gateway gateway 1h 24h "${GATEWAY_VAULT_GATEWAY_SECRET_ID_TTL:-720h}" "$GATEWAY_CIDRS" "$OUT"
first_secret_id gateway "$OUT"
# keys-admin can raise min_decryption_version: its credentials never go where the gateway mounts
approle gateway-keys-admin gateway-keys-admin 15m 1h "${GATEWAY_VAULT_KEYS_ADMIN_SECRET_ID_TTL:-1h}" "$KEYS_ADMIN_CIDRS" "$KEYS_ADMIN_OUT"

# Version 1 only on a first run: after `gateway keys rotate-blind-index` and `retire-blind-index`
# the newest version lives in blind-index-key.wrapped.vN and version 1 is gone on purpose.
if ! ls "$OUT"/blind-index-key.wrapped "$OUT"/blind-index-key.wrapped.v* >/dev/null 2>&1; then
  context=$(printf '%s' 'sidep-gateway/blind-index-key/v1' | base64)
  vault write -field=ciphertext transit/datakey/wrapped/gateway-blind-index context="$context" bits=256 \
    >"$OUT/blind-index-key.wrapped"
fi

if [ "${INIT_CONTRACT_TEST:-}" = 1 ]; then
  create_key gateway-contract-test aes256-gcm96
  # the runtime's and keys-admin's grants on its own key, plus encrypt for the contract's wrapDataKey
  { cat "$HERE/policies/gateway.hcl" "$HERE/policies/keys-admin.hcl"
    printf 'path "transit/encrypt/gateway-data" {\n  capabilities = ["update"]\n}\n'
  } | sed 's/gateway-data/gateway-contract-test/g' | vault policy write gateway-contract-test -
  approle gateway-contract-test gateway-contract-test 15m 1h 24h "$GATEWAY_CIDRS" "$KEYS_ADMIN_OUT"
  first_secret_id gateway-contract-test "$KEYS_ADMIN_OUT"
fi

echo "Vault ready for the gateway; credentials in $OUT"
