import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIDEP_CONTRACT_VERSION, type SidepAdapter } from '../../gateway/src/sidep/index.js';
import { startSimulatorProcess } from '@sidep-gateway/sidep-simulator';
import { clientOf, validTransactionBundle, PERSONAL_VALUES, startSimulatorFixture, type SimulatorFixture } from '../support/sidep-test-kit.js';

describe('SI-DEP client against the simulator process', () => {
  let fixture: SimulatorFixture;
  let client: SidepAdapter;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    client = clientOf(fixture, { timeoutMs: 5_000, connections: 2 });
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.dispose();
  });

  it('delivers a valid transaction Bundle and gets an acknowledgement', async () => {
    const messageId = randomUUID();
    const outcome = await client.send({ messageId, bundle: validTransactionBundle(messageId) });
    expect(outcome).toEqual({ kind: 'accepted', ackId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('replays the first acknowledgement for a repeated message id and journals it once, with its contract version', async () => {
    await fixture.control('DELETE', 'journal');
    const before = (await fixture.control('GET', 'stats')).json as { accepted: number; replayed: number };
    const messageId = randomUUID();
    const message = { messageId, bundle: validTransactionBundle(messageId) };
    const first = await client.send(message);
    const again = await client.send(message);
    expect(first.kind).toBe('accepted');
    expect(again).toEqual(first);
    const journal = await fixture.control('GET', 'journal');
    expect(journal.json).toEqual([
      { messageId, ackId: (first as { ackId: string }).ackId, receivedAt: expect.any(String), observationStatus: 'final', contractVersion: SIDEP_CONTRACT_VERSION, count: 2 },
    ]);
    const stats = await fixture.control('GET', 'stats');
    expect(stats.json).toMatchObject({ accepted: before.accepted + 1, replayed: before.replayed + 1, journalEntries: 1 });
  });

  it('gives concurrent first sends of one message the same acknowledgement', async () => {
    const messageId = randomUUID();
    const message = { messageId, bundle: validTransactionBundle(messageId) };
    const outcomes = await Promise.all([client.send(message), client.send(message), client.send(message)]);
    expect(outcomes[0]?.kind).toBe('accepted');
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
  });

  it('keeps only ids, status and counts in the journal file', async () => {
    const lines = (await readFile(fixture.journalPath, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(Object.keys(JSON.parse(line)).sort()).toEqual(['ackId', 'contractVersion', 'count', 'messageId', 'observationStatus', 'receivedAt']);
    }
    const text = lines.join('\n');
    for (const value of Object.values(PERSONAL_VALUES)) expect(text).not.toContain(value);
  });

  it('replays acknowledgements from its journal file after a restart', async () => {
    const messageId = randomUUID();
    const message = { messageId, bundle: validTransactionBundle(messageId) };
    const first = await client.send(message);
    await fixture.simulator.stop();

    const restarted = await startSimulatorProcess({
      caPath: fixture.pki.ca.certPath,
      certPath: fixture.pki.server.certPath,
      keyPath: fixture.pki.server.keyPath,
      journalPath: fixture.journalPath,
    });
    const again = clientOf(fixture, { baseUrl: restarted.url });
    try {
      expect(await again.send(message)).toEqual(first);
    } finally {
      await again.close();
      await restarted.stop();
    }
  });
});
