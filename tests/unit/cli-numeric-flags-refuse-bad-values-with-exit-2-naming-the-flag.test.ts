import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCommandLine, type CliContext } from '../../gateway/src/cli/index.js';
import { readOperatorSettings } from '../../gateway/src/cli/operator-settings.js';
import type { Database } from '../../gateway/src/db/index.js';

/** Each numeric argument of the `gateway` command line, how to pass it, and the range it takes. */
const NUMERIC = [
  { label: '--limit', argv: (v: string) => ['outbox', 'list', `--limit=${v}`], min: 1, max: 10_000 },
  { label: '--days', argv: (v: string) => ['enrolments', 'add', '--issuer', 'psc', '--subject', 's', '--role', 'auditor', `--days=${v}`], min: 1, max: 3650 },
  { label: '--days', argv: (v: string) => ['enrolments', 'list', `--days=${v}`], min: 1, max: 3650 },
  { label: '--batch-size', argv: (v: string) => ['keys', 'reindex', `--batch-size=${v}`], min: 1, max: 10_000 },
  { label: '--stop-after', argv: (v: string) => ['keys', 'reindex', `--stop-after=${v}`], min: 1, max: 1_000_000_000 },
  // `--`: a version such as -3 is a positional, not an option
  { label: 'keys retire <version>', argv: (v: string) => ['keys', 'retire', '--', v], min: 1, max: 1_000_000 },
  { label: 'keys retire-blind-index <version>', argv: (v: string) => ['keys', 'retire-blind-index', '--', v], min: 1, max: 1_000_000 },
] as const;

/** Any use of the database is a parser that let the value through. */
const UNTOUCHABLE = new Proxy({}, {
  get() {
    throw new Error('the database was used');
  },
}) as Database;

/** A context that records stderr, reads the settings of an empty environment and never reaches a database. */
function testContext(): { ctx: CliContext; stderr: () => string } {
  const err: string[] = [];
  const settings = readOperatorSettings({ GATEWAY_DEMO_DATA_DIR: '/nonexistent/demo' });
  const ctx: CliContext = {
    operator: () => ({ actor: { type: 'user', id: 'cli:tester@test' }, user: 'tester@test' }),
    env: {},
    settings: () => settings,
    databaseUrl: () => 'postgres://unused',
    withDatabase: (_flag, use) => use(UNTOUCHABLE),
    out: () => undefined,
    err: (line) => err.push(`${line}\n`),
    stdout: () => undefined,
    stderr: (text) => err.push(text),
    stderrIsTty: false,
  };
  return { ctx, stderr: () => err.join('') };
}

const inRange = (value: string, min: number, max: number) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;

/** Strings a person or a script might pass: anything, integers of any size and sign, decimals, near misses. */
const candidates = fc.oneof(
  fc.string(),
  fc.bigInt().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' 5', '5 ', '0x10', '1e3', '+5', '-0', '5.0', '٣', 'Infinity', 'NaN', '99999999999999999999'),
);

describe('numeric arguments of the gateway command line', () => {
  for (const n of NUMERIC) {
    it(`${n.argv('N').slice(0, 2).join(' ')} refuses a bad ${n.label} with exit code 2, naming it`, async () => {
      await fc.assert(
        fc.asyncProperty(
          candidates.filter((v) => !inRange(v, n.min, n.max)),
          async (value) => {
            const { ctx, stderr } = testContext();
            expect(await runCommandLine([...n.argv(value)], ctx)).toBe(2);
            expect(stderr()).toContain(`${n.label} takes an integer from ${n.min} to ${n.max}.`);
          },
        ),
        { numRuns: 200 },
      );
    });

    it(`${n.argv('N').slice(0, 2).join(' ')} passes an in-range ${n.label} on`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: n.min, max: n.max }), async (value) => {
          const { ctx, stderr } = testContext();
          // on, to the database or the key manager, which this context does not have (exit 1)
          expect(await runCommandLine([...n.argv(String(value))], ctx)).toBe(1);
          expect(stderr()).not.toContain(n.label);
        }),
        { numRuns: 20 },
      );
    });
  }

  it('never echoes the value it refuses', async () => {
    const { ctx, stderr } = testContext();
    expect(await runCommandLine(['outbox', 'list', '--limit=ZZq-secret'], ctx)).toBe(2);
    expect(stderr()).not.toContain('ZZq');
  });
});
