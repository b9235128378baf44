import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outbox } from '../../gateway/src/cli/outbox.js';
import { processContext } from '../../gateway/src/cli/context.js';
import { SIDEP_CONTRACT_VERSION } from '../../gateway/src/sidep/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

// small enough to open within a test, the relay otherwise as the harness runs it
const RELAY = { leaseSeconds: 2, contractRefusals: 5 };
const OTHER_LOINC = '97097-0';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relay: RELAY as never });
});
afterAll(() => h.close());
beforeEach(() => h.simulatorControl('POST', '/_control/faults', {}));

const submit = async (test: { loinc?: string } = {}) => {
  const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult({ test }), headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const messagesOf = (ids: string[]) => h.db.owner.selectFrom('outbox_messages').select(['id', 'state', 'attempts']).where('result_id', 'in', ids).execute();
const settledAs = async (id: string, wanted: string) =>
  eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === wanted ? true : undefined));
const openPause = () => h.db.owner.selectFrom('sidep_contract_pauses').selectAll().where('closed_at', 'is', null).executeTakeFirst();
const journal = async () => (await h.simulatorControl('GET', '/_control/journal')) as { messageId: string; count: number; contractVersion: string | null }[];
const circuitGauge = async () => {
  const text = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
  return /^gateway_sidep_contract_circuit_open (\d)$/m.exec(text)?.[1];
};
const resume = async () => {
  const out: string[] = [];
  const code = await outbox.run(['resume', '--database-url', h.db.runtimeUrl, '--operator', 'night-shift'], { ...processContext({}), out: (line) => out.push(line) });
  return { code, out: out.join('\n') };
};

describe('the relay facing an SI-DEP contract change', () => {
  it('stops after the configured refusals of one shape, keeps every message queued, and delivers each once after outbox resume', async () => {
    await h.simulatorControl('POST', '/_control/faults', { contract: '2' });
    // four refusals: dead letters for now
    const streak = await Promise.all(Array.from({ length: 4 }, () => submit()));
    for (const id of streak) await settledAs(id, 'dead-lettered');
    expect(await openPause()).toBeUndefined();
    // the fifth opens the circuit: those four go back in the queue, the rest is held there
    const ids = [...streak, ...(await Promise.all(Array.from({ length: 4 }, () => submit())))];

    const pause = await eventually(openPause);
    expect(pause).toMatchObject({ signature: '422 required:Bundle.entry[].resource.method', contract_version: SIDEP_CONTRACT_VERSION });
    // the streak's dead letters are back in the queue: not one dead letter per result
    await eventually(async () => ((await messagesOf(ids)).every((m) => m.state === 'pending') ? true : undefined));
    expect(await eventually(async () => ((await circuitGauge()) === '1' ? '1' : undefined))).toBe('1');

    // while open, nothing is claimed or sent: a new result waits untried
    const requests = ((await h.simulatorControl('GET', '/_control/stats')) as { requests: number }).requests;
    const waiting = await submit();
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await messagesOf([waiting]))[0]).toMatchObject({ state: 'pending', attempts: 0 });
    expect(((await h.simulatorControl('GET', '/_control/stats')) as { requests: number }).requests).toBe(requests);

    await h.simulatorControl('POST', '/_control/faults', {});
    const resumed = await resume();
    expect(resumed).toMatchObject({ code: 0, out: expect.stringContaining('Resumed') });
    const all = [...ids, waiting];
    for (const id of all) await settledAs(id, 'delivered');
    const messageIds = new Set((await messagesOf(all)).map((m) => m.id));
    const delivered = (await journal()).filter((e) => messageIds.has(e.messageId));
    expect(delivered.map((e) => [e.count, e.contractVersion])).toEqual(all.map(() => [1, SIDEP_CONTRACT_VERSION]));
    expect(await openPause()).toBeUndefined();
    expect(await circuitGauge()).toBe('0');
    const audited = await h.db.owner.selectFrom('audit_events').select(['actor_id', 'reason']).where('action', '=', 'outbox.resume').execute();
    expect(audited).toEqual([{ actor_id: expect.stringMatching(/^cli:.*;operator=night-shift$/), reason: 'resume' }]);
    expect(await resume()).toMatchObject({ code: 0, out: expect.stringContaining('Nothing to resume') });
  });

  it('still dead-letters isolated refusals: an acceptance between them starts the count over', async () => {
    await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { loinc: OTHER_LOINC, status: 422 } });
    const refused: string[] = [];
    const refuse = async () => {
      const id = await submit({ loinc: OTHER_LOINC });
      await settledAs(id, 'dead-lettered');
      refused.push(id);
    };
    for (let i = 0; i < 4; i++) await refuse();
    await settledAs(await submit(), 'delivered');
    for (let i = 0; i < 4; i++) await refuse();
    expect(await openPause()).toBeUndefined();
    expect((await messagesOf(refused)).map((m) => m.state)).toEqual(refused.map(() => 'dead'));
  });

  it('closes a circuit opened under an earlier contract version as it starts: the redeployed fix', async () => {
    const before = String(Number(SIDEP_CONTRACT_VERSION) - 1);
    await h.db.owner.insertInto('sidep_contract_pauses').values({ signature: '422 required:Bundle.entry[].resource.method', contract_version: before }).execute();
    const closed = await eventually(() =>
      h.db.owner.selectFrom('sidep_contract_pauses').select('close_reason').where('contract_version', '=', before).where('closed_at', 'is not', null).executeTakeFirst(),
    );
    expect(closed.close_reason).toBe('redeploy');
    await settledAs(await submit(), 'delivered');
  });

  it('does not count the time the circuit held a message against relay.maxAge', async () => {
    await h.restartGateway({ relay: { ...RELAY, enabled: false, maxAgeHours: 1 } as never });
    const id = await submit();
    // 90 minutes old, 80 of them spent behind an open circuit: 10 minutes of age count
    await h.db.owner.updateTable('outbox_messages').set({ created_at: sql`now() - interval '90 minutes'` }).where('result_id', '=', id).execute();
    await h.db.owner
      .insertInto('sidep_contract_pauses')
      .values({ signature: '400', contract_version: SIDEP_CONTRACT_VERSION, opened_at: sql`now() - interval '2 hours'`, closed_at: sql`now() - interval '10 minutes'`, close_reason: 'resume' })
      .execute();
    await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 1, status: 503 } });
    await h.restartGateway({ relay: { ...RELAY, maxAgeHours: 1 } as never });
    await settledAs(id, 'delivered');
    expect((await messagesOf([id]))[0]?.attempts).toBe(2);
  });
});
