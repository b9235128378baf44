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

/** Who runs a state-changing command, as the audit log records it. */
export interface CliOperator {
  /** `{ type: 'user', id: 'cli:<user>' }`. */
  readonly actor: AuditEvent['actor'] & { readonly id: string };
  /** The id after `cli:`: `<OS user>@<host>`, with `;operator=<name>` when `--operator` names the person. */
  readonly user: string;
}

/** What the dispatcher hands every command; settings and the database only when asked for. */
export interface CliContext {
  /**
   * Who runs a state-changing command, resolved before it changes anything: the OS user of the
   * process's uid and the host name, with `--operator` (`values.operator`) beside them, never
   * instead. A command that changes nothing never asks.
   * @throws UsageError in production when the uid names no user and no `--operator` is given
   */
  operator(flag: string | undefined): CliOperator;
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

/**
 * Options every command takes (`--help` is answered before any command runs); `--operator`
 * too, so that a script passes it alike to every command: those that change nothing ignore it.
 */
const COMMON = { 'database-url': { type: 'string' }, operator: { type: 'string' } } as const;

/** `--operator`: a short name, the only text of the command line that reaches the audit log. */
const OPERATOR_NAME = /^[a-z][a-z0-9._-]{0,63}$/;

/**
 * A command's options and positionals; an unknown option, or a value missing, is a UsageError.
 *
 * @example const { values, positionals } = parseCommandLine(argv, { limit: { type: 'string' } });
 */
export function parseCommandLine<const O extends OptionsConfig>(argv: string[], options: O) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true });
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message);
    throw e;
  }
  // COMMON's string option, which the generic type of `values` does not spell out here
  operatorFlag((parsed.values as { operator?: string }).operator);
  return parsed;
}

/**
 * `--operator NAME` checked: a lower-case letter, then up to 63 lower-case letters, digits, `.`,
 * `_` or `-`; else a UsageError that does not echo it. Undefined when absent.
 *
 * @example const name = operatorFlag(values.operator);
 */
export function operatorFlag(value: string | undefined): string | undefined {
  if (value !== undefined && !OPERATOR_NAME.test(value)) {
    throw new UsageError('--operator takes a name: a lower-case letter, then up to 63 lower-case letters, digits, ".", "_" or "-".');
  }
  return value;
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
