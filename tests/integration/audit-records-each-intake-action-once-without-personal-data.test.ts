import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAudit } from '../../gateway/src/audit/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ audit: { sealIntervalMs: 100 } });
});
afterAll(() => h.close());

/** Every personal or health value of a submission (strings of 4+ characters). */
function submittedValues(body: { patient: unknown; test: { result: string }; externalRef?: string }): string[] {
  const out: string[] = [body.test.result, ...(body.externalRef ? [body.externalRef] : [])];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(body.patient);
  return out;
}

describe('the audit log of intake', () => {
  it('records each create, status read, list read and delivery exactly once, and no submitted value anywhere', async () => {
    const bodies = [syntheticResult({ externalRef: 'LGO-AUDIT-000001' }), syntheticResult({ patient: { email: 'audit.secret@example.org' } })];
    const ids: string[] = [];
    for (const body of bodies) {
      const r = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    await eventually(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status));
      return statuses.every((s) => s === 'delivered') ? true : undefined;
    });
    const reads = await h.db.owner.selectFrom('audit_events').select(sql<number>`count(*)::int`.as('n')).where('action', '=', 'result.read-status').executeTakeFirstOrThrow();
    const list = await h.call(PHARMACY_A, 'GET', '/api/v1/test-results');
    expect(list.status).toBe(200);

    const events = await h.db.owner.selectFrom('audit_events').selectAll().where('object_id', 'in', ids).execute();
    const count = (action: string, id: string) => events.filter((e) => e.action === action && e.object_id === id).length;
    for (const id of ids) {
      expect(count('result.create', id)).toBe(1);
      expect(count('result.list-status', id)).toBe(1);
      expect(count('result.deliver.original', id)).toBe(1);
      expect(events.find((e) => e.action === 'result.deliver.original' && e.object_id === id)?.reason).toBe('delivery');
    }
    expect(events.filter((e) => e.action === 'result.read-status')).toHaveLength(reads.n);
    expect(events.find((e) => e.action === 'result.create')).toMatchObject({ actor_type: 'pharmacy', outcome: 'success', request_id: expect.any(String) });

    // Sealed and copied out: search the events, the checkpoints, the sink and an export.
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE xact_id >= coalesce((SELECT max(xact_to) FROM audit_checkpoints), '0'::xid8)`.execute(h.db.owner);
      return rows[0]?.n === 0 ? true : undefined;
    });
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM audit_events`.execute(h.db.owner);
    const checkpoints = await sql<Record<string, unknown>>`SELECT number, xact_from, xact_to, seqs, root, prev, body, signature FROM audit_checkpoints`.execute(h.db.owner);
    let exported = '';
    await exportAudit(h.db.owner, {}, (line) => {
      exported += line;
    });
    const haystack = [JSON.stringify(rows), JSON.stringify(checkpoints.rows), await readFile(path.join(h.dir, 'audit-sink.jsonl'), 'utf8'), exported].join('\n');
    for (const value of bodies.flatMap(submittedValues)) expect(haystack).not.toContain(value);
    expect(exported).toContain(ids[0]); // the search does look at the events
  });
});
