import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings, productionProblems } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-settings-'));
  file = join(dir, 'present');
  await writeFile(file, 'x', { mode: 0o600 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function keyManagerProblems(keyManager: Record<string, unknown>): string[] {
  const settings = productionSettingsInput(file, { keyManager: { kind: 'vault', ...keyManager } });
  return productionProblems(parseSettings(settings)).filter((p) => p.startsWith('GATEWAY_KEY_MANAGER'));
}

describe('the production profile with the Vault key manager', () => {
  it('names every missing Vault setting', () => {
    expect(keyManagerProblems({})).toEqual([
      'GATEWAY_KEY_MANAGER_VAULT_ADDRESS: missing, or not https',
      'GATEWAY_KEY_MANAGER_VAULT_CA_FILE: file missing or unreadable',
      'GATEWAY_KEY_MANAGER_VAULT_ROLE_ID_FILE: file missing or unreadable',
      'GATEWAY_KEY_MANAGER_VAULT_SECRET_ID_FILE: file missing or unreadable',
      'GATEWAY_KEY_MANAGER_BLIND_INDEX_KEY_FILE: file missing or unreadable',
    ]);
  });

  it('refuses plain-http Vault and unreadable files, and accepts a complete configuration', () => {
    const complete = { vaultAddress: 'https://vault.internal:8200', vaultCaFile: file, vaultRoleIdFile: file, vaultSecretIdFile: file, blindIndexKeyFile: file };
    expect(keyManagerProblems(complete)).toEqual([]);
    expect(keyManagerProblems({ ...complete, vaultAddress: 'http://vault.internal:8200' })).toEqual(['GATEWAY_KEY_MANAGER_VAULT_ADDRESS: missing, or not https']);
    expect(keyManagerProblems({ ...complete, vaultSecretIdFile: join(dir, 'absent') })).toEqual(['GATEWAY_KEY_MANAGER_VAULT_SECRET_ID_FILE: file missing or unreadable']);
  });

  it('refuses a per-call Vault timeout above the 5 s fail-closed limit', () => {
    expect(() => keyManagerProblems({ vaultTimeoutMs: 6_000 })).toThrow(/GATEWAY_KEY_MANAGER_VAULT_TIMEOUT_MS/);
  });
});
