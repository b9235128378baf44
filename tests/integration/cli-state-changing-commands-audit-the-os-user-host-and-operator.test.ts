import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshFiness } from '../support/fresh-finess.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * `gateway` records who changed something as the OS user of its uid and the host, read from the
 * passwd database: `USER`, unset under cron and set by anyone, counts for nothing. `--operator`
 * names the person beside them; in production a uid of no user must name one.
 */
const exec = promisify(execFile);
let db: TestDatabase;
const HOST_USER = `${userInfo().username}@${hostname()}`;
/** A uid the passwd database does not know, as a container runs with (only root can take it). */
const STRANGER = 54_321;
const asRoot = process.getuid?.() === 0;

beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** The test database over loopback TCP: its Unix socket is private to Postgres and root. */
const overTcp = (url: string) => {
  const u = new URL(url);
  u.searchParams.delete('host');
  return u.toString();
};

/** Runs `gateway …` against the test database with only `env` (USER set to a name it must not record); its exit code and output. */
const gateway = (args: string[], o: { env?: NodeJS.ProcessEnv; uid?: number } = {}) =>
  exec(process.execPath, ['gateway/bin/gateway.js', ...args, '--database-url', o.uid === undefined ? db.ownerUrl : overTcp(db.ownerUrl)], {
    env: { PATH: process.env.PATH, USER: 'mallory', ...o.env },
    ...(o.uid === undefined ? {} : { uid: o.uid, gid: o.uid }),
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** The actors of the audit events of a pharmacy, oldest first. */
const actorsOf = async (finess: string) => {
  const { id } = await db.owner.selectFrom('pharmacies').select('id').where('finess', '=', finess).executeTakeFirstOrThrow();
  return db.owner.selectFrom('audit_events').select(['action', 'actor_type', 'actor_id']).where('object_id', '=', id).orderBy('seq').execute();
};

describe('the operator identity in the audit log', () => {
  it('records the OS user and host of a state-changing command, and --operator beside them', async () => {
    const finess = freshFiness();
    expect(await gateway(['pharmacy', 'add', finess, '--name', 'Pharmacie du terminal'])).toMatchObject({ code: 0 });
    expect(await gateway(['pharmacy', 'deactivate', finess, '--operator', 'b.martin'])).toMatchObject({ code: 0 });
    expect(await actorsOf(finess)).toEqual([
      { action: 'pharmacy.add', actor_type: 'user', actor_id: `cli:${HOST_USER}` },
      { action: 'pharmacy.deactivate', actor_type: 'user', actor_id: `cli:${HOST_USER};operator=b.martin` },
    ]);
  });

  it.skipIf(!asRoot)('refuses a uid of no user in production without --operator (exit 2), and records its uid beside the operator', async () => {
    const finess = freshFiness();
    expect(await gateway(['pharmacy', 'add', finess, '--name', 'Pharmacie du conteneur', '--operator', 'b.martin'], { uid: STRANGER, env: { GATEWAY_PROFILE: 'production' } })).toMatchObject({ code: 0 });
    const refused = await gateway(['pharmacy', 'deactivate', finess], { uid: STRANGER, env: { GATEWAY_PROFILE: 'production' } });
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining(`uid ${STRANGER} is no user of this host`) });
    expect(await actorsOf(finess)).toEqual([{ action: 'pharmacy.add', actor_type: 'user', actor_id: `cli:#${STRANGER}@${hostname()};operator=b.martin` }]);
    expect(await db.owner.selectFrom('pharmacies').select('active').where('finess', '=', finess).executeTakeFirstOrThrow()).toEqual({ active: true });
  });

  it('refuses an --operator name outside its pattern with exit 2, changing nothing', async () => {
    const finess = freshFiness();
    expect(await gateway(['pharmacy', 'add', finess, '--name', 'Pharmacie du terminal', '--operator', 'Eve;operator=bob'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--operator takes a name') });
    expect(await db.owner.selectFrom('pharmacies').select('id').where('finess', '=', finess).execute()).toEqual([]);
  });
});
