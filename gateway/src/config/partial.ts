import type { z } from 'zod';
import { settingsSchema, type Settings, type SettingsInput } from './schema.js';
import { parseFrozen, SettingsRefused } from './load.js';

/** The sections holding settings without a default: the only ones an operator command may lack. */
const REQUIRED_SECTIONS = ['database', 'intake', 'metrics', 'keyManager', 'sidep'] as const;
type RequiredSection = (typeof REQUIRED_SECTIONS)[number];

/** Settings where a section of required settings that no variable names is left out. */
export type PartialSettings = Omit<Settings, RequiredSection> & Partial<Pick<Settings, RequiredSection>>;

const partialSchema = settingsSchema.partial({ database: true, intake: true, metrics: true, keyManager: true, sidep: true });

/**
 * Parses every setting given, as `parseSettings` does, but leaves out each section of required
 * settings that no variable names: operator commands (`gateway keys`, `gateway cert`) run with
 * the sections they use, and `requiredSection` or `completeSettings` name what is missing.
 *
 * @example
 * const keyManager = requiredSection(parsePartialSettings(settingsFromEnv(process.env)), 'keyManager');
 */
export function parsePartialSettings(input: SettingsInput): Readonly<PartialSettings> {
  const given = Object.fromEntries(Object.entries(input).filter(([key, value]) => !(isRequiredSection(key) && isEmpty(value))));
  return parseFrozen(partialSchema, given);
}

/**
 * A section the command needs; when no variable names it, `fallback` parsed in its place (the
 * running demo's keyring), else SettingsRefused naming each missing variable.
 */
export function requiredSection<K extends RequiredSection>(s: Readonly<PartialSettings>, key: K, fallback?: SettingsInput[K]): Readonly<Settings[K]> {
  const given = s[key] as Readonly<Settings[K]> | undefined;
  if (given) return given;
  return parseFrozen(settingsSchema.shape[key] as unknown as z.ZodType<Settings[K]>, fallback ?? {}, [key]);
}

/** The whole settings (`gateway serve`), or SettingsRefused naming every missing variable. */
export function completeSettings(s: Readonly<PartialSettings>): Readonly<Settings> {
  const problems = REQUIRED_SECTIONS.flatMap((key) => {
    try {
      requiredSection(s, key);
      return [];
    } catch (e) {
      if (!(e instanceof SettingsRefused)) throw e;
      return e.problems;
    }
  });
  if (problems.length) throw new SettingsRefused(problems);
  return s as Readonly<Settings>;
}

function isRequiredSection(key: string): key is RequiredSection {
  return (REQUIRED_SECTIONS as readonly string[]).includes(key);
}

function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
