import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { addEndpoint, rotateSecret, sendTestEvent } from '../../gateway/src/webhooks/registry.js';
import { eventually, PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { startWebhookReceiver, type ReceivedCallback } from '../support/webhook-receiver.js';

const OPERATOR = { type: 'user', id: 'cli:test@host' } as const;

let h: Harness;
let keys: KeyManager;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
// results whose first two callbacks the receiving software answers 503
const flaky = new Set<string>();

beforeAll(async () => {
  h = await startHarness({ webhooks: { pollMs: 100, baseDelayMs: 50, maxDelayMs: 200 } });
  keys = await openLocalKeyring(path.join(h.dir, 'keyring.json'));
  receiver = await startWebhookReceiver(h.pki.server, (c) => {
    const resultId = (JSON.parse(c.body) as { data: { resultId?: string } }).data.resultId ?? '';
    return flaky.has(resultId) && receiver.about(resultId).length <= 2 ? 503 : 204;
  });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const register = (finess: string, events?: ('result.delivered' | 'certificate.expiring')[]) =>
  addEndpoint(h.db.runtime, keys, { pharmacyId: h.pharmacyIds[finess] as string, url: receiver.url, caPem: h.pki.ca.certPem, allowNetworks: ['127.0.0.0/8'], ...(events ? { events } : {}) }, OPERATOR, 'cli:test@host');

async function deliveredResult(finess: string): Promise<string> {
  const res = await h.call(finess, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: finess }), headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  await eventually(async () => ((await h.call(finess, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
  return id;
}

const verifies = (secret: string, c: ReceivedCallback) => new Webhook(secret).verify(c.body, c.headers);

describe('status callbacks to pharmacy software', () => {
  let secret: string;
  let endpointId: string;
  beforeAll(async () => {
    ({ id: endpointId, secret } = await register(PHARMACY_A));
    // a second endpoint of the same pharmacy, not subscribed to deliveries
    await register(PHARMACY_A, ['certificate.expiring']);
  });

  it('sends result.delivered for its pharmacy, signed per Standard Webhooks, without personal data', async () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    const id = await deliveredResult(PHARMACY_A);
    const [callback] = await eventually(async () => (receiver.about(id).length > 0 ? receiver.about(id) : undefined));
    expect(verifies(secret, callback as ReceivedCallback)).toEqual({ type: 'result.delivered', timestamp: expect.any(String), data: { resultId: id, status: 'delivered', sidepAckId: expect.any(String) } });
    // one event, for the one endpoint subscribed to deliveries
    const events = await h.db.owner.selectFrom('webhook_events').select(['id', 'endpoint_id']).where('subject_id', '=', id).execute();
    expect(events).toEqual([{ id: callback?.headers['webhook-id'], endpoint_id: endpointId }]);
    // a signature made with another secret does not verify
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(callback!.body, callback!.headers)).toThrow();
  });

  it('sends nothing about a result of another pharmacy', async () => {
    const other = await deliveredResult(PHARMACY_B);
    const mine = await deliveredResult(PHARMACY_A);
    await eventually(async () => (receiver.about(mine).length > 0 ? true : undefined));
    expect(receiver.received.filter((c) => c.body.includes(other))).toEqual([]);
    expect(await h.db.owner.selectFrom('webhook_events').select('id').where('subject_id', '=', other).execute()).toEqual([]);
  });

  it('retries a failing endpoint with the same webhook-id until it answers 2xx', async () => {
    const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
    flaky.add(res.body.id);
    const attempts = await eventually(async () => (receiver.about(res.body.id).length >= 3 ? receiver.about(res.body.id) : undefined));
    expect(new Set(attempts.map((c) => c.headers['webhook-id'])).size).toBe(1);
    const event = await eventually(async () => {
      const row = await h.db.owner.selectFrom('webhook_events').select(['status', 'attempts']).where('subject_id', '=', res.body.id).executeTakeFirst();
      return row?.status === 'delivered' ? row : undefined;
    });
    expect(event.attempts).toBe(3);
  });

  it('signs with both secrets during a rotation, each signature verifying with its own secret', async () => {
    const next = (await rotateSecret(h.db.runtime, keys, endpointId, OPERATOR)) as string;
    expect(next).not.toBe(secret);
    const eventId = await sendTestEvent(h.db.runtime, endpointId, OPERATOR);
    const callback = await eventually(async () => receiver.received.find((c) => c.headers['webhook-id'] === eventId));
    const signatures = callback.headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    // each secret verifies alone: the receiver may hold either while it switches
    for (const [i, s] of [next, secret].entries()) {
      expect(verifies(s, { ...callback, headers: { ...callback.headers, 'webhook-signature': signatures[i] as string } })).toMatchObject({ type: 'test' });
    }
  });
});
