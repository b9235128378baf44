import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsRefused } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

const relay = (values: Record<string, string> = {}) => parseSettings(productionSettingsInput('/x.pem', { relay: values })).relay;

describe("the relay's SI-DEP contract circuit settings", () => {
  it('open the circuit after 20 refusals of one shape within 5 minutes by default', () => {
    expect(relay()).toMatchObject({ contractRefusals: 20, contractWindowSeconds: 300 });
  });

  it.each([
    ['contractRefusals', '1', 'GATEWAY_RELAY_CONTRACT_REFUSALS'],
    ['contractRefusals', '1001', 'GATEWAY_RELAY_CONTRACT_REFUSALS'],
    ['contractWindowSeconds', '9', 'GATEWAY_RELAY_CONTRACT_WINDOW_SECONDS'],
    ['contractWindowSeconds', '3601', 'GATEWAY_RELAY_CONTRACT_WINDOW_SECONDS'],
  ])('refuse %s = %s, naming %s', (key, value, variable) => {
    try {
      relay({ [key]: value });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SettingsRefused);
      expect((e as SettingsRefused).problems.join('\n')).toContain(variable);
    }
  });
});
