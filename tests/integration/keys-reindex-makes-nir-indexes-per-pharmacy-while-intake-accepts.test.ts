import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reindex } from '../../gateway/src/cli/keys-blind-index.js';
import { createBlindIndex, type BlindIndex } from '../../gateway/src/crypto/index.js';
import { DuplicateResult } from '../../gateway/src/errors.js';
import { createSubmitService } from '../../gateway/src/intake/submit.js';
import { createDataKeyProvider, createDataKeyStore, createKeyManagerGuard, openLocalKeyring, type KeyManager, type KeyManagerGuard } from '../../gateway/src/keys/index.js';
import { createResultSealer, nirIndexesForChain } from '../../gateway/src/results/lifecycle/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../../gateway/src/results/index.js';
import { dumpDatabase } from '../support/database-dump.js';
import { freshFiness } from '../support/fresh-finess.js';
import { syntheticNir, syntheticResult } from '../support/synthetic-result.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The NIR index keyed per pharmacy, on the local keyring and real Postgres: the same person has
 * unrelated indexes at two pharmacies, duplicates are refused at the same pharmacy only, and
 * results indexed chain-wide by an earlier release stay found until `gateway keys reindex`
 * converts them, batch by batch, while intake goes on accepting.
 */

let db: TestDatabase;
let dir: string;
let keys: KeyManager;
let guard: KeyManagerGuard;
let blindIndex: BlindIndex;
const pharmacies: { id: string; finess: string }[] = [];

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(join(tmpdir(), 'nir-per-pharmacy-'));
  keys = await openLocalKeyring(join(dir, 'keyring.json'), { create: true });
  guard = createKeyManagerGuard({ keys });
  await guard.start();
  blindIndex = createBlindIndex(await keys.blindIndexKeys());
  for (const name of ['Pharmacie A', 'Pharmacie B']) {
    const finess = freshFiness();
    const { id } = await db.owner.insertInto('pharmacies').values({ finess, name }).returning('id').executeTakeFirstOrThrow();
    pharmacies.push({ id, finess });
  }
});
afterAll(async () => {
  guard?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const nir = syntheticNir();
// Collection times counted from one instant: two calls for the same minute never straddle two.
const start = Date.now();

/** Submits the person's test, collected `minutesAgo`, at this pharmacy; the result's id. */
const intake = (() => {
  let service: ReturnType<typeof createSubmitService> | undefined;
  return (pharmacy: { id: string; finess: string }, minutesAgo: number) => {
    const body = syntheticResult({ pharmacyFiness: pharmacy.finess, patient: { nir }, test: { collectedAt: new Date(start - minutesAgo * 60_000).toISOString() } });
    service ??= createSubmitService({
      db: db.runtime,
      sealer: createResultSealer<TestResultInput>({ dataKeys: createDataKeyProvider({ keys, store: createDataKeyStore(db.runtime), guard }), blindIndex }),
      validate: (raw) => parseIntake(createIntakeSchema({ now: () => new Date() }), raw),
      onCommit: () => undefined,
    });
    const principal = { kind: 'pharmacy' as const, pharmacyId: pharmacy.id, finess: pharmacy.finess, fingerprint: 'f'.repeat(64) };
    return service.submit({ principal, idempotencyKey: randomUUID(), body, requestId: randomUUID() }).then((r) => r.answer.id);
  };
})();

const rowsOf = (ids: string[]) => db.owner.selectFrom('test_results').select(['id', 'pharmacy_id', 'nir_index', 'nir_index_scheme']).where('id', 'in', ids).orderBy('id').execute();
const foundAcrossTheChain = async () => {
  const indexes = await nirIndexesForChain(db.runtime, blindIndex, nir);
  const rows = await db.runtime.selectFrom('test_results').select('id').where('nir_index', '=', sql<string>`ANY(${indexes}::text[])`).execute();
  return rows.map((r) => r.id).sort();
};
/** Locks other sessions hold on test_results: a reindex between two rows must hold none. */
const locksOnResults = async () =>
  (await sql<{ mode: string }>`SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'test_results' AND l.pid <> pg_backend_pid()`.execute(db.owner)).rows;

describe('per-pharmacy NIR indexes', () => {
  it('differ between pharmacies, refuse duplicates at the same pharmacy only, and replace chain-wide indexes through `keys reindex` while intake accepts', async () => {
    const [a, b] = pharmacies as [(typeof pharmacies)[0], (typeof pharmacies)[0]];

    // Results indexed chain-wide by the previous release, at both pharmacies: one value links them.
    const earlier = [await intake(a, 40), await intake(b, 40)];
    await db.owner.updateTable('test_results').set({ nir_index: blindIndex.chainNir(nir), nir_index_scheme: 'chain' }).where('id', 'in', earlier).execute();
    expect(await dumpDatabase(db.owner)).toContain(`test_results.nir_index=${blindIndex.chainNir(nir)}`);

    // Written now: one index per pharmacy, and the same person and test is no duplicate across pharmacies.
    const now = [await intake(a, 30), await intake(b, 30)];
    const [atA, atB] = await rowsOf(now).then((rows) => now.map((id) => rows.find((r) => r.id === id)!));
    expect(atA).toMatchObject({ nir_index: blindIndex.nir(a.id, nir), nir_index_scheme: 'pharmacy' });
    expect(atB).toMatchObject({ nir_index: blindIndex.nir(b.id, nir), nir_index_scheme: 'pharmacy' });
    expect(atA!.nir_index).not.toBe(atB!.nir_index);
    await expect(intake(a, 30)).rejects.toMatchObject(new DuplicateResult(now[0]!));
    await expect(intake(b, 30)).rejects.toMatchObject(new DuplicateResult(now[1]!));

    // Before the reindex both forms are found: as duplicates at their own pharmacy, and across the chain.
    await expect(intake(a, 40)).rejects.toMatchObject(new DuplicateResult(earlier[0]!));
    await expect(intake(b, 40)).rejects.toMatchObject(new DuplicateResult(earlier[1]!));
    expect(await foundAcrossTheChain()).toEqual([...earlier, ...now].sort());

    // `gateway keys reindex`, one result per batch, paused between two rows to run intake.
    let paused = false;
    const duringTheRun: Promise<void>[] = [];
    const pausing: KeyManager = Object.create(keys) as KeyManager;
    pausing.unwrapDataKey = async (wrapped, context) => {
      if (!paused) {
        paused = true;
        const pause = (async () => {
          expect(await locksOnResults()).toEqual([]);
          const other = await intake(a, 35);
          await expect(intake(b, 40)).rejects.toMatchObject(new DuplicateResult(earlier[1]!));
          now.push(other);
        })();
        duringTheRun.push(pause);
        await pause;
      }
      return keys.unwrapDataKey(wrapped, context);
    };
    const out: string[] = [];
    const code = await reindex({ db: db.owner, keys: pausing, actor: { type: 'user', id: 'cli:tester' }, out: (l) => out.push(l), err: () => undefined, progress: () => undefined, backupRetentionDays: 30, batchSize: 1 });
    await Promise.all(duringTheRun);
    expect(paused).toBe(true);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/Reindexed \d+ result\(s\)/);

    // After: no chain-wide index is left, and a dump no longer links the person across pharmacies.
    const rows = await db.owner.selectFrom('test_results').select(['pharmacy_id', 'nir_index', 'nir_index_scheme']).execute();
    expect(rows.every((r) => r.nir_index_scheme === 'pharmacy')).toBe(true);
    expect(await dumpDatabase(db.owner)).not.toContain(blindIndex.chainNir(nir));
    const valuesAt = (p: { id: string }) => new Set(rows.filter((r) => r.pharmacy_id === p.id && r.nir_index !== null).map((r) => r.nir_index));
    expect(valuesAt(a)).toEqual(new Set([blindIndex.nir(a.id, nir)]));
    expect(valuesAt(b)).toEqual(new Set([blindIndex.nir(b.id, nir)]));

    await expect(intake(a, 40)).rejects.toMatchObject(new DuplicateResult(earlier[0]!));
    await expect(intake(b, 40)).rejects.toMatchObject(new DuplicateResult(earlier[1]!));
    expect(await foundAcrossTheChain()).toEqual([...earlier, ...now].sort());
  }, 60_000);
});
