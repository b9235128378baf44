import { readFileSync } from 'node:fs';
import type { Settings } from '../config/index.js';
import { openLocalKeyring, type CheckpointSigner, type KeyManager } from '../keys/index.js';
import { caKindOf, type CertificateAuthority } from '../pki/index.js';
import { openConfiguredCa } from './configured-ca.js';
import { createVaultSession, type VaultSession } from './session.js';
import { createVaultCheckpointSigner } from './signer.js';
import { openVaultTransit } from './transit.js';

/**
 * Opens the key manager the settings name: Vault Transit, or the local keyring (never created
 * here: a mistyped path must not start an empty keyring). What `gateway serve`, `gateway keys`
 * and `gateway doctor` open alike.
 *
 * @example
 * const keys = await openConfiguredKeys(settings.keyManager);
 */
export async function openConfiguredKeys(s: Settings['keyManager']): Promise<KeyManager> {
  if (s.kind === 'vault') return (await openVaultKeys(s)).keys;
  if (!s.localKeyringFile) throw new Error('GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE must name the keyring file.');
  return openLocalKeyring(s.localKeyringFile);
}

/**
 * The production keys: Vault Transit (AppRole, pinned CA) for data keys and the blind-index key,
 * the Transit Ed25519 signers of checkpoints and of receipts, and the session itself (Vault PKI uses it too).
 *
 * @example
 * const { keys, checkpointSigner } = await openVaultKeys(settings.keyManager);
 */
export async function openVaultKeys(s: Settings['keyManager']): Promise<{ keys: KeyManager; checkpointSigner: CheckpointSigner; receiptSigner: CheckpointSigner; vault: VaultSession }> {
  const vault = vaultSessionFromSettings(s);
  const keys = await openVaultTransit({
    vault,
    dataKeyName: s.vaultDataKeyName,
    blindIndexKeyName: s.vaultBlindIndexKeyName,
    blindIndexKeyFile: required(s.blindIndexKeyFile, 'GATEWAY_KEY_MANAGER_BLIND_INDEX_KEY_FILE'),
  });
  return {
    keys,
    checkpointSigner: createVaultCheckpointSigner({ vault, keyName: s.vaultSigningKeyName }),
    receiptSigner: createVaultCheckpointSigner({ vault, keyName: s.vaultReceiptKeyName }),
    vault,
  };
}

/**
 * The CA of the settings as `gateway serve` opens it; Vault PKI rides on an AppRole session of
 * the key-manager settings (without a Vault key manager, `openConfiguredCa` says what is missing).
 *
 * @example
 * const ca = await openSettingsCa(settings); // what `gateway doctor` and `gateway cert` check and use
 */
export function openSettingsCa(s: Pick<Settings, 'pki' | 'keyManager'>): Promise<CertificateAuthority> {
  if (caKindOf(s.pki) !== 'vault-pki' || s.keyManager.kind !== 'vault') return openConfiguredCa(s.pki);
  return openConfiguredCa(s.pki, { vault: vaultSessionFromSettings(s.keyManager) });
}

/** The AppRole session of the `GATEWAY_KEY_MANAGER_VAULT_*` settings (Transit, and Vault PKI for certificates). */
function vaultSessionFromSettings(s: Settings['keyManager']): VaultSession {
  return createVaultSession({
    address: required(s.vaultAddress, 'GATEWAY_KEY_MANAGER_VAULT_ADDRESS'),
    caPem: readFileSync(required(s.vaultCaFile, 'GATEWAY_KEY_MANAGER_VAULT_CA_FILE'), 'utf8'),
    roleIdFile: required(s.vaultRoleIdFile, 'GATEWAY_KEY_MANAGER_VAULT_ROLE_ID_FILE'),
    secretIdFile: required(s.vaultSecretIdFile, 'GATEWAY_KEY_MANAGER_VAULT_SECRET_ID_FILE'),
    timeoutMs: s.vaultTimeoutMs,
  });
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is required for the Vault key manager.`);
  return value;
}
