import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultStatus } from '../../gateway/src/results/lifecycle/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * `gateway purge` is the gateway's own purge: it honours GATEWAY_RETENTION_* rather
 * than defaults of its own, crypto-shreds the data keys the purge leaves unused, and destroys
 * what the purge job destroys besides: expired counter-prefill tokens (a patient's sealed
 * identity) and the names of staff without a live enrolment.
 */
const run = promisify(execFile);
let db: TestDatabase;
let pharmacyId: string;

beforeAll(async () => {
  db = await testDatabase();
  pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess: '759999907', name: 'Purge' }).returning('id').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await db?.drop();
});

/** A settled result, last changed `daysAgo`, sealed under a data key of its own from a window long closed. */
async function settledResult(status: ResultStatus, daysAgo: number, shard: number) {
  const dataKeyId = randomUUID();
  await db.owner.insertInto('data_keys').values({ id: dataKeyId, key_window: '2024-01-01T00:00:00.000Z', shard, wrapped: 'local:v1:AAAA' }).execute();
  const id = randomUUID();
  await db.owner
    .insertInto('test_results')
    .values({ id, pharmacy_id: pharmacyId, status, sealed: randomBytes(64), data_key_id: dataKeyId, updated_at: sql`now() - make_interval(days => ${daysAgo})` })
    .execute();
  return { id, dataKeyId };
}

/** A counter-prefill token issued 10 minutes ago and never redeemed, sealed under a data key the purge keeps. */
async function expiredPrefill(dataKeyId: string) {
  const id = randomUUID();
  await db.owner
    .insertInto('counter_prefills')
    .values({ id, pharmacy_id: pharmacyId, token_hash: randomBytes(32).toString('hex'), sealed: randomBytes(64), data_key_id: dataKeyId, created_at: sql`now() - interval '10 minutes'`, expires_at: sql`now() - interval '5 minutes'` })
    .execute();
  return id;
}

describe('gateway purge', () => {
  it('purges under the retention settings, then deletes the data keys of fully purged windows', async () => {
    // inside the 7 and 30 days a purge of its own would apply, past the settings' 3 days
    const delivered = await settledResult('delivered', 5, 0);
    // past 30 days, inside the settings' 60 days
    const deadLettered = await settledResult('dead-lettered', 40, 1);
    const prefill = await expiredPrefill(deadLettered.dataKeyId);
    await db.owner.insertInto('person_sign_ins').values({ issuer: 'dev', subject: 'gone', last_sign_in_at: sql`now()`, mfa_evidence: 'mfa', name: 'Ancien Employé', email: 'ancien@pharmacie.test' }).execute();

    const { stdout } = await run(process.execPath, ['gateway/bin/gateway.js', 'purge', '--database-url', db.ownerUrl], {
      env: { ...process.env, GATEWAY_RETENTION_DELIVERED_DAYS: '3', GATEWAY_RETENTION_DEAD_LETTERED_DAYS: '60' },
    });

    const rows = await db.owner.selectFrom('test_results').select(['id', 'sealed', 'purged_at']).where('id', 'in', [delivered.id, deadLettered.id]).execute();
    expect(rows.find((r) => r.id === delivered.id)).toMatchObject({ sealed: null, purged_at: expect.any(Date) });
    expect(rows.find((r) => r.id === deadLettered.id)).toMatchObject({ sealed: expect.any(Buffer), purged_at: null });
    const keys = await db.owner.selectFrom('data_keys').select('id').where('id', 'in', [delivered.dataKeyId, deadLettered.dataKeyId]).execute();
    expect(keys).toEqual([{ id: deadLettered.dataKeyId }]);
    expect(await db.owner.selectFrom('counter_prefills').select('id').where('id', '=', prefill).execute()).toEqual([]);
    expect(await db.owner.selectFrom('person_sign_ins').select('subject').where('subject', '=', 'gone').execute()).toEqual([]);
    expect(stdout).toContain('Purged personal data of 1 result(s); deleted 1 data key(s), 1 expired counter-prefill token(s); forgot the names of 1 person(s) with no live enrolment.');
  });
});
