import { describe, expect, it } from 'vitest';
import type { AuditEventsPage, AuditVerification } from '../../gateway/src/api-types.js';
import { verifyEventProof, type AuditRecord, type EventProof } from '../../gateway/src/audit/index.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * The audit page's API over the real web listener (OIDC sign-in, TLS, runtime role, sealer):
 * what the auditor finds, verifies and exports, and the audit trail of each. Who reaches each
 * route (DESIGN.md "People and rights") is the web matrix's:
 * `web-authorization-matrix-covers-every-web-route.test.ts`.
 */
const w = webHarnessWithAResult();
const { as, finished } = webApiCalls(w);

/** Waits until every event so far is sealed and copied to the sink. */
async function sealed(): Promise<void> {
  const target = (await w().h.db.owner.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirstOrThrow()).seq as string;
  for (;;) {
    const cp = await w().h.db.owner.selectFrom('audit_checkpoints').select('seqs').orderBy('number', 'desc').limit(1).executeTakeFirst();
    const copied = await w().h.db.owner.selectFrom('audit_sink_copies').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
    if (cp && cp.seqs.some((s) => BigInt(s) >= BigInt(target)) && copied?.n) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}


describe('the auditor', () => {
  it('finds events by outcome and action, newest first, page by page', async () => {
    await as('exploitant', 'GET', '/api/web/v1/admin/audit/events');
    const refusal = 'GET /api/web/v1/admin/audit/events';
    const denied = (await as('auditeur', 'GET', `/api/web/v1/admin/audit/events?outcome=denied&action=${encodeURIComponent(refusal)}`)).json() as AuditEventsPage;
    expect(denied.items.length).toBeGreaterThan(0);
    expect(denied.items.some((e) => e.actor.id === `dev:${w().person('exploitant').subject}`)).toBe(true);
    expect(denied.items.every((e) => e.outcome === 'denied' && e.action === refusal)).toBe(true);
    const first = (await as('auditeur', 'GET', '/api/web/v1/admin/audit/events?limit=2')).json() as AuditEventsPage;
    expect(first.items).toHaveLength(2);
    expect(BigInt(first.items[0]?.seq as string)).toBeGreaterThan(BigInt(first.items[1]?.seq as string));
    const next = (await as('auditeur', 'GET', `/api/web/v1/admin/audit/events?limit=2&cursor=${first.nextCursor as string}`)).json() as AuditEventsPage;
    expect(BigInt(next.items[0]?.seq as string)).toBeLessThan(BigInt(first.items[1]?.seq as string));
  });

  it('refuses a malformed search naming each field, without echoing values', async () => {
    const res = await as('auditeur', 'GET', '/api/web/v1/admin/audit/events?outcome=maybe&since=yesterday&limit=9999&nir=123');
    expect(res.status).toBe(422);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/limit', '/nir', '/outcome', '/since']);
    expect(res.text).not.toContain('yesterday');
  });

  it('runs a verification in the background that passes against the sink', async () => {
    await sealed();
    const start = await as('auditeur', 'POST', '/api/web/v1/admin/audit/verifications');
    expect(start.status).toBe(202);
    const job = await finished<AuditVerification>('auditeur', `/api/web/v1/admin/audit/verifications/${start.json().id as string}`);
    expect(job).toMatchObject({ state: 'succeeded', result: { fault: null, againstSink: true } });
    expect(job.result?.checkpoints).toBeGreaterThan(0);
    expect(job.done).toBe(job.total);
    // the job is the auditor's alone: a non-auditor reaches no verification
    expect((await as('admin', 'GET', `/api/web/v1/admin/audit/verifications/${job.id}`)).status).toBe(403);
  });

  it('names the first fault when an event was edited', async () => {
    await sealed();
    const victim = await w().h.db.owner.selectFrom('audit_events').select(['seq']).where('action', '=', 'result.create').executeTakeFirstOrThrow();
    await w().h.db.owner.updateTable('audit_events').set({ reason: 'edited' }).where('seq', '=', victim.seq).execute();
    try {
      const start = await as('auditeur', 'POST', '/api/web/v1/admin/audit/verifications');
      const job = await finished<AuditVerification>('auditeur', `/api/web/v1/admin/audit/verifications/${start.json().id as string}`);
      expect(job.result?.fault).toMatchObject({ kind: 'edited', seq: String(victim.seq), check: 'event-leaf' });
    } finally {
      await w().h.db.owner.updateTable('audit_events').set({ reason: null }).where('seq', '=', victim.seq).execute();
    }
  });

  it('exports a range as JSON Lines whose events prove against the public keys', async () => {
    await sealed();
    const res = await as('auditeur', 'GET', `/api/web/v1/admin/audit/export?since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-.*\.jsonl"$/);
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const keys = lines[0]?.keys as Record<number, string>;
    expect(lines[0]?.type).toBe('public-keys');
    const checkpoints = new Map(lines.filter((l) => l.type === 'checkpoint').map((l) => [l.number as number, l]));
    const event = lines.find((l) => l.type === 'event' && l.path !== null) as { event: AuditRecord; checkpoint: number; leafIndex: number; treeSize: number; path: string[] };
    const cp = checkpoints.get(event.checkpoint) as { body: string; keyVersion: number; signature: string };
    const proof: EventProof = { event: event.event, leafIndex: event.leafIndex, treeSize: event.treeSize, path: event.path, checkpoint: { number: event.checkpoint, body: cp.body, keyVersion: cp.keyVersion, signature: cp.signature } };
    expect(verifyEventProof(proof, keys)).toBe(true);
  });

  it('leaves an audit event for each search, verification and export', async () => {
    const rows = await w().h.db.owner.selectFrom('audit_events').select(['action', 'outcome', 'reason']).where('actor_id', '=', `dev:${w().person('auditeur').subject}`).execute();
    expect(rows).toContainEqual({ action: 'audit.search', outcome: 'success', reason: null });
    expect(rows).toContainEqual({ action: 'audit.verify', outcome: 'success', reason: 'started' });
    expect(rows).toContainEqual({ action: 'audit.verify', outcome: 'success', reason: 'ok' });
    expect(rows).toContainEqual({ action: 'audit.verify', outcome: 'failure', reason: 'edited:event-leaf' });
    expect(rows).toContainEqual({ action: 'audit.export', outcome: 'success', reason: null });
  });
});
