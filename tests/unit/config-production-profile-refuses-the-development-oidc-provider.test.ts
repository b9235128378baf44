import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings, productionProblems, settingsFromEnv, SettingsRefused, type SettingsInput } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

let dir: string;
let secret: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-web-prod-'));
  secret = path.join(dir, 'secret');
  await writeFile(secret, 's'.repeat(40), { mode: 0o600 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const issuer = (over: Record<string, unknown> = {}) => ({ id: 'psc', kind: 'psc', issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', clientId: 'gw', clientSecretFile: secret, ...over });

function webProblems(web: Record<string, unknown>): string[] {
  const input = productionSettingsInput('/x', { web: { enabled: true, certFile: '/x', keyFile: '/x', publicOrigin: 'https://gateway.example.org', ...web } });
  return productionProblems(parseSettings(input)).filter((p) => p.startsWith('GATEWAY_WEB_'));
}

describe('web settings in the production profile', () => {
  it('refuses the development OIDC provider, plain-http or local issuers, and a plain-http origin', () => {
    expect(webProblems({ issuers: [issuer({ development: true })] }).join('\n')).toContain('development OIDC provider');
    expect(webProblems({ issuers: [issuer({ issuer: 'http://idp.example' })] }).join('\n')).toContain('must be https');
    expect(webProblems({ issuers: [issuer({ issuer: 'https://localhost:8445' })] }).join('\n')).toContain('points at this machine');
    expect(webProblems({ issuers: [issuer()], publicOrigin: 'http://gateway.example.org' })).toContain('GATEWAY_WEB_PUBLIC_ORIGIN: must be https');
  });

  it('accepts Pro Santé Connect and a chain IdP side by side', () => {
    const problems = webProblems({ issuers: [issuer(), issuer({ id: 'chain', kind: 'generic', issuer: 'https://login.chain.example/realms/staff' })] });
    expect(problems.filter((p) => p.startsWith('GATEWAY_WEB_ISSUERS'))).toEqual([]);
  });

  it('reads the issuer list from one variable as JSON, and names the setting when it is not', () => {
    const env = { GATEWAY_WEB_ENABLED: 'true', GATEWAY_WEB_ISSUERS: JSON.stringify([issuer()]) };
    expect(settingsFromEnv(env).web).toMatchObject({ enabled: 'true', issuers: JSON.stringify([issuer()]) });
    expect(() => parseSettings({ ...settingsFromEnv({ ...env, GATEWAY_WEB_ISSUERS: 'not json' }) } as SettingsInput)).toThrow(SettingsRefused);
    let message = '';
    try {
      parseSettings(settingsFromEnv({ GATEWAY_WEB_ENABLED: 'true', GATEWAY_WEB_ISSUERS: '[{"id":"x","issuer":"secret-value"}]' }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('GATEWAY_WEB_ISSUERS');
    expect(message).not.toContain('secret-value');
  });
});
