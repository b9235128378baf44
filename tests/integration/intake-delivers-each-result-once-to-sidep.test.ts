import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const submit = (body: unknown, key = randomUUID(), who = PHARMACY_A) =>
  h.call(who, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': key } });

const delivered = (id: string) =>
  eventually(async () => {
    const r = await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`);
    return r.body.status === 'delivered' ? r.body : undefined;
  });

describe('a submitted result', () => {
  it('is accepted with 202 after commit, delivered to SI-DEP once, and acknowledged', async () => {
    const res = await submit(syntheticResult());
    expect(res.status).toBe(202);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ id: expect.any(String), status: 'received', statusUrl: `/api/v1/test-results/${res.body.id}` });

    const status = await delivered(res.body.id);
    expect(status).toMatchObject({ id: res.body.id, status: 'delivered', attempts: 1, problem: null, purgedAt: null, supersededBy: null, nextAttemptAt: null });
    expect(status.sidepAckId).toEqual(expect.any(String));
    expect(Date.parse(status.deliveredAt)).toBeGreaterThanOrEqual(Date.parse(status.receivedAt));

    const row = await h.db.owner.selectFrom('outbox_messages').select(['id']).where('result_id', '=', res.body.id).executeTakeFirstOrThrow();
    const journal: { messageId: string }[] = await h.simulatorControl('GET', '/_control/journal');
    expect(journal.filter((e) => e.messageId === row.id)).toHaveLength(1);
  });

  it('replays the first answer for a repeated Idempotency-Key and is delivered only once', async () => {
    const body = syntheticResult();
    const key = randomUUID();
    const first = await submit(body, key);
    const again = await submit(body, key);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    await delivered(first.body.id);
    const count = await h.db.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).where('id', '=', first.body.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const messages = await h.db.owner.selectFrom('outbox_messages').select('id').where('result_id', '=', first.body.id).execute();
    expect(messages).toHaveLength(1);
  });

  it('waits for a concurrent request with the same key and replays its answer', async () => {
    const body = syntheticResult();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => submit(body, key)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  });

  it('answers 409 idempotency-conflict for the same key with another body', async () => {
    const key = randomUUID();
    expect((await submit(syntheticResult(), key)).status).toBe(202);
    const other = await submit(syntheticResult(), key);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ type: 'urn:sidep-gateway:problem:idempotency-conflict', code: 'idempotency-conflict' });
  });

  it('answers 409 duplicate-result naming the existing id for the same person, test and minute under a new key', async () => {
    const body = syntheticResult();
    const first = await submit(body);
    const again = await submit(body);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'duplicate-result', existingId: first.body.id });
  });

  it('lists the pharmacy\'s results by status and since, paginated with a cursor', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(syntheticResult())).body.id);
    await Promise.all(ids.map(delivered));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?status=delivered&since=${encodeURIComponent(since)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await h.call(PHARMACY_A, 'GET', `/api/v1/test-results${q}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) expect(item.status).toBe('delivered');
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses list parameters it does not understand with pointers', async () => {
    const res = await h.call(PHARMACY_A, 'GET', '/api/v1/test-results?status=lost&limit=9999&since=yesterday');
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/limit', '/since', '/status']);
    for (const at of ['2026-13-45 10:00:00+00', '+010000-01-01T00:00:00.000Z', '2026-02-31 10:00:00+00']) {
      const cursor = Buffer.from(`${at}|${randomUUID()}`).toString('base64url');
      const page = await h.call(PHARMACY_A, 'GET', `/api/v1/test-results?cursor=${cursor}`);
      expect(page.status, at).toBe(422);
      expect(page.body.errors).toEqual([{ pointer: '/cursor', code: 'invalid-type' }]);
    }
  });

  it('answers 404 to a correction or cancellation of an id that is not a UUID', async () => {
    for (const path of ['/api/v1/test-results/Zq7echo/cancellation', '/api/v1/test-results/Zq7echo/corrections']) {
      const res = await h.call(PHARMACY_A, 'POST', path, { body: { reason: 'entered-in-error' }, headers: { 'idempotency-key': randomUUID() } });
      expect(res.status).toBe(404);
    }
  });

  it('refuses a body nested deeper than any submission as malformed, without failing', async () => {
    const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { rawBody: `${'['.repeat(5000)}${']'.repeat(5000)}`, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('malformed-json');
  });
});
