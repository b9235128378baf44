import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { OperatorSettings } from './operator-settings.js';

/**
 * One `gateway <command>`: its lines in `gateway --help`, and its run over the arguments after
 * its name. Exit codes: 0 ok, 1 a finding; a usage error throws `UsageError` (exit 2).
 */
export interface Command {
  readonly help: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/** A subcommand whose command line checked out, waiting for its database. */
export type Subcommand = (db: Database, ctx: CliContext) => Promise<number>;

/** What the dispatcher hands every command; settings and the database only when asked for. */
export interface CliContext {
  /** Who runs the command (`cli:<user>`), for the audit log. */
  readonly actor: AuditEvent['actor'];
  /** The login name in `actor`. */
  readonly user: string;
  /** The environment, for what is not a setting: the variables serve refuses (VAULT_*, NODE_TLS_*), the doctor's and the demo's reading. */
  readonly env: NodeJS.ProcessEnv;
  /** The settings, parsed once, on first use: a command that needs none never reads them. */
  settings(): OperatorSettings;
  /** Where operator commands connect: `--database-url`, else the settings', else the running demo's. */
  databaseUrl(flag: string | undefined): string;
  /** Runs `use` on a small pool to `databaseUrl(flag)`, closed afterwards. */
  withDatabase<T>(flag: string | undefined, use: (db: Database) => Promise<T>): Promise<T>;
  /** A line on stdout / stderr. */
  out(line: string): void;
  err(line: string): void;
  /** Text as is (JSON Lines, progress redrawn with `\r` on a terminal). */
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stderrIsTty: boolean;
}

/** A wrong command line (exit 2): the message, or without one `Unknown command` and the help. */
export class UsageError extends Error {}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes (`--help` is answered before any command runs). */
const COMMON = { 'database-url': { type: 'string' } } as const;

/**
 * A command's options and positionals; an unknown option, or a value missing, is a UsageError.
 *
 * @example const { values, positionals } = parseCommandLine(argv, { limit: { type: 'string' } });
 */
export function parseCommandLine<const O extends OptionsConfig>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true });
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * An integer flag within `[min, max]` (digits only: no sign, exponent or hex), undefined when
 * absent; else a UsageError naming the flag.
 *
 * @example const limit = integerFlag(values.limit, '--limit', { min: 1, max: 10_000 }) ?? 50;
 */
export function integerFlag(value: string, flag: string, range: { min: number; max: number }): number;
export function integerFlag(value: string | undefined, flag: string, range: { min: number; max: number }): number | undefined;
export function integerFlag(value: string | undefined, flag: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) throw new UsageError(`${flag} takes an integer from ${range.min} to ${range.max}.`);
  return n;
}

/** Resolves on SIGINT or SIGTERM: how `serve` and `demo` wait to stop. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
