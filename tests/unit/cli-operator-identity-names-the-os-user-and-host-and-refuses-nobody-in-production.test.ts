import { hostname, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { processContext, runCommandLine, type CliContext } from '../../gateway/src/cli/index.js';
import { UsageError } from '../../gateway/src/cli/command.js';
import { operatorIdentity, type HostAccount } from '../../gateway/src/cli/operator-identity.js';
import type { Database } from '../../gateway/src/db/index.js';

/** The account of an operator the passwd database knows, and of a container's arbitrary uid. */
const ALICE: HostAccount = { uid: 1000, userName: 'alice', hostName: 'gw-1' };
const NOBODY: HostAccount = { uid: 1001, userName: undefined, hostName: 'gw-1' };
const REFUSAL = 'Refused: uid 1001 is no user of this host, and production records who changes anything: name yourself with --operator NAME.';

/** Names `--operator` refuses: capitals, spaces, separators of the actor id, control characters, too long. */
const BAD_NAMES = ['', 'Bob', '1bob', 'a b', 'bob;operator=eve', 'bob@host', 'bob\n', 'bob\u0000', 'é', `b${'o'.repeat(64)}`, 'cli:bob'];

describe('the operator identity of a state-changing command', () => {
  it('names the OS user of the uid and the host', () => {
    expect(operatorIdentity(ALICE, { operator: undefined, production: true })).toEqual({ user: 'alice@gw-1', actor: { type: 'user', id: 'cli:alice@gw-1' } });
  });

  it('names a uid of no user by its number outside production', () => {
    expect(operatorIdentity(NOBODY, { operator: undefined, production: false }).actor.id).toBe('cli:#1001@gw-1');
  });

  it('refuses a uid of no user in production unless --operator names the person', () => {
    expect(() => operatorIdentity(NOBODY, { operator: undefined, production: true })).toThrow(new UsageError(REFUSAL));
    expect(operatorIdentity(NOBODY, { operator: 'bob', production: true }).actor.id).toBe('cli:#1001@gw-1;operator=bob');
  });

  it('records --operator beside the OS user, never instead of it', () => {
    expect(operatorIdentity(ALICE, { operator: 'b.martin-2_x', production: false })).toEqual({ user: 'alice@gw-1;operator=b.martin-2_x', actor: { type: 'user', id: 'cli:alice@gw-1;operator=b.martin-2_x' } });
    expect(operatorIdentity(ALICE, { operator: `b${'o'.repeat(63)}`, production: true }).actor.id).toBe(`cli:alice@gw-1;operator=b${'o'.repeat(63)}`);
  });

  it('refuses any other --operator name', () => {
    for (const name of BAD_NAMES) expect(() => operatorIdentity(ALICE, { operator: name, production: false }), JSON.stringify(name)).toThrow(UsageError);
  });

  it('records no unchecked passwd or host name', () => {
    expect(operatorIdentity({ uid: 1002, userName: 'eve;operator=bob', hostName: 'gw 1\n' }, { operator: undefined, production: false }).actor.id).toBe('cli:#1002@unnamed-host');
    expect(() => operatorIdentity({ uid: 1001, userName: 'eve@other', hostName: 'gw-1' }, { operator: undefined, production: true })).toThrow(new UsageError(REFUSAL));
  });

  it('reads the process uid through the passwd database, never USER', () => {
    const ctx = processContext({ USER: 'mallory', GATEWAY_DEMO_DATA_DIR: '/nonexistent/demo' });
    expect(ctx.operator(undefined).actor).toEqual({ type: 'user', id: `cli:${userInfo().username}@${hostname()}` });
  });
});

/** Any use of the database: the command went on. */
const UNTOUCHABLE = new Proxy({}, {
  get() {
    throw new Error('the database was used');
  },
}) as Database;

/** This process's context in production, run by a uid of no user, its database out of reach. */
function nobodyInProduction(): { ctx: CliContext; stderr: () => string } {
  const err: string[] = [];
  const real = processContext({ GATEWAY_PROFILE: 'production' });
  const ctx: CliContext = {
    ...real,
    operator: (flag) => operatorIdentity(NOBODY, { operator: flag, production: real.settings().production }),
    withDatabase: (_flag, use) => use(UNTOUCHABLE),
    err: (line) => err.push(`${line}\n`),
    stderr: (text) => err.push(text),
  };
  return { ctx, stderr: () => err.join('') };
}

describe('the gateway command line, run by a uid of no user in production', () => {
  const COMMANDS = [
    ['pharmacy', 'deactivate', '759999907'],
    ['pharmacy', 'offboard', '759999907', '--export-dir', '/nonexistent'],
    ['enrolments', 'revoke', '00000000-0000-4000-8000-000000000000'],
    ['sessions', 'revoke', '--subject', 's'],
    ['outbox', 'redrive', '--all-dead-lettered'],
    ['admin', 'login-link', '--origin', 'https://gw.example'],
  ];

  for (const argv of COMMANDS) {
    it(`refuses \`${argv.slice(0, 2).join(' ')}\` with exit 2 before touching the database`, async () => {
      const { ctx, stderr } = nobodyInProduction();
      expect(await runCommandLine(argv, ctx)).toBe(2);
      expect(stderr()).toBe(`${REFUSAL}\n`);
    });
  }

  it('runs a command that changes nothing, and a state-changing one given --operator', async () => {
    const { ctx, stderr } = nobodyInProduction();
    // on to the database, which this context does not have (exit 1)
    expect(await runCommandLine(['outbox', 'list', '--database-url', 'postgres://unused'], ctx)).toBe(1);
    expect(await runCommandLine(['pharmacy', 'deactivate', '759999907', '--operator', 'bob', '--database-url', 'postgres://unused'], ctx)).toBe(1);
    expect(stderr()).not.toContain('Refused');
  });

  it('refuses a bad --operator on every command with exit 2, without echoing it', async () => {
    for (const argv of [['pharmacy', 'deactivate', '759999907'], ['outbox', 'list']]) {
      const { ctx, stderr } = nobodyInProduction();
      expect(await runCommandLine([...argv, '--operator', 'Zq;x'], ctx)).toBe(2);
      expect(stderr()).toContain('--operator takes a name');
      expect(stderr()).not.toContain('Zq');
    }
  });
});
