import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { addEndpoint, rotateSecret, sendTestEvent } from '../../gateway/src/webhooks/registry.js';
import { createCallbackWorker } from '../../gateway/src/webhooks/worker.js';
import { eventually } from '../support/gateway-harness.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const OPERATOR = { type: 'user', id: 'cli:test@host' } as const;
const SLOW = 'https://127.0.0.1:9/slow';
const FAST = 'https://127.0.0.1:9/fast';

let db: TestDatabase;
let keys: KeyManager;
const pharmacy: Record<'a' | 'b', string> = { a: '', b: '' };
beforeAll(async () => {
  db = await testDatabase();
  keys = await openLocalKeyring(path.join(await mkdtemp(path.join(os.tmpdir(), 'webhooks-worker-')), 'keyring.json'), { create: true });
  for (const [name, finess] of [['a', '759999907'], ['b', '759999915']] as const) {
    pharmacy[name] = (await db.owner.insertInto('pharmacies').values({ finess, name }).returning('id').executeTakeFirstOrThrow()).id;
  }
});
afterAll(() => db.drop());

const register = (pharmacyId: string, url: string) => addEndpoint(db.runtime, keys, { pharmacyId, url, allowNetworks: ['127.0.0.0/8'] }, OPERATOR, 'cli:test@host');
const statusOf = async (id: string) => (await db.owner.selectFrom('webhook_events').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const policy = { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 5, maxAgeMs: 3_600_000 };
const log = createLogger({ level: 'silent' });

describe('the callback worker', () => {
  it('sends to one endpoint in at most perEndpoint slots: a hanging endpoint leaves the others theirs', async () => {
    const slow = await register(pharmacy.a, SLOW);
    const fast = await register(pharmacy.b, FAST);
    // the hanging endpoint's backlog is older: oldest first alone would give it every slot
    for (let i = 0; i < 8; i++) await sendTestEvent(db.runtime, slow.id, OPERATOR);
    const fastEvents: string[] = [];
    for (let i = 0; i < 3; i++) fastEvents.push(await sendTestEvent(db.runtime, fast.id, OPERATOR));
    let hanging = 0;
    let mostHanging = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const w = createCallbackWorker({
      db: db.runtime,
      keys,
      keyManagerAvailable: () => true,
      client: {
        async send(target) {
          if (target.url === SLOW) {
            mostHanging = Math.max(mostHanging, ++hanging);
            await released;
            hanging--;
          }
          return { kind: 'delivered', status: 204 };
        },
      },
      policy,
      concurrency: 4,
      perEndpoint: 2,
      leaseSeconds: 60,
      pollMs: 20,
      log,
    });
    w.start();
    try {
      await eventually(async () => ((await Promise.all(fastEvents.map(statusOf))).every((s) => s === 'delivered') ? true : undefined), 10_000);
      expect(mostHanging).toBe(2);
    } finally {
      release();
      await w.stop();
    }
  });

  it('opens an endpoint secret once for many sends, again after a rotation, and forgets it when the guard fails', async () => {
    // the previous test's backlog is not this worker's to send
    await db.owner.updateTable('webhook_events').set({ status: 'delivered' }).execute();
    const { id: endpointId } = await register(pharmacy.a, FAST);
    let unwraps = 0;
    const counted: Pick<KeyManager, 'unwrapDataKey'> = {
      unwrapDataKey: (wrapped, context) => {
        unwraps++;
        return keys.unwrapDataKey(wrapped, context);
      },
    };
    let available = true;
    let refusedChecks = 0;
    const w = createCallbackWorker({
      db: db.runtime,
      keys: counted,
      keyManagerAvailable: () => available || (refusedChecks++, false),
      client: { send: async () => ({ kind: 'delivered', status: 204 }) },
      policy,
      concurrency: 4,
      perEndpoint: 4,
      leaseSeconds: 60,
      pollMs: 20,
      log,
    });
    const delivered = async (ids: string[]) => eventually(async () => ((await Promise.all(ids.map(statusOf))).every((s) => s === 'delivered') ? true : undefined));
    const testEvents = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push(await sendTestEvent(db.runtime, endpointId, OPERATOR));
      return ids;
    };
    w.start();
    try {
      await delivered(await testEvents(5));
      expect(unwraps).toBe(1);
      // a rotation stores other sealed secrets: both (current and previous) are opened once
      await rotateSecret(db.runtime, keys, endpointId, OPERATOR);
      await delivered(await testEvents(3));
      expect(unwraps).toBe(3);
      // the guard fails: nothing opened is kept past it, so the next send asks the key manager again
      available = false;
      const whileDown = await testEvents(1);
      await eventually(async () => (refusedChecks > 0 ? true : undefined));
      expect(await statusOf(whileDown[0] as string)).toBe('pending');
      available = true;
      await delivered(whileDown);
      expect(unwraps).toBe(5);
    } finally {
      await w.stop();
    }
  });
});
