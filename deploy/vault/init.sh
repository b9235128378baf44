#!/bin/sh
# Idempotent Vault set-up for the gateway. Run with an administrator token after `vault operator
# init` and unseal:  VAULT_ADDR=https://vault:8200 VAULT_CACERT=ca.pem VAULT_TOKEN=… ./init.sh
#
# Creates (once; later runs change nothing that exists):
#   - the file audit device;
#   - Transit, with keys gateway-data (aes256-gcm96, derived), gateway-blind-index (same) and
#     gateway-audit-checkpoints (ed25519), none exportable, none deletable;
#   - the policies gateway (runtime) and gateway-keys-admin (`gateway keys …`);
#   - the AppRoles gateway and gateway-keys-admin, and their role id / secret id files;
#   - the blind-index key, wrapped by Transit, in blind-index-key.wrapped (never replaced: a new
#     one would orphan every stored blind index; `gateway keys rotate-blind-index` adds versions
#     as blind-index-key.wrapped.v2, .v3, … beside it).
# Files go to $GATEWAY_VAULT_OUT_DIR (default ./vault-out), mode 0600.
# INIT_CONTRACT_TEST=1 also creates the key gateway-contract-test and an AppRole for the
# contract suite (tests/integration/key-manager-contract-holds-for-real-vault.test.ts).
set -eu

: "${VAULT_ADDR:?set VAULT_ADDR}"
: "${VAULT_TOKEN:?set VAULT_TOKEN to an administrator token}"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${GATEWAY_VAULT_OUT_DIR:-./vault-out}
AUDIT_FILE=${VAULT_AUDIT_FILE:-/vault/audit/audit.log}
umask 077
mkdir -p "$OUT"

mounted() { vault "$1" list -format=json | grep -q "\"$2/\""; }

mounted audit file || vault audit enable file file_path="$AUDIT_FILE"
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

vault policy write gateway "$HERE/policies/gateway.hcl"
vault policy write gateway-keys-admin "$HERE/policies/keys-admin.hcl"

approle() { # role policy ttl max_ttl
  vault write "auth/approle/role/$1" token_policies="$2" token_ttl="$3" token_max_ttl="$4" \
    token_type=service secret_id_ttl=0 >/dev/null
  vault read -field=role_id "auth/approle/role/$1/role-id" >"$OUT/$1-role-id"
  # A secret id is issued once; rotate it with `vault write -f auth/approle/role/$1/secret-id`.
  [ -s "$OUT/$1-secret-id" ] || vault write -f -field=secret_id "auth/approle/role/$1/secret-id" >"$OUT/$1-secret-id"
}
approle gateway gateway 1h 24h
approle gateway-keys-admin gateway-keys-admin 15m 1h

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
  approle gateway-contract-test gateway-contract-test 15m 1h
fi

echo "Vault ready for the gateway; credentials in $OUT"
