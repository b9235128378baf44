import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SidepAdapter } from '../../gateway/src/sidep/index.js';
import { clientOf, validTransactionBundle, PERSONAL_VALUES, startSimulatorFixture, type SimulatorFixture } from '../support/sidep-test-kit.js';

function freshMessage(loinc?: string): { messageId: string; bundle: Record<string, unknown> } {
  const messageId = randomUUID();
  return { messageId, bundle: validTransactionBundle(messageId, loinc) };
}

describe('SI-DEP client outcomes for the failures the simulator stages', () => {
  let fixture: SimulatorFixture;
  let client: SidepAdapter;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    client = clientOf(fixture, { timeoutMs: 500 });
  });
  afterEach(async () => {
    expect((await fixture.control('POST', 'faults', {})).status).toBe(204);
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.dispose();
  });

  it('retries through three 503s and is then accepted', async () => {
    await fixture.control('POST', 'faults', { failNext: { count: 3, status: 503 } });
    const message = freshMessage();
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push(await client.send(message));
    expect(outcomes.slice(0, 3)).toEqual(Array(3).fill({ kind: 'retryable', code: 'http-503' }));
    expect(outcomes[3]).toMatchObject({ kind: 'accepted' });
  });

  it('reads Retry-After from a 429', async () => {
    await fixture.control('POST', 'faults', { failNext: { count: 1, status: 429, retryAfterSeconds: 7 } });
    expect(await client.send(freshMessage())).toEqual({ kind: 'retryable', code: 'http-429', retryAfterMs: 7_000 });
  });

  it('rejects an invalid Bundle with issue codes and paths only', async () => {
    const message = freshMessage();
    const observation = (message.bundle.entry as { resource: Record<string, unknown> }[])[6]!.resource;
    delete observation.code;
    const outcome = await client.send(message);
    expect(outcome).toEqual({
      kind: 'rejected',
      httpStatus: 400,
      issues: [{ code: 'structure', expression: 'Bundle.entry[6].resource.code' }],
    });
  });

  it('drops diagnostics from a business-rule rejection', async () => {
    await fixture.control('POST', 'faults', { rejectWhen: { loinc: '97097-0', status: 422 } });
    expect(await client.send(freshMessage('94558-4'))).toMatchObject({ kind: 'accepted' });
    const outcome = await client.send(freshMessage('97097-0'));
    expect(outcome).toEqual({
      kind: 'rejected',
      httpStatus: 422,
      issues: [{ code: 'business-rule', expression: 'Bundle.entry[6].resource.code' }],
    });
    const stored = JSON.stringify(outcome);
    expect(stored).not.toMatch(/diagnostics|simulator/i);
    for (const value of Object.values(PERSONAL_VALUES)) expect(stored).not.toContain(value);
  });

  it('counts a 503 from the error rate as retryable', async () => {
    await fixture.control('POST', 'faults', { errorRate: 1 });
    expect(await client.send(freshMessage())).toEqual({ kind: 'retryable', code: 'http-503' });
  });

  it('counts an answer slower than the timeout as retryable timeout', async () => {
    await fixture.control('POST', 'faults', { latencyMs: 1_500 });
    expect(await client.send(freshMessage())).toEqual({ kind: 'retryable', code: 'timeout' });
  });

  it('counts a connection reset during an outage as retryable network', async () => {
    await fixture.control('POST', 'faults', { outageUntil: new Date(Date.now() + 60_000).toISOString() });
    expect(await client.send(freshMessage())).toEqual({ kind: 'retryable', code: 'network' });
    const stats = await fixture.control('GET', 'stats');
    expect(stats.json).toMatchObject({ resets: 1 });
  });

  it('counts an unreachable SI-DEP as retryable network', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const unreachable = clientOf(fixture, { baseUrl: `https://127.0.0.1:${closedPort}` });
    try {
      expect(await unreachable.send(freshMessage())).toEqual({ kind: 'retryable', code: 'network' });
    } finally {
      await unreachable.close();
    }
  });

  it('refuses an out-of-range fault setting on the control API', async () => {
    const response = await fixture.control('POST', 'faults', { errorRate: 2 });
    expect(response).toEqual({ status: 400, json: { error: 'invalid-faults', paths: ['errorRate'] } });
  });
});
