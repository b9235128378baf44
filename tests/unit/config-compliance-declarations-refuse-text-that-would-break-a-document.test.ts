import { describe, expect, it } from 'vitest';
import { parsePartialSettings, settingsFromEnv, SettingsRefused } from '../../gateway/src/config/index.js';

const parse = (value: string) => parsePartialSettings(settingsFromEnv({ GATEWAY_COMPLIANCE_CONTROLLER_NAME: value }));

describe('compliance declarations', () => {
  it('take one line of text, as the documents print it in a table cell', () => {
    expect(parse('Pharmacies Exemple SAS (RCS Lyon 123 456 789)').compliance.controllerName).toBe('Pharmacies Exemple SAS (RCS Lyon 123 456 789)');
  });

  for (const [what, value] of [
    ['a table separator', 'Exemple | injected cell'],
    ['a line break', 'Exemple\n# injected heading'],
    ['more than 200 characters', 'x'.repeat(201)],
  ] as const) {
    it(`refuse ${what}, naming the variable and not the value`, () => {
      const refused = (() => {
        try {
          parse(value);
        } catch (e) {
          return e;
        }
      })();
      expect(refused).toBeInstanceOf(SettingsRefused);
      expect((refused as SettingsRefused).message).toContain('GATEWAY_COMPLIANCE_CONTROLLER_NAME');
      expect((refused as SettingsRefused).message).not.toContain(value);
    });
  }
});
