import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePartialSettings, settingsFromEnv, type PartialSettings } from '../config/index.js';
import { DEMO_DATA_DIR } from '../repository-root.js';

/** The settings as operator commands see them. */
export interface OperatorSettings {
  /** Every setting given, checked; a section of required settings that no variable names is absent. */
  readonly settings: Readonly<PartialSettings>;
  /** GATEWAY_PROFILE is `production`: no demo fallback, and a state-changing command run by a uid of no user needs `--operator`. */
  readonly production: boolean;
  /**
   * Outside production (GATEWAY_PROFILE unset or `demo`), the running demo's data directory
   * (`.data`, or GATEWAY_DEMO_DATA_DIR): commands fall back to its database, keyring, CA and audit files.
   */
  readonly demoDataDir: string | undefined;
}

/**
 * Reads and checks the settings of the environment, once for the whole command.
 *
 * @example const { settings, demoDataDir } = readOperatorSettings(process.env);
 */
export function readOperatorSettings(env: NodeJS.ProcessEnv): OperatorSettings {
  const input = settingsFromEnv(env);
  const settings = parsePartialSettings(input);
  // the profile as given: the parsed one defaults to production, which `serve` wants and operator commands do not
  const production = input.profile === 'production';
  const demoDataDir = production ? undefined : (settings.operator.demoDataDir ?? DEMO_DATA_DIR);
  return { settings, production, demoDataDir };
}

/** A file of the running demo (`keyring.json`, `pki/ca.pem`…) when there is one, outside production. */
export function demoFile(o: OperatorSettings, name: string): string | undefined {
  if (o.demoDataDir === undefined) return undefined;
  const file = path.join(o.demoDataDir, name);
  return existsSync(file) ? file : undefined;
}

/** `demo.json` of the running demo: where its database and web listener are. */
export function runningDemo(o: OperatorSettings): { databaseUrl?: string; webUrl?: string } | undefined {
  const file = demoFile(o, 'demo.json');
  try {
    return file === undefined ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as { databaseUrl?: string; webUrl?: string });
  } catch {
    return undefined; // being rewritten, or left by a crashed demo: as if none ran
  }
}

/**
 * Where operator commands connect without `--database-url`: `GATEWAY_DATABASE_URL` (or its
 * `_FILE`), else — outside production — the running demo's owner URL from `.data/demo.json`.
 */
export function operatorDatabaseUrl(o: OperatorSettings): string {
  const url = o.settings.database?.url ?? runningDemo(o)?.databaseUrl;
  if (!url) throw new Error('No database: pass --database-url, set GATEWAY_DATABASE_URL, or start the demo (npm start).');
  return url;
}
