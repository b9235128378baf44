import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * The gauges the retention and backup alerts read, as a running gateway samples them from its
 * database: when the first dead letter still holding personal data is purged
 * (`retention.deadLetteredDays` after it was dead-lettered), and when the newest successful dump
 * of `backup_runs` finished, beside doctor's limit for it (`backup.maxAgeHours`).
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retention: { deadLetteredDays: 30 }, backup: { maxAgeHours: 26 } } as never);
});
afterAll(() => h?.close());

const DAY_S = 86_400;

/** The value of an unlabelled gateway gauge on /metrics now. */
async function gauge(name: string): Promise<number | undefined> {
  const text = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
  const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}

/** Waits for the sampler to publish `expected` (within a millisecond). */
const sampled = (name: string, expected: number) =>
  eventually(async () => {
    const value = await gauge(name);
    return value !== undefined && Math.abs(value - expected) < 0.001 ? true : undefined;
  });

const deadLetter = async (daysAgo: number, purged = false) => {
  const id = randomUUID();
  const row = await h.db.owner
    .insertInto('test_results')
    .values({ id, pharmacy_id: h.pharmacyIds[PHARMACY_A] as string, status: 'dead-lettered', updated_at: sql`now() - make_interval(days => ${daysAgo})`, ...(purged ? { purged_at: sql`now()` } : {}) })
    .returning('updated_at')
    .executeTakeFirstOrThrow();
  return new Date(row.updated_at).getTime() / 1000;
};

describe('the metrics sampler', () => {
  it('publishes when the first dead letter holding personal data is purged, 0 while none waits', async () => {
    await sampled('gateway_dead_letter_next_purge_timestamp_seconds', 0);
    await deadLetter(40, true); // purged already: nothing left to warn about
    const older = await deadLetter(25);
    await deadLetter(10);
    await sampled('gateway_dead_letter_next_purge_timestamp_seconds', older + 30 * DAY_S);
  });

  it("publishes when the newest successful dump finished, 0 while none is recorded, and doctor's limit beside it", async () => {
    expect(await gauge('gateway_backup_max_age_seconds')).toBe(26 * 3600);
    await sampled('gateway_backup_last_success_timestamp_seconds', 0);
    const run = (hoursAgo: number, outcome: 'succeeded' | 'failed') =>
      h.db.owner
        .insertInto('backup_runs')
        .values({ kind: 'database', label: `run-${hoursAgo}h`, outcome, started_at: sql`now() - make_interval(hours => ${hoursAgo + 1})`, finished_at: sql`now() - make_interval(hours => ${hoursAgo})` })
        .returning('finished_at')
        .executeTakeFirstOrThrow();
    await run(80, 'succeeded');
    const newest = await run(30, 'succeeded');
    await run(2, 'failed');
    await sampled('gateway_backup_last_success_timestamp_seconds', new Date(newest.finished_at as Date).getTime() / 1000);
  });
});
