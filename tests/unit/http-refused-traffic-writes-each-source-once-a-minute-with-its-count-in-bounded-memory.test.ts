import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../gateway/src/audit/index.js';
import { createRateLimiter, createRefusedTraffic, onError, requestId, type AppEnv } from '../../gateway/src/http/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';

const address = (i: number) => `10.0.${(i >> 8) & 255}.${i & 255}`;

/** The recorder behind a route refusing everyone, with an audit log that can be made to fail. */
function refusingApp(o: { maxTallies?: number } = {}) {
  const written: AuditEvent[] = [];
  const audit = { failing: false };
  const refused = createRefusedTraffic({
    // the default allowance: 60 a minute, burst 120
    limiter: createRateLimiter({ ratePerSecond: 1, burst: 120 }),
    append: async (events) => {
      if (audit.failing) throw new Error('database unreachable');
      written.push(...events);
    },
    log: createLogger({ level: 'silent' }),
    maxTallies: o.maxTallies,
  });
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.get('/', async (c) => {
    throw await refused.refuse(c, { actor: { type: 'anonymous' }, reason: 'unauthenticated' });
  });
  app.onError(onError({ log: createLogger({ level: 'silent' }) }));
  const from = async (remoteAddress: string): Promise<number> => (await app.request('/', {}, { incoming: { socket: { remoteAddress } } })).status;
  return { refused, written, audit, from };
}

/** Requests each event stands for, by reason. */
const counts = (events: AuditEvent[]) => events.reduce<Record<string, number>>((n, e) => ({ ...n, [e.reason as string]: (n[e.reason as string] ?? 0) + Number(e.object?.id) }), {});

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-03-02T10:00:05Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refused traffic', () => {
  it("writes a source's first refusal of a minute at once, and the rest of its count when the minute closes", async () => {
    const { refused, written, from } = refusingApp();
    refused.start();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push(await from('10.0.0.1'));
    expect(statuses.filter((s) => s === 401)).toHaveLength(120);
    expect(statuses.filter((s) => s === 429)).toHaveLength(180);
    expect(written).toEqual([
      expect.objectContaining({ reason: 'unauthenticated', object: { type: 'request-count', id: '1' }, sourceIp: '10.0.0.1', requestId: expect.any(String) }),
      expect.objectContaining({ reason: 'rate-limited', object: { type: 'request-count', id: '1' }, sourceIp: '10.0.0.1' }),
    ]);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(written).toHaveLength(4);
    expect(counts(written)).toEqual({ unauthenticated: 120, 'rate-limited': 180 });
    expect(refused.size()).toBe(0);
    await refused.stop();
    expect(written).toHaveLength(4);
  });

  it('keeps the counts a failed write could not store, and writes them at the next flush', async () => {
    const { refused, written, audit, from } = refusingApp();
    refused.start();
    await from('10.0.0.1');
    audit.failing = true;
    for (let i = 0; i < 9; i++) await from('10.0.0.1');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(written).toHaveLength(1);
    audit.failing = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(counts(written)).toEqual({ unauthenticated: 10 });
    await refused.stop();
  });

  it('holds at most maxTallies sources, counting the others of the minute together without their address, and writes all on stop', async () => {
    const { refused, written, from } = refusingApp({ maxTallies: 100 });
    for (let i = 0; i < 5_000; i++) await from(address(i));
    expect(refused.size()).toBeLessThanOrEqual(101);
    await refused.stop();
    expect(refused.size()).toBe(0);
    expect(counts(written)).toEqual({ unauthenticated: 5_000 });
    expect(written.filter((e) => e.sourceIp === undefined)).toHaveLength(2);
  });
});
