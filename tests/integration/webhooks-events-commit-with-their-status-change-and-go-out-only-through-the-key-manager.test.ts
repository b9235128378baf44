import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { createExpiryMonitor } from '../../gateway/src/pharmacies/expiry-monitor.js';
import { claim, deadLetter } from '../../gateway/src/results/lifecycle/index.js';
import { recordResultCallbacks } from '../../gateway/src/results/lifecycle/callbacks.js';
import { destroyPersonalData } from '../../gateway/src/results/lifecycle/purge.js';
import { addEndpoint, removeEndpoint, sendTestEvent } from '../../gateway/src/webhooks/registry.js';
import { createCallbackWorker, type CallbackAttemptOutcome } from '../../gateway/src/webhooks/worker.js';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const OPERATOR = { type: 'user', id: 'cli:test@host' } as const;

let db: TestDatabase;
let keys: KeyManager;
const pharmacy: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
beforeAll(async () => {
  db = await testDatabase();
  keys = await openLocalKeyring(path.join(await mkdtemp(path.join(os.tmpdir(), 'webhooks-')), 'keyring.json'), { create: true });
  for (const [name, finess] of [['a', '759999907'], ['b', '759999915'], ['c', '759999923']] as const) {
    pharmacy[name] = (await db.owner.insertInto('pharmacies').values({ finess, name }).returning('id').executeTakeFirstOrThrow()).id;
  }
});
afterAll(() => db.drop());

const register = (pharmacyId: string, events?: ('result.delivered' | 'result.dead-lettered' | 'certificate.expiring')[]) =>
  addEndpoint(db.runtime, keys, { pharmacyId, url: 'https://127.0.0.1:9/hooks', allowNetworks: ['127.0.0.0/8'], ...(events ? { events } : {}) }, OPERATOR, 'cli:test@host');

async function resultInFlight(pharmacyId: string): Promise<string> {
  const id = randomUUID();
  await db.owner.insertInto('test_results').values({ id, pharmacy_id: pharmacyId, status: 'delivering' }).execute();
  await db.owner.insertInto('outbox_messages').values({ id: randomUUID(), result_id: id, kind: 'original' }).execute();
  return id;
}

const eventsAbout = (resultId: string) => db.owner.selectFrom('webhook_events').select(['id', 'endpoint_id', 'type', 'payload']).where('subject_id', '=', resultId).orderBy('endpoint_id').execute();

describe('status callback events', () => {
  it('are written with the dead-lettering, one per live endpoint of the pharmacy subscribed to it', async () => {
    const subscribed = [await register(pharmacy.a), await register(pharmacy.a, ['result.dead-lettered'])].map((e) => e.id).sort();
    await register(pharmacy.a, ['result.delivered']);
    await removeEndpoint(db.runtime, (await register(pharmacy.a)).id, OPERATOR);
    await register(pharmacy.b);
    const resultId = await resultInFlight(pharmacy.a);
    const [message] = await claim(db.runtime, { limit: 100, leaseSeconds: 60, leaseToken: randomUUID() });
    expect(await deadLetter(db.runtime, message!, { code: 'sidep-rejected' })).toBe(true);
    const events = await eventsAbout(resultId);
    expect(events.map((e) => e.endpoint_id)).toEqual(subscribed);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'result.dead-lettered', payload: { type: 'result.dead-lettered', timestamp: expect.any(String), data: { resultId, status: 'dead-lettered', problemCode: 'sidep-rejected' } } });
    }
    // the same status change reported again keeps its one webhook-id per endpoint
    await db.runtime.transaction().execute((tx) => recordResultCallbacks(tx, 'result.dead-lettered', [resultId]));
    expect(await eventsAbout(resultId)).toEqual(events);
  });

  it('report a purge to every endpoint subscribed to result.purged', async () => {
    const resultId = await resultInFlight(pharmacy.a);
    await db.runtime.transaction().execute((tx) => destroyPersonalData(tx, [{ id: resultId, actor: { type: 'system', id: 'purge' }, reason: 'delivered' }]));
    const subscribed = await db.owner.selectFrom('webhook_endpoints').select('id').where('pharmacy_id', '=', pharmacy.a).where('disabled_at', 'is', null).where(sql<boolean>`'result.purged' = ANY (events)`).orderBy('id').execute();
    expect(subscribed.length).toBeGreaterThan(0);
    const events = await eventsAbout(resultId);
    expect(events.map((e) => [e.endpoint_id, e.type])).toEqual(subscribed.map((e) => [e.id, 'result.purged']));
  });

  it('are rolled back with a status change that is rolled back', async () => {
    await register(pharmacy.b);
    const resultId = await resultInFlight(pharmacy.b);
    await expect(
      db.runtime.transaction().execute(async (tx) => {
        await recordResultCallbacks(tx, 'result.delivered', [resultId]);
        throw new Error('the status change fails after its event was written');
      }),
    ).rejects.toThrow(/fails after/);
    expect(await eventsAbout(resultId)).toEqual([]);
  });
});

describe('certificate.expiring', () => {
  it('is written once per certificate and subscribed endpoint when the expiry monitor finds it within 30 days', async () => {
    const subscribed = (await register(pharmacy.c, ['certificate.expiring'])).id;
    await register(pharmacy.c, ['result.delivered']);
    const certificate = (days: number) => ({ fingerprint: randomUUID().replaceAll('-', '').repeat(2), pharmacy_id: pharmacy.c, subject: 'CN=759999923', not_before: new Date(), not_after: new Date(Date.now() + days * 86_400_000), created_by: 'test' });
    const [soon, later] = [certificate(10), certificate(60)];
    await db.owner.insertInto('client_certificates').values([soon, later]).execute();
    const monitor = createExpiryMonitor({ db: db.runtime, gauge: new Gauge({ name: 'test_expiry_days', help: 'x', labelNames: ['pharmacy'], registers: [] }), log: createLogger({ level: 'silent' }) });
    await monitor.check();
    await monitor.check();
    const events = await db.owner.selectFrom('webhook_events').select(['endpoint_id', 'subject_id', 'payload']).where('type', '=', 'certificate.expiring').execute();
    expect(events).toEqual([{ endpoint_id: subscribed, subject_id: soon.fingerprint, payload: { type: 'certificate.expiring', timestamp: expect.any(String), data: { certificateFingerprint: soon.fingerprint, notAfter: expect.any(String) } } }]);
  });
});

describe('the callback worker', () => {
  const log = createLogger({ level: 'silent' });
  const policy = { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 5, maxAgeMs: 3_600_000 };

  function worker(o: { keys: Pick<KeyManager, 'unwrapDataKey'>; keyManagerAvailable: () => boolean; onAttempt?: (outcome: CallbackAttemptOutcome) => void }) {
    const sent: string[] = [];
    const w = createCallbackWorker({
      db: db.runtime,
      keys: o.keys,
      keyManagerAvailable: o.keyManagerAvailable,
      client: {
        send: async (_target, request) => {
          sent.push(request.headers['webhook-id'] as string);
          return { kind: 'delivered', status: 204 };
        },
      },
      policy,
      concurrency: 2,
      perEndpoint: 2,
      leaseSeconds: 60,
      pollMs: 20,
      log,
      onAttempt: (_endpoint, outcome) => o.onAttempt?.(outcome),
    });
    return { w, sent };
  }

  const eventRow = (id: string) => db.owner.selectFrom('webhook_events').select(['status', 'attempts', 'last_error_code']).where('id', '=', id).executeTakeFirstOrThrow();

  it('sends nothing and counts no attempt while the key manager cannot open the secrets', async () => {
    await db.owner.updateTable('webhook_events').set({ status: 'delivered' }).execute();
    const { id: endpointId } = await register(pharmacy.a);
    const eventId = await sendTestEvent(db.runtime, endpointId, OPERATOR);
    let released!: () => void;
    const releasedOnce = new Promise<void>((resolve) => (released = resolve));
    const down = {
      unwrapDataKey: () => Promise.reject(new KeyManagerUnavailable({ cause: new Error('connection refused') })),
    };
    const { w, sent } = worker({ keys: down, keyManagerAvailable: () => true, onAttempt: () => released() });
    w.start();
    await releasedOnce;
    await w.stop();
    expect(sent).toEqual([]);
    expect(await eventRow(eventId)).toEqual({ status: 'pending', attempts: 0, last_error_code: 'key-manager-unavailable' });

    // and once it answers again, the same event goes out
    let delivered!: () => void;
    const deliveredOnce = new Promise<void>((resolve) => (delivered = resolve));
    const up = worker({ keys, keyManagerAvailable: () => true, onAttempt: (outcome) => outcome === 'delivered' && delivered() });
    await db.owner.updateTable('webhook_events').set({ next_attempt_at: new Date() }).where('id', '=', eventId).execute();
    up.w.start();
    await deliveredOnce;
    await up.w.stop();
    expect(up.sent).toEqual([eventId]);
  });
});
