#!/bin/sh
# The `vault-init` one-shot of compose.yaml, run at each `docker compose up`. It never keeps a root
# token or an unseal key: deploy/guides/install.md#3-vault describes the ceremony.
#
# First start (Vault uninitialised): `operator init` splits the unseal key into one share per
# custodian public key found in $VAULT_CUSTODIANS_DIR (file name = custodian name; PGP, armored or
# binary), each share encrypted to its custodian, $VAULT_UNSEAL_THRESHOLD (default 3) of them
# needed to unseal; the encrypted shares go to $VAULT_SHARES_DIR, to be handed over and deleted.
# With an auto-unseal `seal` stanza in the server configuration, the same is done with the
# recovery keys. Then it waits (bounded) until the custodians unseal, runs deploy/vault/init.sh
# with the initial root token, and revokes that token, which only ever lived in this process.
# Later starts: no token at all. It waits until Vault is unsealed (custodians, or auto-unseal) and
# checks that the gateway's AppRole files exist; changing the set-up takes an administrator.
#
# Paths (compose.yaml mounts them; tests override them): VAULT_INIT_CONFIG_DIR (deploy/vault),
# GATEWAY_VAULT_OUT_DIR, GATEWAY_VAULT_KEYS_ADMIN_DIR, VAULT_CUSTODIANS_DIR, VAULT_SHARES_DIR.
set -eu
umask 077
CONFIG=${VAULT_INIT_CONFIG_DIR:-/vault/config}
APPROLE=${GATEWAY_VAULT_OUT_DIR:-/run/vault-approle}
KEYS_ADMIN=${GATEWAY_VAULT_KEYS_ADMIN_DIR:-/run/vault-keys-admin}
CUSTODIANS=${VAULT_CUSTODIANS_DIR:-/run/vault-custodians}
SHARES=${VAULT_SHARES_DIR:-/run/vault-unseal-shares}
THRESHOLD=${VAULT_UNSEAL_THRESHOLD:-3}
# custodians may need to travel to the host: half an hour, then `docker compose up -d` again
UNSEAL_WAIT=${VAULT_UNSEAL_WAIT_SECONDS:-1800}
. "$CONFIG/cli.sh"

say() { echo "vault-init: $*"; }
die() { echo "vault-init: $*" >&2; exit "${2:-1}"; }

# `vault status`: exit 0 unsealed, 2 sealed or uninitialised, 1 unreachable.
status() { vault status -format=json 2>/dev/null || true; }
answers() { rc=0; vault status >/dev/null 2>&1 || rc=$?; [ "$rc" -ne 1 ]; }
initialized() { status | grep -q '"initialized": true'; }
unsealed() { status | grep -q '"sealed": false'; }
# 200 only once unsealed and active: Raft elects its leader a moment after the unseal
active() { vault read sys/health >/dev/null 2>&1; }
auto_unseal() { ! status | grep -q '"type": "shamir"'; }
# the server's own threshold: VAULT_UNSEAL_THRESHOLD only applies at the first start
threshold() { status | sed -n 's/^ *"t": \([0-9]*\),*$/\1/p'; }

wait_for() { # seconds what condition
  deadline=$(($(date +%s) + $1))
  until $3; do
    [ "$(date +%s)" -lt "$deadline" ] || die "gave up after $1 s waiting for $2"
    sleep 2
  done
}

# The initial root token: set by initialise, revoked on every way out (EXIT, also on signals).
ROOT_TOKEN=
revoke_root() {
  [ -n "$ROOT_TOKEN" ] || return 0
  if (export VAULT_TOKEN="$ROOT_TOKEN"; vault token revoke -self >/dev/null 2>&1); then
    say "initial root token revoked"
  else
    echo "vault-init: the initial root token could not be revoked (Vault sealed?). It was never written" >&2
    echo "  anywhere; once Vault is unsealed, a root token the custodians generate can find and revoke" >&2
    echo "  it (deploy/guides/hardening.md#vault-unseal)." >&2
  fi
  ROOT_TOKEN=
}
trap revoke_root EXIT
trap 'exit 1' HUP INT TERM

initialise() {
  [ -d "$SHARES" ] && [ -w "$SHARES" ] || die "$SHARES must be a writable directory for the encrypted shares" 2
  set -- "$CUSTODIANS"/*
  [ -f "$1" ] || die "no custodian public key in $CUSTODIANS (one file per custodian, named after them)" 2
  keys=
  for key in "$@"; do
    case $(basename "$key") in *[!A-Za-z0-9._-]*) die "custodian key file names take letters, digits, . _ - only: $key" 2 ;; esac
    keys="$keys${keys:+,}$key"
  done
  [ "$THRESHOLD" -ge 2 ] && [ "$#" -ge "$THRESHOLD" ] ||
    die "VAULT_UNSEAL_THRESHOLD=$THRESHOLD needs at least 2, and at least as many custodians ($# found)" 2
  if auto_unseal; then
    kind=Recovery
    out=$(vault operator init -recovery-shares="$#" -recovery-threshold="$THRESHOLD" -recovery-pgp-keys="$keys")
  else
    kind=Unseal
    out=$(vault operator init -key-shares="$#" -key-threshold="$THRESHOLD" -pgp-keys="$keys")
  fi
  ROOT_TOKEN=$(printf '%s\n' "$out" | sed -n 's/^Initial Root Token: //p')
  # Share i is encrypted to the i-th key given: each file is named after its custodian.
  i=1
  names=
  for key in "$@"; do
    name=$(basename "$key")
    name=${name%.*}
    printf '%s\n' "$out" | sed -n "s/^$kind Key $i: //p" >"$SHARES/$name.share"
    names="$names $name"
    i=$((i + 1))
  done
  out=
  say "initialised; $kind key shares in $SHARES for:$names"
  say "each is encrypted to its custodian (base64 -d < NAME.share | gpg -d): hand them over, then delete them"
}

wait_for 120 "Vault to answer" answers
initialized || initialise
if ! unsealed; then
  say "Vault is sealed: $(threshold) custodians each run \`docker compose exec vault $(basename "$VAULT_CLI") operator unseal\`"
  say "and type their key (base64 -d < NAME.share | gpg -d); waiting up to $UNSEAL_WAIT s"
  wait_for "$UNSEAL_WAIT" "the custodians to unseal Vault" unsealed
fi
wait_for 60 "Vault to become active" active

if [ -n "$ROOT_TOKEN" ]; then
  VAULT_TOKEN=$ROOT_TOKEN GATEWAY_VAULT_OUT_DIR=$APPROLE GATEWAY_VAULT_KEYS_ADMIN_DIR=$KEYS_ADMIN sh "$CONFIG/init.sh"
  revoke_root
  # the containers reading them run in the gateway's group (compose.yaml); no one else reads them
  chmod 0440 "$APPROLE"/* "$KEYS_ADMIN"/*
else
  for file in gateway-role-id gateway-secret-id blind-index-key.wrapped; do
    [ -s "$APPROLE/$file" ] ||
      die "Vault is initialised but $APPROLE/$file is missing: an administrator runs deploy/vault/init.sh (deploy/guides/install.md#3-vault)"
  done
fi
say "Vault unsealed; the gateway's AppRole files are in place."
