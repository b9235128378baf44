import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { envName, parseSettings, settingsFromEnv, SettingsRefused } from '../../gateway/src/config/index.js';

/** A minimal valid environment: what the production profile would add is not needed to parse. */
const BASE: Record<string, string> = {
  GATEWAY_PROFILE: 'demo',
  GATEWAY_DATABASE_URL: 'postgres://gateway@127.0.0.1:5432/gateway',
  GATEWAY_INTAKE_CERT_FILE: '/tls/intake.crt',
  GATEWAY_INTAKE_KEY_FILE: '/tls/intake.key',
  GATEWAY_INTAKE_CLIENT_CA_FILE: '/tls/clients-ca.crt',
  GATEWAY_METRICS_TOKEN_FILE: '/secrets/metrics-token',
  GATEWAY_KEY_MANAGER_KIND: 'local',
  GATEWAY_SIDEP_URL: 'https://sidep.example.org',
  GATEWAY_SIDEP_CA_FILE: '/tls/sidep-ca.crt',
  GATEWAY_SIDEP_CERT_FILE: '/tls/relay.crt',
  GATEWAY_SIDEP_KEY_FILE: '/tls/relay.key',
};
const VARIABLES = [
  ...Object.keys(BASE),
  envName(['intake', 'port']),
  envName(['intake', 'bodyLimitBytes']),
  envName(['intake', 'ratePerSecond']),
  envName(['relay', 'enabled']),
  envName(['relay', 'batchSize']),
  envName(['keyManager', 'dataKeyCacheSeconds']),
  envName(['audit', 'sealIntervalMs']),
  envName(['retention', 'deliveredDays']),
  envName(['web', 'issuers']),
];
/** A marker no valid setting contains, so an echo in a message is unmistakable. */
const SECRET = 'S3cr3t-v4lue-';

describe('settings parsing', () => {
  it('parses the base environment', () => {
    expect(parseSettings(settingsFromEnv(BASE)).intake.certFile).toBe('/tls/intake.crt');
  });

  it('either parses or refuses with SettingsRefused naming variables, never echoing a value', () => {
    const overrides = fc.dictionary(fc.constantFrom(...VARIABLES), fc.oneof(fc.string(), fc.string().map((s) => `${SECRET}${s}`), fc.integer().map(String), fc.jsonValue().map((v) => JSON.stringify(v))), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(overrides, (env) => {
        try {
          const settings = parseSettings(settingsFromEnv({ ...BASE, ...env }));
          expect(Object.isFrozen(settings.intake)).toBe(true);
          expect(settings.intake.port).toBeGreaterThanOrEqual(0);
          expect(settings.intake.port).toBeLessThanOrEqual(65535);
        } catch (e) {
          expect(e).toBeInstanceOf(SettingsRefused);
          const refused = e as SettingsRefused;
          expect(refused.problems.length).toBeGreaterThan(0);
          for (const p of refused.problems) expect(p).toMatch(/^GATEWAY_[A-Z0-9_]*: /);
          expect(refused.message).not.toContain(SECRET);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads a *_FILE variable only when the plain one is absent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9/._-]{1,40}$/), (value) => {
        expect(settingsFromEnv({ GATEWAY_INTAKE_CERT_FILE: value, GATEWAY_INTAKE_CERT_FILE_FILE: '/nonexistent' }).intake?.certFile).toBe(value);
      }),
    );
  });
});
