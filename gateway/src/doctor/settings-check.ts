import { parseSettings, productionProblems, SettingsRefused, settingsFromEnv, type Settings } from '../config/index.js';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

/**
 * Reads the settings as `gateway serve` would and applies the production rules.
 * Returns the settings when they parse, so later checks can use them.
 */
export function checkSettings(env: NodeJS.ProcessEnv): { results: CheckResult[]; settings?: Readonly<Settings> } {
  let settings: Readonly<Settings>;
  try {
    settings = parseSettings(settingsFromEnv(env));
  } catch (e) {
    const problems = e instanceof SettingsRefused ? e.problems.join('; ') : reason(e);
    return { results: [fail('settings.valid', `settings do not parse: ${problems}`, 'set the named GATEWAY_* variables (or their _FILE forms); see gateway/src/config/schema.ts')] };
  }
  if (settings.profile !== 'production') {
    return { settings, results: [warn('settings.safe', `profile "${settings.profile}": the production rules are not applied`, 'set GATEWAY_PROFILE=production on a real deployment')] };
  }
  const problems = productionProblems(settings);
  return {
    settings,
    results: problems.length
      ? problems.map((p, i) => fail(`settings.safe${problems.length > 1 ? `.${i + 1}` : ''}`, p, 'fix the named setting; `gateway serve` refuses to start until then'))
      : [ok('settings.safe', 'production profile; every production rule holds')],
  };
}
