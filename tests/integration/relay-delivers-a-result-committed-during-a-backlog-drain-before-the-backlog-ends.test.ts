import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/gateway-harness.js';
import { resultCalls } from '../support/result-calls.js';

/** Backlog held by a stopped relay, then drained at SI-DEP's quota: long enough to tell the orders apart. */
const BACKLOG = 150;
const QUOTA_PER_SECOND = 10;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relay: { enabled: false } as never });
});
afterAll(() => h.close());

const submit = resultCalls(() => h).submitted;
const pending = async () => Number((await h.db.owner.selectFrom('outbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow()).n);

describe('the relay draining a backlog at SI-DEP’s quota', () => {
  it.each([
    ['never attempted', undefined],
    // what a relay backing off from a dead SI-DEP leaves: half the backlog long due, half retries
    // coming due through the drain faster than SI-DEP's quota (of the messages not claimed, so
    // that no lease is cut short)
    ['half in retry, coming due faster than the quota', sql`UPDATE outbox_messages SET attempts = 1, next_attempt_at = now() + random() * interval '5 seconds' WHERE state = 'pending' AND next_attempt_at <= now() AND random() < 0.5`],
  ])('delivers a result committed meanwhile while most of a backlog %s still waits', async (_, backlogState) => {
    for (let i = 0; i < BACKLOG; i++) await submit();
    await h.simulatorControl('POST', '/_control/faults', { ratePerSecond: QUOTA_PER_SECOND });
    await h.restartGateway({ relay: { enabled: true, batchSize: 10, concurrency: 4 } as never });
    // the drain is under way before the new result commits
    await eventually(async () => ((await pending()) < BACKLOG ? true : undefined));
    if (backlogState) await backlogState.execute(h.db.owner);
    const fresh = await submit();
    const atCommit = await pending();
    await eventually(async () => ((await h.db.owner.selectFrom('test_results').select('status').where('id', '=', fresh).executeTakeFirstOrThrow()).status === 'delivered' ? true : undefined), 60_000);
    // oldest first, it would have waited for every one of them; here only for those already
    // claimed and the oldest half of a batch, whatever the machine's speed
    expect(atCommit - (await pending())).toBeLessThan(BACKLOG / 3);
    await eventually(async () => ((await pending()) === 0 ? true : undefined), 120_000);
    await h.restartGateway({ relay: { enabled: false } as never });
  });

  it('delivers a new result whose first send failed before most of a backlog long due', async () => {
    for (let i = 0; i < BACKLOG; i++) await submit();
    const fresh = await submit();
    // its first send failed, its short backoff just ended: it is due, after the whole backlog
    await h.db.owner.updateTable('outbox_messages').set({ attempts: 1, next_attempt_at: sql`now()` }).where('result_id', '=', fresh).execute();
    await h.simulatorControl('POST', '/_control/faults', { ratePerSecond: QUOTA_PER_SECOND });
    await h.restartGateway({ relay: { enabled: true, batchSize: 10, concurrency: 4 } as never });
    await eventually(async () => ((await h.db.owner.selectFrom('test_results').select('status').where('id', '=', fresh).executeTakeFirstOrThrow()).status === 'delivered' ? true : undefined), 60_000);
    expect(BACKLOG + 1 - (await pending())).toBeLessThan(BACKLOG / 3);
    await eventually(async () => ((await pending()) === 0 ? true : undefined), 120_000);
    await h.restartGateway({ relay: { enabled: false } as never });
  });
});
