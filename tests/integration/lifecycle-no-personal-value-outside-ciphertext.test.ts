import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from '../support/database-dump.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Every string (≥ 4 chars) of a submission, and the digits of dates: what must never leak. */
function submittedValues(body: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk((body as { patient: unknown }).patient);
  return out;
}

describe('personal data', () => {
  it('appears nowhere in the database, the logs or the metrics after success, rejection, dead letter and correction paths', async () => {
    const bodies = [syntheticResult(), syntheticResult(), syntheticResult(), syntheticResult()];
    bodies[3]!.patient.email = 'patient.secret@example.org';
    const [ok, rejected, dead, corrected] = bodies;
    const post = (path: string, body: unknown) => h.call(PHARMACY_A, 'POST', path, { body, headers: { 'idempotency-key': randomUUID() } });
    const status = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status;

    const okId = (await post('/api/v1/test-results', ok)).body.id;
    // delivered before the simulator is told to refuse everything
    await eventually(async () => ((await status(okId)) === 'delivered' ? true : undefined), 30_000);
    const invalid = structuredClone(rejected!);
    invalid.test.collectedAt = '2000-01-01T00:00:00Z';
    expect((await post('/api/v1/test-results', invalid)).status).toBe(422);
    await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 422 } });
    const deadId = (await post('/api/v1/test-results', dead)).body.id;
    await eventually(async () => ((await status(deadId)) === 'dead-lettered' ? true : undefined));
    await h.simulatorControl('POST', '/_control/faults', {});
    const correctedId = (await post('/api/v1/test-results', corrected)).body.id;
    await eventually(async () => ((await status(correctedId)) === 'delivered' ? true : undefined), 30_000);
    const fixed = { ...corrected!, patient: { ...corrected!.patient, birthName: 'Correctedname' } };
    const correction = await post(`/api/v1/test-results/${correctedId}/corrections`, { reason: 'wrong-patient-identity', result: fixed });
    expect(correction.status).toBe(202);
    await eventually(async () => ((await status(correction.body.id)) === 'delivered' ? true : undefined));

    const dump = await dumpDatabase(h.db.owner);
    const logs = h.logs.join('');
    const metrics = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
    const values = [...bodies, fixed].flatMap(submittedValues);
    expect(values.length).toBeGreaterThan(20);
    for (const value of values) {
      expect(dump, `database holds ${value}`).not.toContain(value);
      expect(logs, `logs hold ${value}`).not.toContain(value);
      expect(metrics, `metrics hold ${value}`).not.toContain(value);
    }
    expect(logs).toContain('"route":"/api/v1/test-results"');
  });
});
