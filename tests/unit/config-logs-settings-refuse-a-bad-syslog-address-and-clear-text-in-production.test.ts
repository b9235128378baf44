import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSettings, productionProblems, SettingsRefused } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

const withLogs = (logs: Record<string, unknown>) => parseSettings(productionSettingsInput('/x.pem', { logs }));

describe('the logs settings', () => {
  it('take a syslog address as host:port and refuse anything else without echoing it', () => {
    const host = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}$/);
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
        expect(withLogs({ syslogAddress: `${h}:${port}` }).logs.syslogAddress).toBe(`${h}:${port}`);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(s) && s.length > 3), (bad) => {
        try {
          withLogs({ syslogAddress: bad });
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(SettingsRefused);
          expect((e as SettingsRefused).problems.join('\n')).toContain('GATEWAY_LOGS_SYSLOG_ADDRESS');
          expect((e as SettingsRefused).message).not.toContain(bad);
        }
      }),
    );
  });

  it('are refused by the production profile when logs would cross the network in clear', () => {
    const problems = productionProblems(withLogs({ syslogAddress: 'siem.internal:6514', otlpUrl: 'http://collector.internal:4318' })).join('\n');
    expect(problems).toMatch(/GATEWAY_LOGS_SYSLOG_CA_FILE: required/);
    expect(problems).toMatch(/GATEWAY_LOGS_OTLP_URL: not https/);
    const safe = productionProblems(withLogs({ syslogAddress: 'siem.internal:6514', syslogCaFile: '/ca.pem', otlpUrl: 'https://collector.internal:4318' })).join('\n');
    expect(safe).not.toMatch(/GATEWAY_LOGS_/);
  });
});
