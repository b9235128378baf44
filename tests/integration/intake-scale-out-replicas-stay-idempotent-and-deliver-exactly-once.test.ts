import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/app/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

// Three replicas on one Postgres, as `deploy/kubernetes/` and `docker compose --scale` run them.
// Relay-only exactly-once with two replicas is relay-replicas-never-deliver-a-message-twice.
let h: Harness;
const replicas: RunningGateway[] = [];

beforeAll(async () => {
  h = await startHarness({ relay: { pollMs: 20 } });
  for (let i = 0; i < 2; i++) replicas.push(await h.startReplica({ relay: { pollMs: 20 } }));
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await h?.close();
});

const ports = () => [h.gateway.intakePort, ...replicas.map((r) => r.intakePort)];

async function submit(port: number, body: unknown, key: string): Promise<{ status: number; body: any }> {
  const res = await request(`https://localhost:${port}/api/v1/test-results`, {
    method: 'POST',
    dispatcher: h.client(PHARMACY_A),
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: await res.body.json() };
}

describe('three gateway replicas on one database', () => {
  it('answer the same Idempotency-Key sent to every replica at once with one result', async () => {
    await h.simulatorControl('DELETE', '/_control/journal');
    const rounds = Array.from({ length: 10 }, () => ({ key: randomUUID(), body: syntheticResult() }));
    const answers = await Promise.all(rounds.map(({ key, body }) => Promise.all(ports().map((port) => submit(port, body, key)))));
    const ids = answers.map((sameKey) => {
      expect(sameKey.map((a) => a.status)).toEqual([202, 202, 202]);
      expect(new Set(sameKey.map((a) => a.body.id)).size).toBe(1);
      return sameKey[0]?.body.id as string;
    });
    expect(new Set(ids).size).toBe(rounds.length);
    const stored = await h.db.owner.selectFrom('test_results').select('id').where('pharmacy_id', '=', h.pharmacyIds[PHARMACY_A] as string).execute();
    expect(stored.map((r) => r.id).sort()).toEqual([...ids].sort());

    // and all three relay: each result reaches SI-DEP exactly once
    await eventually(async () => {
      const left = await h.db.owner.selectFrom('outbox_messages').select('id').where('state', '=', 'pending').execute();
      return left.length === 0 ? true : undefined;
    }, 30_000);
    const journal: { messageId: string }[] = await h.simulatorControl('GET', '/_control/journal');
    expect(journal).toHaveLength(rounds.length);
    expect(new Set(journal.map((e) => e.messageId)).size).toBe(rounds.length);
    expect((await h.simulatorControl('GET', '/_control/stats')).replayed).toBe(0);
  });

  it('accept one of two different bodies under one key sent to two replicas at once, and refuse the other', async () => {
    for (let i = 0; i < 5; i++) {
      const key = randomUUID();
      const [a, b] = ports();
      const answers = await Promise.all([submit(a as number, syntheticResult(), key), submit(b as number, syntheticResult(), key)]);
      expect(answers.map((x) => x.status).sort()).toEqual([202, 409]);
      expect(answers.find((x) => x.status === 409)?.body.code).toBe('idempotency-conflict');
    }
  });
});
