import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDataKeyProvider,
  createDataKeyStore,
  createKeyManagerGuard,
  openLocalKeyring,
  type KeyManager,
  type KeyManagerGuard,
} from '../../gateway/src/keys/index.js';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';
import { DuplicateResult } from '../../gateway/src/errors.js';
import { createResultSealer } from '../../gateway/src/results/lifecycle/index.js';
import { createSubmitService } from '../../gateway/src/intake/submit.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../../gateway/src/results/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A blind-index key rotation from end to end, on the local keyring and real Postgres, with the
 * `gateway keys` commands run as processes: results indexed under the old key stay findable as
 * duplicates while the new key writes, `keys reindex` moves them in resumable batches (a purged
 * result has nothing to recompute), and once the old version is retired lookups still match.
 */

const run = promisify(execFile);
let db: TestDatabase;
let dir: string;
let keys: KeyManager;
let guard: KeyManagerGuard;
let env: NodeJS.ProcessEnv;
let pharmacyId: string;

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(join(tmpdir(), 'keys-reindex-'));
  const keyringFile = join(dir, 'keyring.json');
  keys = await openLocalKeyring(keyringFile, { create: true });
  guard = createKeyManagerGuard({ keys });
  await guard.start();
  pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess: '759999907', name: 'Reindex' }).returning('id').executeTakeFirstOrThrow()).id;
  env = { PATH: process.env.PATH, GATEWAY_KEY_MANAGER_KIND: 'local', GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE: keyringFile, USER: 'tester' };
});
afterAll(async () => {
  guard?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const gateway = (...args: string[]) =>
  run(process.execPath, ['gateway/bin/gateway.js', 'keys', ...args, '--database-url', db.ownerUrl], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** What a gateway (re)started now would hold: the blind-index key versions of the keyring. */
async function startedGateway() {
  const dataKeys = createDataKeyProvider({ keys, store: createDataKeyStore(db.runtime), guard });
  const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: createBlindIndex(await keys.blindIndexKeys()) });
  const service = createSubmitService({ db: db.runtime, sealer, validate: (raw) => parseIntake(createIntakeSchema({ now: () => new Date() }), raw), onCommit: () => undefined });
  const principal = { kind: 'pharmacy' as const, pharmacyId, finess: '759999907', fingerprint: 'f'.repeat(64) };
  return {
    blindIndex: sealer.blindIndex,
    submit: (body: unknown, idempotencyKey: string = randomUUID()) => service.submit({ principal, idempotencyKey, body, requestId: randomUUID() }),
  };
}

const indexedUnder = async (version: number) =>
  Number((await db.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).where('blind_index_version', '=', version).executeTakeFirstOrThrow()).n);

describe('`gateway keys rotate-blind-index`, `reindex` and `retire-blind-index`', () => {
  it('keeps duplicates detected across the rotation, reindexes resumably, skips purged results and works with the old key retired', async () => {
    const before = await startedGateway();
    const first = syntheticResult({ externalRef: 'ORDER-A-0001' });
    const firstKey = randomUUID();
    const { answer: firstAnswer } = await before.submit(first, firstKey);
    for (let i = 0; i < 4; i++) await before.submit(syntheticResult());
    const { answer: purged } = await before.submit(syntheticResult());
    // What the purge leaves: no ciphertext, no data key, no index.
    await db.owner.updateTable('test_results').set({ sealed: null, data_key_id: null, nir_index: null, external_ref_index: null, loinc: null, collected_minute: null, purged_at: new Date() }).where('id', '=', purged.id).execute();
    expect(await indexedUnder(1)).toBe(6);

    const rotated = await gateway('rotate-blind-index');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/Blind-index key version 2 added/);

    // Switch-over: a restarted gateway writes under v2 and still finds what v1 indexed.
    const during = await startedGateway();
    expect(during.blindIndex.version).toBe(2);
    await expect(during.submit(first)).rejects.toMatchObject(new DuplicateResult(firstAnswer.id));
    expect(await during.submit(first, firstKey)).toEqual({ answer: firstAnswer, replayed: true });
    const second = syntheticResult();
    const { answer: secondAnswer } = await during.submit(second);
    expect(await indexedUnder(2)).toBe(1);

    const status = await gateway('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/Blind-index key versions held: 1, 2; newest: 2/);
    expect(status.stdout).toMatch(/v1: 6 result\(s\)/);
    const early = await gateway('retire-blind-index', '2');
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(/Refusing: 6 result\(s\)/);

    // An interrupted run (stopped after 3 results) leaves committed progress; the next one continues.
    const partial = await gateway('reindex', '--batch-size', '2', '--stop-after', '3');
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/100% 3\/3 results/);
    expect(await indexedUnder(1)).toBe(3);
    // A sealed document that does not open is counted and left behind; the others move on.
    const spoiled = await db.owner.selectFrom('test_results').select(['id', 'sealed']).where('blind_index_version', '=', 1).where('sealed', 'is not', null).executeTakeFirstOrThrow();
    const intact = spoiled.sealed as Buffer;
    await db.owner.updateTable('test_results').set({ sealed: Buffer.concat([intact.subarray(0, -1), Buffer.of(intact.at(-1)! ^ 1)]) }).where('id', '=', spoiled.id).execute();
    const blocked = await gateway('reindex', '--batch-size', '2');
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/1 sealed result\(s\) did not open/);
    expect(await indexedUnder(1)).toBe(1);
    await db.owner.updateTable('test_results').set({ sealed: intact }).where('id', '=', spoiled.id).execute();
    const rest = await gateway('reindex', '--batch-size', '2');
    expect(rest.code).toBe(0);
    expect(rest.stderr).toMatch(/100% 1\/1 results/);
    expect(await indexedUnder(1)).toBe(0);
    const purgedRow = await db.owner.selectFrom('test_results').selectAll().where('id', '=', purged.id).executeTakeFirstOrThrow();
    expect(purgedRow).toMatchObject({ blind_index_version: 2, nir_index: null, external_ref_index: null, sealed: null });
    const firstRow = await db.owner.selectFrom('test_results').selectAll().where('id', '=', firstAnswer.id).executeTakeFirstOrThrow();
    expect(firstRow.nir_index).toBe(during.blindIndex.nir(pharmacyId, first.patient.nir as string));
    expect(firstRow.external_ref_index).toBe(during.blindIndex.externalRef('ORDER-A-0001'));

    const retired = await gateway('retire-blind-index', '2');
    expect(retired.code).toBe(0);
    expect((await keys.blindIndexKeys()).map((held) => held.version)).toEqual([2]);

    // Restarted with v2 only: both sides of the former boundary are still found as duplicates.
    const after = await startedGateway();
    await expect(after.submit(first)).rejects.toMatchObject(new DuplicateResult(firstAnswer.id));
    await expect(after.submit(second)).rejects.toMatchObject(new DuplicateResult(secondAnswer.id));

    const audited = await db.owner.selectFrom('audit_events').select(['action', 'reason']).where('action', 'like', 'keys.%').orderBy('seq').execute();
    expect(audited.map((event) => event.action)).toEqual(['keys.rotate-blind-index', 'keys.reindex', 'keys.reindex', 'keys.reindex', 'keys.retire-blind-index']);
    // Over the three runs: five sealed results recomputed, the purged one skipped, none left.
    const counts = audited.slice(1, 4).map((event) => /^v2: (\d+) reindexed, (\d+) purged skipped, (\d+) unreadable, (\d+) left$/.exec(event.reason ?? '')?.slice(1).map(Number) ?? []);
    expect(counts.map((c) => [c[2], c[3]])).toEqual([[0, 3], [1, 1], [0, 0]]);
    expect([0, 1].map((i) => counts.reduce((sum, c) => sum + (c[i] ?? NaN), 0))).toEqual([5, 1]);
  }, 90_000);
});
