import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../gateway/src/config/index.js';
import { openLocalCheckpointSigner, openLocalKeyring } from '../../gateway/src/keys/index.js';
import { startGateway, type RunningGateway } from '../../gateway/src/app/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import path from 'node:path';

let h: Harness;
let second: RunningGateway;
beforeAll(async () => {
  h = await startHarness();
  const relay = h.pki.clients['gateway-relay'] as { certPath: string; keyPath: string };
  second = await startGateway({
    settings: parseSettings({
      profile: 'demo',
      database: { url: h.db.runtimeUrl },
      intake: { host: '127.0.0.1', port: 0, certFile: h.pki.server.certPath, keyFile: h.pki.server.keyPath, clientCaFile: h.pki.ca.certPath },
      metrics: { host: '127.0.0.1', port: 0, tokenFile: path.join(h.dir, 'metrics-token') },
      keyManager: { kind: 'local', localKeyringFile: path.join(h.dir, 'keyring.json') },
      sidep: { url: h.simulator.url, caFile: h.pki.ca.certPath, certFile: relay.certPath, keyFile: relay.keyPath },
      relay: { pollMs: 20, batchSize: 5, concurrency: 8 },
      retention: {},
      validation: {},
      audit: { sinkFile: path.join(h.dir, 'audit-sink.jsonl') },
    }),
    log: createLogger({ level: 'silent' }),
    keys: await openLocalKeyring(path.join(h.dir, 'keyring.json')),
    signer: await openLocalCheckpointSigner(path.join(h.dir, 'audit-signing-key.pem')),
    receiptSigner: await openLocalCheckpointSigner(path.join(h.dir, 'receipt-signing-key.pem')),
  });
});
afterAll(async () => {
  await second.stop();
  await h.close();
});

describe('two gateway replicas relaying from one database', () => {
  it('deliver every message exactly once', async () => {
    await h.simulatorControl('DELETE', '/_control/journal');
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    await eventually(async () => {
      const left = await h.db.owner.selectFrom('outbox_messages').select('id').where('state', '=', 'pending').execute();
      return left.length === 0 ? true : undefined;
    }, 30_000);
    const journal: { messageId: string }[] = await h.simulatorControl('GET', '/_control/journal');
    const stats = await h.simulatorControl('GET', '/_control/stats');
    expect(journal).toHaveLength(60);
    expect(new Set(journal.map((e) => e.messageId)).size).toBe(60);
    expect(stats.replayed).toBe(0);
  });
});
