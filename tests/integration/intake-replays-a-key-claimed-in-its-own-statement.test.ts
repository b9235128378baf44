import { mkdtemp, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataKeyProvider, createDataKeyStore, createKeyManagerGuard, openLocalKeyring, type KeyManagerGuard } from '../../gateway/src/keys/index.js';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';
import { DuplicateResult, IdempotencyConflict, ValidationFailed } from '../../gateway/src/errors.js';
import { createResultSealer } from '../../gateway/src/results/lifecycle/index.js';
import { createSubmitService } from '../../gateway/src/intake/submit.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../../gateway/src/results/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Intake claims its idempotency key in the statement that writes the result (one round trip),
 * without looking the key up first: only a request that cannot proceed looks for the first
 * answer. These are the refusals a retry may meet that the first request did not.
 */

let db: TestDatabase;
let dir: string;
let guard: KeyManagerGuard;
let pharmacyId: string;
let clock = Date.now();
let submit: (body: unknown, idempotencyKey: string) => ReturnType<ReturnType<typeof createSubmitService>['submit']>;

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(join(tmpdir(), 'intake-replay-'));
  const keys = await openLocalKeyring(join(dir, 'keyring.json'), { create: true });
  guard = createKeyManagerGuard({ keys });
  await guard.start();
  pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess: '759999907', name: 'Replay' }).returning('id').executeTakeFirstOrThrow()).id;
  const dataKeys = createDataKeyProvider({ keys, store: createDataKeyStore(db.runtime), guard });
  const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: createBlindIndex(await keys.blindIndexKeys()) });
  // a clock the test moves: a body accepted today is too old for intake in 8 days (maxPastDays 7)
  const schema = createIntakeSchema({ now: () => new Date(clock), maxPastDays: 7 });
  const service = createSubmitService({ db: db.runtime, sealer, validate: (raw) => parseIntake(schema, raw), onCommit: () => undefined });
  const principal = { kind: 'pharmacy' as const, pharmacyId, finess: '759999907', fingerprint: 'f'.repeat(64) };
  submit = (body, idempotencyKey) => service.submit({ principal, idempotencyKey, body, requestId: randomUUID() });
});
afterAll(async () => {
  guard?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const rows = async (table: 'test_results' | 'outbox_messages' | 'idempotency_keys') =>
  Number((await db.owner.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('intake without a lookup of the key first', () => {
  it('replays the first answer to a retry that finds its own result as a duplicate, and answers 409 duplicate-result under a new key', async () => {
    const body = syntheticResult();
    const key = randomUUID();
    const first = await submit(body, key);
    expect(first.replayed).toBe(false);
    await expect(submit(body, key)).resolves.toEqual({ answer: first.answer, replayed: true });
    const other = await submit(body, randomUUID()).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(DuplicateResult);
    expect((other as DuplicateResult).existingId).toBe(first.answer.id);
    expect([await rows('test_results'), await rows('outbox_messages'), await rows('idempotency_keys')]).toEqual([1, 1, 1]);
  });

  it('replays the first answer to a retry whose body no longer validates, and refuses another body under the key', async () => {
    const body = syntheticResult({}, new Date(clock));
    const key = randomUUID();
    const first = await submit(body, key);
    clock += 8 * 86_400_000;
    await expect(submit(body, key)).resolves.toEqual({ answer: first.answer, replayed: true });
    await expect(submit(body, randomUUID())).rejects.toBeInstanceOf(ValidationFailed);
    await expect(submit({ ...body, patient: { ...body.patient, sex: 'F' } }, key)).rejects.toBeInstanceOf(IdempotencyConflict);
  });
});
