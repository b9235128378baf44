#!/bin/sh
# The `vault-init` one-shot of compose.yaml: initialise Vault on first start, unseal it, then run
# deploy/vault/init.sh (idempotent: Transit keys, policies, AppRole, wrapped blind-index key),
# writing the gateway's AppRole files into /run/vault-approle (mounted read-only in the gateway).
#
# Single-host default: one unseal key share and the initial root token are kept in
# deploy/state/vault-unseal (Vault's user only, mode 0600) so that `docker compose up -d` brings the appliance
# back after a reboot unattended. Hardened deployments use auto-unseal (HSM or a Transit seal) or
# split key shares among custodians, and revoke the root token (deploy/guides/hardening.md).
set -eu
umask 077
STATE=/run/vault-unseal

for _ in $(seq 1 30); do
  vault status >/dev/null 2>&1 && break
  # exit code 2: reachable but sealed or uninitialised
  [ $? -eq 2 ] && break
  sleep 2
done

if vault status -format=json 2>/dev/null | grep -q '"initialized": false'; then
  vault operator init -key-shares=1 -key-threshold=1 >"$STATE/init.txt"
  sed -n 's/^Unseal Key 1: //p' "$STATE/init.txt" >"$STATE/unseal-key"
  sed -n 's/^Initial Root Token: //p' "$STATE/init.txt" >"$STATE/root-token"
  rm -f "$STATE/init.txt"
fi
if vault status -format=json 2>/dev/null | grep -q '"sealed": true'; then
  vault operator unseal "$(cat "$STATE/unseal-key")" >/dev/null
fi

VAULT_TOKEN="$(cat "$STATE/root-token")" GATEWAY_VAULT_OUT_DIR=/run/vault-approle sh /vault/config/init.sh
# readable by the gateway's group (10001), by no one else
chmod 0440 /run/vault-approle/*
echo "vault-init: Vault unsealed, gateway AppRole ready."
