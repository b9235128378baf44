import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { settingsSchema, type Settings, type SettingsInput } from './schema.js';

/** Invalid or unsafe settings; each problem names a setting, never its value. */
export class SettingsRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`Refusing to start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Sections whose variables are named without the section: the operator's were named before it. */
const UNNAMED_SECTIONS: readonly PropertyKey[] = ['operator'];

/** `intake.bodyLimitBytes` → `GATEWAY_INTAKE_BODY_LIMIT_BYTES`; `operator.logLevel` → `GATEWAY_LOG_LEVEL` */
export function envName(path: readonly PropertyKey[]): string {
  const named = path.length > 1 && UNNAMED_SECTIONS.includes(path[0] as PropertyKey) ? path.slice(1) : path;
  return `GATEWAY_${named.map((p) => String(p).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

function leafPaths(schema: z.ZodType, prefix: string[] = []): string[][] {
  const inner = schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodPrefault ? schema.unwrap() : schema;
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape).flatMap(([k, v]) => leafPaths(v as z.ZodType, [...prefix, k]));
  }
  return [prefix];
}

const LEAVES = leafPaths(settingsSchema);
// An unnamed section's setting must not take another's variable: both would read its value.
if (new Set(LEAVES.map(envName)).size !== LEAVES.length) throw new Error('two settings are read from one GATEWAY_* variable');
const SECTIONS = [...new Set(LEAVES.filter((p) => p.length > 1).map((p) => p[0] as string))];

/** Reads every setting from the environment: `NAME` or the contents of the file named by `NAME_FILE`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): SettingsInput {
  // every section present, so a missing setting is named by its own variable
  const out: Record<string, unknown> = Object.fromEntries(SECTIONS.map((k) => [k, {}]));
  for (const path of LEAVES) {
    const name = envName(path);
    let value = env[name];
    const file = env[`${name}_FILE`];
    if (value === undefined && file !== undefined) value = readFileSync(file, 'utf8').trim();
    if (value === undefined) continue;
    let node = out;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path.at(-1) as string] = value;
  }
  return out as SettingsInput;
}

/** Parses settings once; the result is frozen and passed down, never read from globals. */
export function parseSettings(input: SettingsInput): Readonly<Settings> {
  return parseFrozen(settingsSchema, input);
}

/**
 * Parses with `schema` (the settings' or one section's, named by `section`), frozen; refuses
 * naming each variable at fault.
 */
export function parseFrozen<T>(schema: z.ZodType<T>, input: unknown, section: readonly string[] = []): Readonly<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new SettingsRefused(parsed.error.issues.map((i) => `${envName([...section, ...i.path])}: ${i.code === 'invalid_type' ? 'missing or of the wrong type' : i.code}`));
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') for (const v of Object.values(o)) deepFreeze(v);
  return Object.freeze(o);
}
