import { describe, expect, it } from 'vitest';
import { PHARMACY_A } from '../support/gateway-harness.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * A listing of results is a read of each result it shows: intake's, the web's results API and
 * the admin UI's results page each write one `result.list-status` event per result listed, as
 * whoever listed, through one audit path (`auditResultReads`).
 */
const w = webHarnessWithAResult();
const { as } = webApiCalls(w);

/** The results each request listed, as its audit events name them. */
async function listedInAudit(requestId: string) {
  const rows = await w().h.db.owner.selectFrom('audit_events').select(['action', 'actor_type', 'actor_id', 'object_type', 'object_id', 'outcome', 'request_id']).where('request_id', '=', requestId).execute();
  return rows.filter((r) => r.action === 'result.list-status');
}

describe('listing results', () => {
  it('audits each result shown, on intake, the web results API and the admin results page alike', async () => {
    const { h, person } = w();
    const intake = await h.call(PHARMACY_A, 'GET', '/api/v1/test-results?limit=10');
    expect(intake.status).toBe(200);
    const shown = (intake.body.items as { id: string }[]).map((i) => i.id);
    expect(shown.length).toBeGreaterThan(0);
    const intakeEvents = await listedInAudit(intake.headers['x-request-id'] as string);
    expect(intakeEvents.map((e) => e.object_id).sort()).toEqual([...shown].sort());
    expect(intakeEvents.every((e) => e.actor_type === 'pharmacy' && e.object_type === 'test-result' && e.outcome === 'success')).toBe(true);

    const people = { pharmacien1: `/api/web/v1/test-results?pharmacy=${PHARMACY_A}&limit=10`, titulaire1: '/api/web/v1/admin/results' };
    for (const [who, path] of Object.entries(people)) {
      const res = await as(who, 'GET', path);
      expect(res.status, path).toBe(200);
      const ids = (res.json().items as { id: string }[]).map((i) => i.id);
      expect(ids, path).toEqual(expect.arrayContaining(shown));
      const events = await listedInAudit(res.headers['x-request-id'] as string);
      expect(events.map((e) => e.object_id).sort(), path).toEqual([...ids].sort());
      for (const e of events) expect(e, path).toMatchObject({ actor_type: 'user', actor_id: `dev:${person(who).subject}`, object_type: 'test-result', outcome: 'success' });
    }
  });
});
