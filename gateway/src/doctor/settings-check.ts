import { completeSettings, environmentProblems, envName, parsePartialSettings, productionProblems, SettingsRefused, settingsFromEnv, type Settings } from '../config/index.js';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

/**
 * Reads the settings as `gateway serve` does (the operator commands' parse, then every required
 * section) and applies the production rules. Returns the settings when they parse, so later
 * checks can use them.
 */
export function checkSettings(env: NodeJS.ProcessEnv): { results: CheckResult[]; settings?: Readonly<Settings> } {
  // serve refuses these before it reads any setting: reported whether or not the settings parse
  const environment = checkEnvironment(env);
  let settings: Readonly<Settings>;
  try {
    settings = completeSettings(parsePartialSettings(settingsFromEnv(env)));
  } catch (e) {
    const problems = e instanceof SettingsRefused ? e.problems.join('; ') : reason(e);
    return { results: [...environment, fail('settings.valid', `settings do not parse: ${problems}`, 'set the named GATEWAY_* variables (or their _FILE forms); see gateway/src/config/schema.ts')] };
  }
  if (settings.profile !== 'production') {
    return { settings, results: [...environment, warn('settings.safe', `profile "${settings.profile}": the production rules are not applied`, 'set GATEWAY_PROFILE=production on a real deployment')] };
  }
  const problems = productionProblems(settings);
  return {
    settings,
    results: [
      ...environment,
      ...(problems.length
        ? problems.map((p, i) => fail(`settings.safe${problems.length > 1 ? `.${i + 1}` : ''}`, p, 'fix the named setting; `gateway serve` refuses to start until then'))
        : [ok('settings.safe', 'production profile; every production rule holds')]),
    ],
  };
}

/**
 * The variables `gateway serve` refuses (`environmentProblems`), one failure each, numbered as
 * `settings.safe` is; the summary names the variable, never its value.
 */
function checkEnvironment(env: NodeJS.ProcessEnv): CheckResult[] {
  const problems = environmentProblems(env);
  if (!problems.length) return [ok('settings.environment', 'no variable that would change TLS checks or the Vault login is set')];
  const trusted = [envName(['keyManager', 'vaultCaFile']), envName(['keyManager', 'vaultRoleIdFile']), envName(['keyManager', 'vaultSecretIdFile'])];
  const hint = `remove it from where the gateway's environment is defined (compose.yaml, the Kubernetes manifest, the shell or unit that starts it): the gateway trusts only ${trusted[0]} and logs in with its AppRole files (${trusted[1]}, ${trusted[2]}); \`gateway serve\` refuses to start until then`;
  return problems.map((p, i) => fail(`settings.environment${problems.length > 1 ? `.${i + 1}` : ''}`, p, hint));
}
