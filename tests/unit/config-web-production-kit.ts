import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parseSettings, productionProblems } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

/**
 * The production profile's web problems for a test file: `issuer()` is Pro Santé Connect with a
 * readable client secret (`over` changes it), `webProblems()` the `GATEWAY_WEB_*` problems of an
 * enabled web listener. Call at the top of the file: it registers the secret file's hooks.
 */
export function webProductionKit() {
  let secret = '';
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-web-prod-'));
    secret = path.join(dir, 'secret');
    await writeFile(secret, 's'.repeat(40), { mode: 0o600 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const issuer = (over: Record<string, unknown> = {}) => ({ id: 'psc', kind: 'psc', issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', clientId: 'gw', clientSecretFile: secret, ...over });
  const webProblems = (web: Record<string, unknown>): string[] => {
    const input = productionSettingsInput('/x', { web: { enabled: true, certFile: '/x', keyFile: '/x', publicOrigin: 'https://gateway.example.org', ...web } });
    return productionProblems(parseSettings(input)).filter((p) => p.startsWith('GATEWAY_WEB_'));
  };
  return { issuer, webProblems };
}
