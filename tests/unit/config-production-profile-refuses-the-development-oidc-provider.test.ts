import { describe, expect, it } from 'vitest';
import { parseSettings, settingsFromEnv, SettingsRefused, type SettingsInput } from '../../gateway/src/config/index.js';
import { webProductionKit } from './config-web-production-kit.js';

const { issuer, webProblems } = webProductionKit();

describe('web settings in the production profile', () => {
  it('refuses the development OIDC provider, plain-http or local issuers, and a plain-http origin', () => {
    expect(webProblems({ issuers: [issuer({ development: true })] }).join('\n')).toContain('development OIDC provider');
    expect(webProblems({ issuers: [issuer({ issuer: 'http://idp.example' })] }).join('\n')).toContain('must be https');
    expect(webProblems({ issuers: [issuer({ issuer: 'https://localhost:8445' })] }).join('\n')).toContain('points at this machine');
    expect(webProblems({ issuers: [issuer()], publicOrigin: 'http://gateway.example.org' })).toContain('GATEWAY_WEB_PUBLIC_ORIGIN: must be https');
  });

  it('accepts Pro Santé Connect and a chain IdP side by side', () => {
    const problems = webProblems({ issuers: [issuer(), issuer({ id: 'chain', kind: 'generic', issuer: 'https://login.chain.example/realms/staff', mfaAmr: ['mfa'] })] });
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
