import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claim } from '../../gateway/src/results/lifecycle/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

const run = promisify(execFile);
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relay: { leaseSeconds: 2 } as never });
});
afterAll(() => h.close());
beforeEach(() => h.simulatorControl('POST', '/_control/faults', {}));

const submit = async (body: unknown = syntheticResult()) => {
  const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const status = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body;
const until = (id: string, wanted: string) => eventually(async () => ((await status(id)).status === wanted ? status(id) : undefined));
const messageOf = async (id: string) => h.db.owner.selectFrom('outbox_messages').selectAll().where('result_id', '=', id).executeTakeFirstOrThrow();
const journalCount = async (messageId: string) => ((await h.simulatorControl('GET', '/_control/journal')) as { messageId: string }[]).filter((e) => e.messageId === messageId).length;

describe('the relay', () => {
  it('retries a 503 three times, then delivers once', async () => {
    await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 3, status: 503 } });
    const id = await submit();
    const done = await until(id, 'delivered');
    expect(done.attempts).toBe(4);
    expect(await journalCount((await messageOf(id)).id)).toBe(1);
  });

  it('honours Retry-After of a 429', async () => {
    await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 1, status: 429, retryAfterSeconds: 1 } });
    const id = await submit();
    const retrying = await eventually(async () => {
      const s = await status(id);
      return s.status === 'retrying' ? s : undefined;
    });
    expect(retrying.problem).toEqual({ code: expect.stringContaining('429') });
    expect(Date.parse(retrying.nextAttemptAt) - Date.now()).toBeGreaterThan(200);
    await until(id, 'delivered');
  });

  it('dead-letters a 4xx with codes only, and delivers it once redriven', async () => {
    await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 400 } });
    const id = await submit();
    const dead = await until(id, 'dead-lettered');
    expect(dead.problem).toEqual({ code: 'sidep-rejected' });
    const message = await messageOf(id);
    expect(message.state).toBe('dead');
    expect(message.dead_reason).toMatchObject({ code: 'sidep-rejected', httpStatus: 400 });
    for (const issue of message.dead_reason?.issues ?? []) expect(Object.keys(issue).sort()).toEqual(['code', 'expression']);

    await h.simulatorControl('POST', '/_control/faults', {});
    const cli = (...args: string[]) => run(process.execPath, ['gateway/bin/gateway.js', 'outbox', ...args, '--database-url', h.db.ownerUrl]);
    expect((await cli('list', '--state', 'dead')).stdout).toContain(message.id);
    expect((await cli('redrive', '--all-dead-lettered', id).catch((e) => e)).code).toBe(2);
    expect((await cli('redrive', id, '--pharmacy', '759999915')).stdout).toContain('Redriven: 0');
    expect((await cli('redrive', id, '--pharmacy', PHARMACY_A)).stdout).toContain('Redriven: 1');
    await until(id, 'delivered');
    expect(await journalCount(message.id)).toBe(1);
  });

  it("takes back a crashed worker's claim once its lease expires, and delivers once", async () => {
    await h.restartGateway({ relay: { enabled: false } as never });
    const id = await submit();
    // a worker claims the message, then dies without settling it
    const [claimed] = await claim(h.db.runtime, { limit: 10, leaseSeconds: 1, leaseToken: randomUUID() });
    expect(claimed?.resultId).toBe(id);
    expect((await status(id)).status).toBe('delivering');
    await h.restartGateway({ relay: { leaseSeconds: 2 } as never });
    const done = await until(id, 'delivered');
    expect(done.attempts).toBe(2);
    expect(await journalCount(claimed?.id as string)).toBe(1);
  });

  it('sends what it claimed ahead before a graceful stop: no message is left waiting out a lease', async () => {
    // one send in flight, one message claimed ahead of it; each send takes 300 ms
    await h.restartGateway({ relay: { concurrency: 1, leaseSeconds: 60 } as never });
    await h.simulatorControl('POST', '/_control/faults', { latencyMs: 300 });
    const ids = [await submit(), await submit(), await submit()];
    await eventually(async () => ((await status(ids[0] as string)).status === 'delivering' ? true : undefined));
    await h.restartGateway({ relay: { enabled: false } as never });
    const leased = await h.db.owner.selectFrom('outbox_messages').select('id').where('result_id', 'in', ids).where('lease_token', 'is not', null).execute();
    expect(leased).toEqual([]);
    const statuses = await Promise.all(ids.map(async (id) => (await status(id)).status as string));
    expect(statuses.filter((s) => s === 'delivered').length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 'delivering')).toEqual([]);
    await h.restartGateway({ relay: { leaseSeconds: 2 } as never });
  });

  it('gives up after the configured number of attempts', async () => {
    await h.restartGateway({ relay: { leaseSeconds: 2, maxAttempts: 2 } as never });
    await h.simulatorControl('POST', '/_control/faults', { errorRate: 1 });
    const id = await submit();
    const dead = await until(id, 'dead-lettered');
    expect(dead.problem).toEqual({ code: 'max-attempts' });
    expect(dead.attempts).toBe(2);
    await h.restartGateway({ relay: { leaseSeconds: 2 } as never });
  });
});
