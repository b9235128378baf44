# Sourced by deploy/vault/init.sh, deploy/vault/secret-id and deploy/compose/vault-init.sh (POSIX
# sh: the Vault and OpenBao images have no bash). HashiCorp Vault's CLI or OpenBao's: same
# commands, same VAULT_* variables; VAULT_CLI names another binary.
VAULT_CLI=${VAULT_CLI:-$(command -v vault || command -v bao || true)}
[ -n "$VAULT_CLI" ] || { echo "neither vault nor bao is on the PATH" >&2; exit 2; }
# the scripts these call find the same binary without searching again
export VAULT_CLI
vault() { "$VAULT_CLI" "$@"; }
