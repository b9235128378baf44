import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * HTTP fuzz against the running intake listener: the JSON body reader, the Idempotency-Key
 * header, the list query and its cursor, and the correction and cancellation envelopes.
 * Invariants: never a 5xx, every refusal is problem+json, no submitted marker is echoed, the
 * process keeps serving. `FUZZ_RUNS` raises the count for the long run (≥ 10,000 in all).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20211231);
/** Put into every generated value; an answer containing it echoes input. */
const MARKER = 'Zq7echo';

let h: Harness;
let original: string;

beforeAll(async () => {
  h = await startHarness({ intake: { ratePerSecond: 100_000, rateBurst: 100_000 } as never });
  const first = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
  expect(first.status).toBe(202);
  original = first.body.id;
});
afterAll(() => h?.close());

async function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: Buffer | string) {
  const res = await request(`${h.intakeUrl}${path}`, { method, dispatcher: h.client(PHARMACY_A), headers, body });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text: await res.body.text() };
}

function checkAnswer(a: { status: number; type: string; text: string }): void {
  // on a 5xx, the gateway's own account of it (error name and code only: no input in logs)
  expect(a.status, h.logs.filter((l) => l.includes('unhandled error')).at(-1) ?? a.text).toBeLessThan(500);
  expect(a.text).not.toContain(MARKER);
  if (a.status >= 400) expect(a.type).toContain('application/problem+json');
}

const marked = fc.string({ maxLength: 40 }).map((s) => `${MARKER}${s}`);
/** Keys: a pointer names the submitted key by design (`/foo` unknown-field), so keys carry no marker. */
const key = fc.string({ maxLength: 12 });
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, marked, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
})).value;
/** A valid body with one field replaced by an arbitrary value. */
const mutatedResult = fc.tuple(fc.constantFrom('patient', 'test', 'performer'), fc.nat(), jsonish).map(([section, pick, value]) => {
  const body = syntheticResult() as unknown as Record<string, Record<string, unknown>>;
  const part = body[section] as Record<string, unknown>;
  const fields = Object.keys(part);
  part[fields[pick % fields.length] as string] = value;
  return JSON.stringify(body);
});
const rawBody = fc.oneof(
  jsonish.map((v) => JSON.stringify(v)),
  mutatedResult,
  marked,
  fc.nat({ max: 2_000 }).map((depth) => `${'['.repeat(depth)}"${MARKER}"${']'.repeat(depth)}`),
  fc.nat({ max: 100 }).map((kb) => JSON.stringify({ patient: { lastName: `${MARKER}${'x'.repeat(kb * 1024)}` } })),
  // invalid UTF-8 sequences inside a string
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((bytes) => Buffer.concat([Buffer.from(`{"k":"${MARKER}`), Buffer.from(bytes), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])),
);
const contentType = fc.oneof(fc.constant('application/json'), fc.constant('application/json; charset=utf-8'), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'APPLICATION/JSON', ''), marked);
const idempotencyKey = fc.oneof(fc.uuid(), marked, fc.constant(''), fc.string({ maxLength: 64 }).filter((s) => /^[\x21-\x7e]*$/.test(s)));

describe('intake HTTP fuzz', () => {
  it('submissions: random and mutated JSON, content types, invalid UTF-8, nesting, sizes, keys', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, idempotencyKey, async (body, type, key) => {
        const headers: Record<string, string> = { 'idempotency-key': key };
        if (type) headers['content-type'] = type;
        checkAnswer(await send('POST', '/api/v1/test-results', headers, body));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('list queries and cursors', async () => {
    const param = fc.oneof(marked, fc.string({ maxLength: 30 }), fc.constantFrom('delivered,received', '2021-12-31T14:00:00Z', '500', '501', '-1', '0x10'));
    // extended years (`+010000-…`) included: they once reached Postgres and answered 500
    const cursor = fc.oneof(param,
    fc.tuple(fc.oneof(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()), marked), fc.oneof(fc.uuid(), marked)).map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')));
    const query = fc.record({ status: param, since: param, limit: param, cursor }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const a = await send('GET', `/api/v1/test-results?${new URLSearchParams(q)}`, {});
        checkAnswer(a);
        if (a.status === 200) expect(Object.keys(JSON.parse(a.text)).sort()).toEqual(['items', 'nextCursor']);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('correction and cancellation envelopes', async () => {
    const envelope = fc.oneof(
      jsonish,
      fc.record({ reason: fc.oneof(marked, fc.constantFrom('data-entry-error', 'entered-in-error'), jsonish), result: fc.oneof(jsonish, mutatedResult.map((s) => JSON.parse(s) as unknown)) }, { requiredKeys: [] }),
    );
    const target = fc.oneof(fc.constant('original'), fc.uuid(), marked);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('corrections', 'cancellation'), target, envelope, idempotencyKey, async (kind, id, body, key) => {
        const path = `/api/v1/test-results/${encodeURIComponent(id === 'original' ? original : id)}/${kind}`;
        checkAnswer(await send('POST', path, { 'content-type': 'application/json', 'idempotency-key': key }, JSON.stringify(body)));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('keeps serving valid submissions afterwards', async () => {
    const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(202);
  });
});
