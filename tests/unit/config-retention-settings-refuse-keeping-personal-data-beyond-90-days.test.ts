import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsRefused } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

/** Every setting that keeps a copy of personal data, by its section, key and variable. */
const PERSONAL_DATA_RETENTION = [
  { section: 'retention', key: 'deliveredDays', variable: 'GATEWAY_RETENTION_DELIVERED_DAYS' },
  { section: 'retention', key: 'deadLetteredDays', variable: 'GATEWAY_RETENTION_DEAD_LETTERED_DAYS' },
  { section: 'backup', key: 'retentionDays', variable: 'GATEWAY_BACKUP_RETENTION_DAYS' },
] as const;

const withDays = (section: string, key: string, days: unknown) => () => parseSettings(productionSettingsInput('/x.pem', { [section]: { [key]: days } }));

describe('the retention settings', () => {
  it.each(PERSONAL_DATA_RETENTION)('take up to 90 days for $variable and refuse 91, naming it', ({ section, key, variable }) => {
    expect((withDays(section, key, '90')() as unknown as Record<string, Record<string, number>>)[section]?.[key]).toBe(90);
    try {
      withDays(section, key, '91')();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SettingsRefused);
      expect((e as SettingsRefused).problems.join('\n')).toContain(variable);
    }
  });

  it('leave the audit log its own, longer retention (kept by law)', () => {
    expect(parseSettings(productionSettingsInput('/x.pem', { operator: { auditRetentionDays: '365' } })).operator.auditRetentionDays).toBe(365);
  });

  it('hold each person to 10 reveals a minute with a burst of 20 by default', () => {
    expect(parseSettings(productionSettingsInput('/x.pem')).web).toMatchObject({ revealsPerMinute: 10, revealBurst: 20 });
  });
});
