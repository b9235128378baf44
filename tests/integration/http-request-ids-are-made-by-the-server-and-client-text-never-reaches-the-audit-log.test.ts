import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUuid } from '../../gateway/src/uuid.js';
import { PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

/** What a client put in its X-Request-Id: personal data, which an audit row could never forget. */
const CHOSEN = 'NIR-185036912345609-DUPONT.Jean';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const submit = (name: string, requestId: string) => h.call(name, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID(), 'x-request-id': requestId } });

describe('request ids', () => {
  it("are the server's own: a client's X-Request-Id reaches neither the audit log nor the logs", async () => {
    const accepted = await submit(PHARMACY_A, CHOSEN);
    expect(accepted.status).toBe(202);
    expect((await submit('unregistered', CHOSEN)).status).toBe(401);
    const id = accepted.headers['x-request-id'] as string;
    expect(isUuid(id)).toBe(true);

    await h.restartGateway(); // writes the refusals still counted in memory
    const rows = await h.db.owner.selectFrom('audit_events').selectAll().execute();
    expect(rows).toContainEqual(expect.objectContaining({ action: 'result.create', outcome: 'success', request_id: id }));
    expect(rows).toContainEqual(expect.objectContaining({ action: 'authenticate', outcome: 'denied' }));
    const logs = h.logs.join('\n');
    for (const text of [CHOSEN, '185036912345609', 'DUPONT']) {
      expect(JSON.stringify(rows)).not.toContain(text);
      expect(logs).not.toContain(text);
    }
  });

  it("keep a client's UUID only beside the server's in the access log, never in an audit row", async () => {
    const correlation = randomUUID();
    const accepted = await submit(PHARMACY_A, correlation);
    expect(accepted.status).toBe(202);
    const id = accepted.headers['x-request-id'] as string;
    expect(id).not.toBe(correlation);

    const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.requestId === id);
    expect(line).toMatchObject({ clientRequestId: correlation, route: '/api/v1/test-results', status: 202 });
    const rows = await h.db.owner.selectFrom('audit_events').selectAll().execute();
    expect(rows).toContainEqual(expect.objectContaining({ action: 'result.create', request_id: id }));
    expect(JSON.stringify(rows)).not.toContain(correlation);
  });
});
