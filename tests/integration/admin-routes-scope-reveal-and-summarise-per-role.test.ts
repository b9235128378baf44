import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../gateway/src/admin/routes.js';
import { appendAuditNow } from '../../gateway/src/audit/index.js';
import { createRateLimiter, createRefusedTraffic, jsonBody, onError, requestId } from '../../gateway/src/http/index.js';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import { createSessionStore, SESSION_COOKIE } from '../../gateway/src/auth/sessions.js';
import { parseSettings } from '../../gateway/src/config/index.js';
import { createDataKeyProvider, createDataKeyStore, createKeyManagerGuard, openLocalKeyring, type KeyManagerGuard } from '../../gateway/src/keys/index.js';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';
import { createResultSealer } from '../../gateway/src/results/lifecycle/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../../gateway/src/results/index.js';
import { csrfTokenFor } from '../../gateway/src/auth/csrf.js';
import { syntheticResult } from '../support/synthetic-result.js';
import type { Role } from '../../gateway/src/db/index.js';
import { createLogger, createMetrics } from '../../gateway/src/observability/index.js';
import { authorize } from '../../gateway/src/web/access.js';
import type { WebEnv } from '../../gateway/src/web/env.js';
import { RUNTIME_TEST_PASSWORD } from '../support/database-names.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * What the admin routes answer each role of DESIGN.md "People and rights" (scope, reveal,
 * statistics, system summary), through the web listener's own `authorize` (session cookie →
 * live enrolments → rights) and the real queries, runtime role, audit and problem mapping.
 * Only OIDC is skipped: sessions are opened directly in the session store. The rights `/me`
 * tells each role are the web matrix's (`web-authorization-matrix-covers-every-web-route`).
 */
let db: TestDatabase;
let app: Hono<WebEnv>;
let own: string;
let other: string;
let ownResult: string;
let otherResult: string;
const cookies = new Map<string, string>();
let keyringDir: string | undefined;
let guard: KeyManagerGuard | undefined;
let sealedResult: string;

const settingsFor = (databaseUrl: string) => parseSettings({
  profile: 'demo',
  database: { url: databaseUrl },
  intake: { certFile: '/x/cert.pem', keyFile: '/x/key.pem', clientCaFile: '/x/ca.pem' },
  metrics: { tokenFile: '/x/token' },
  keyManager: { kind: 'local', localKeyringFile: '/x/keyring.json' },
  sidep: { url: 'https://user:pw@sidep.example/fhir?token=t', caFile: '/x/ca', certFile: '/x/c', keyFile: '/x/k' },
  relay: {},
  retention: {},
  validation: {},
});

const ROLES: Role[] = ['pharmacist', 'pharmacy-manager', 'operator', 'chain-admin', 'auditor'];
const PERSONS = [...ROLES, 'manager-elsewhere', 'nobody'];

// what @hono/node-server would pass: the web routes read the client address from the socket
const ENV = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

/** A GET as a signed-in person, with the id placeholder filled in. */
function get(path: string, person: string): Promise<Response> {
  const headers = { cookie: `${SESSION_COOKIE}=${cookies.get(person)}` };
  return Promise.resolve(app.request(path.replace('{id}', ownResult), { headers }, ENV));
}


beforeAll(async () => {
  db = await testDatabase();
  [own, other] = (await Promise.all(
    ['759999907', '759999915'].map(async (finess) => (await db.owner.insertInto('pharmacies').values({ finess, name: `Pharmacie ${finess}` }).returning('id').executeTakeFirstOrThrow()).id),
  )) as [string, string];
  ownResult = randomUUID();
  otherResult = randomUUID();
  await db.owner.insertInto('test_results').values([
    { id: ownResult, pharmacy_id: own, status: 'received' },
    { id: otherResult, pharmacy_id: other, status: 'delivered' },
  ]).execute();
  const sessions = createSessionStore({ db: db.runtime, idleMs: 3_600_000, maxMs: 3_600_000 });
  const expiresAt = new Date(Date.now() + 86_400_000);
  const actor = { type: 'system' as const, id: 'test' };
  for (const person of PERSONS) {
    const role = person === 'manager-elsewhere' ? 'pharmacy-manager' : person;
    if (person !== 'nobody') {
      const pharmacy = role === 'pharmacist' || role === 'pharmacy-manager' ? (person === 'manager-elsewhere' ? '759999915' : '759999907') : undefined;
      await enrol(db.owner, { issuer: 'test', subject: person, role, pharmacy, expiresAt, actor });
    }
    const { token } = await sessions.open('test', { subject: person, rpps: null, finess: null, mfa: true, acr: null });
    cookies.set(person, token);
  }
  keyringDir = await mkdtemp(path.join(os.tmpdir(), 'admin-routes-'));
  const keys = await openLocalKeyring(path.join(keyringDir, 'keyring.json'), { create: true });
  guard = createKeyManagerGuard({ keys });
  await guard.start();
  const dataKeys = createDataKeyProvider({ keys, store: createDataKeyStore(db.runtime), guard, windowMs: 3_600_000, ttlMs: 60_000 });
  const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: createBlindIndex(await keys.blindIndexKeys()) });
  // a sealed result of the first pharmacy, as intake would store it
  sealedResult = randomUUID();
  const input = parseIntake(createIntakeSchema({ now: () => new Date() }), syntheticResult());
  const { sealed, dataKeyId } = await sealer.seal({ result: input }, { resultId: sealedResult, pharmacyId: own });
  await db.owner.insertInto('test_results').values({ id: sealedResult, pharmacy_id: own, status: 'delivered', sealed, data_key_id: dataKeyId }).execute();
  const api = createAdminApi({ db: db.runtime, settings: settingsFor(db.runtimeUrl), keys, sealer, metrics: createMetrics(), jsonBody: jsonBody({ limit: 65_536 }), keyManagerAvailable: () => true, receipts: { receipt: () => Promise.reject(new Error('receipts are tested with their signer elsewhere')) } });
  app = new Hono<WebEnv>();
  app.use(requestId());
  const refused = createRefusedTraffic({ limiter: createRateLimiter({ ratePerSecond: 1, burst: 120 }), append: (events) => appendAuditNow(db.runtime, events), log: createLogger({ level: 'silent' }) });
  const deps = { db: db.runtime, sessions, publicOrigin: 'https://localhost', refused };
  for (const r of api.routes) app.on(r.method, r.path, authorize(deps, r.access));
  app.route('/', api.app);
  app.onError(onError({ log: createLogger({ level: 'silent' }) }));
});

afterAll(async () => {
  guard?.stop();
  await db?.drop();
  if (keyringDir) await rm(keyringDir, { recursive: true, force: true });
});

// Who reaches each route, anonymous and expired sessions included, is the web matrix's
// (`web-authorization-matrix-covers-every-web-route.test.ts`); here, what each route answers.
describe('admin routes', () => {
  /** A reveal as a signed-in person, with their CSRF token. */
  const reveal = (id: string, person: string, body: unknown) => {
    const token = cookies.get(person) as string;
    const headers = { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrfTokenFor(token) };
    return Promise.resolve(app.request(`/api/web/v1/test-results/${id}/reveal`, { method: 'POST', headers, body: JSON.stringify(body) }, ENV));
  };

  it('reveals names, birth date and test for a stated purpose, audited, and never NIR or contact', async () => {
    const res = await reveal(sealedResult, 'pharmacist', { purpose: 'patient-request' });
    const body = (await res.json()) as { patient: Record<string, unknown>; test: Record<string, unknown> };
    for (const key of Object.keys(body.patient)) expect(['birthName', 'firstNames', 'usedName', 'birthDate', 'sex']).toContain(key);
    expect(body.patient.birthName).toBeTruthy();
    expect(JSON.stringify(body)).not.toMatch(/nir|phone|email|address/i);
    const events = await db.owner.selectFrom('audit_events').selectAll().where('action', '=', 'result.reveal').where('actor_id', '=', 'test:pharmacist').execute();
    expect(events.map((e) => e.reason)).toContain('patient-request');
    expect(events[0]).toMatchObject({ object_id: sealedResult, outcome: 'success' });
  });

  it('refuses a reveal without a known purpose, and another pharmacy’s or an unknown result as not found', async () => {
    expect((await reveal(sealedResult, 'pharmacist', {})).status).toBe(422);
    expect((await reveal(sealedResult, 'pharmacist', { purpose: 'curiosity' })).status).toBe(422);
    expect((await reveal(sealedResult, 'pharmacist', { purpose: 'receipt-reprint', note: 'x' })).status).toBe(422);
    expect((await reveal(sealedResult, 'manager-elsewhere', { purpose: 'receipt-reprint' })).status).toBe(404);
    expect((await reveal(randomUUID(), 'pharmacist', { purpose: 'receipt-reprint' })).status).toBe(404);
    expect((await reveal(ownResult, 'pharmacist', { purpose: 'receipt-reprint' })).status).toBe(404); // nothing sealed (purged)
  });

  it('refuses a person without enrolment, and audits each refusal', async () => {
    const res = await get('/api/web/v1/admin/results', 'nobody');
    expect(res.status).toBe(403);
    const denied = await db.owner.selectFrom('audit_events').selectAll().where('action', '=', 'GET /api/web/v1/admin/results').where('actor_id', '=', 'test:nobody').execute();
    expect(denied[0]).toMatchObject({ actor_type: 'user', outcome: 'denied', reason: 'forbidden' });
  });

  it('keeps a pharmacy manager to their own pharmacies: another one’s result is not found, and absent from lists and statistics', async () => {
    expect((await get('/api/web/v1/admin/results/{id}', 'manager-elsewhere')).status).toBe(404);
    const list = (await (await get('/api/web/v1/admin/results', 'pharmacy-manager')).json()) as { items: { id: string }[] };
    expect(list.items.map((r) => r.id).sort()).toEqual([ownResult, sealedResult].sort());
    const mine = (await (await get('/api/web/v1/admin/pharmacies', 'manager-elsewhere')).json()) as { items: { finess: string }[] };
    expect(mine.items.map((p) => p.finess)).toEqual(['759999915']);
    const stats = (await (await get('/api/web/v1/admin/statistics', 'manager-elsewhere')).json()) as { rows: { finess: string }[] };
    expect(stats.rows.map((r) => r.finess)).toEqual(['759999915']);
    const chain = (await (await get('/api/web/v1/admin/statistics', 'auditor')).json()) as { rows: { finess: string }[] };
    expect(chain.rows.map((r) => r.finess)).toEqual(['759999907', '759999915']);
    const pharmacies = (await (await get('/api/web/v1/pharmacies', 'pharmacist')).json()) as { items: { finess: string; name: string }[] };
    expect(pharmacies.items).toEqual([{ id: own, finess: '759999907', name: 'Pharmacie 759999907', active: true }]);
  });

  it('exports statistics as an attachment CSV with a header line, and audits the export', async () => {
    const res = await get('/api/web/v1/admin/statistics?format=csv', 'chain-admin');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="statistics-day-/);
    expect((await res.text()).split('\r\n')[0]).toBe('finess,name,period,total,delivered,cancelled,deadLettered,corrections,positive,negative,invalid');
    const exported = await db.owner.selectFrom('audit_events').selectAll().where('action', '=', 'statistics.export').where('actor_id', '=', 'test:chain-admin').execute();
    expect(exported.map((e) => e.reason)).toContain('day');
  });

  it('answers a bad statistics query with pointers, not values', async () => {
    const res = await get('/api/web/v1/admin/statistics?period=week&from=2025-02-30', 'operator');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { pointer: string }[] };
    expect(body.errors.map((e) => e.pointer).sort()).toEqual(['/from', '/period']);
    expect(JSON.stringify(body)).not.toMatch(/week|2025-02-30/);
  });

  it('summarises the system with doctor’s checks, without a secret or a credential', async () => {
    const body = await (await get('/api/web/v1/admin/system', 'operator')).text();
    const summary = JSON.parse(body) as { checks: { id: string; status: string }[]; config: { key: string; value: unknown }[]; keys: unknown };
    expect(summary.checks.find((c) => c.id === 'database.reachable')).toMatchObject({ status: 'ok' });
    expect(summary.checks.find((c) => c.id === 'key-manager.available')).toMatchObject({ status: 'ok' });
    expect(summary.config).toContainEqual({ key: 'sidep.origin', value: 'https://sidep.example' });
    expect(summary.keys).toEqual({ kind: 'local', current: 1, minDecryption: 1, inUse: [{ version: 1, dataKeys: 1, records: 1 }] });
    for (const secret of [RUNTIME_TEST_PASSWORD, 'pw@', 'token=t']) expect(body).not.toContain(secret);
    // the configuration names no file and no database
    expect(JSON.stringify(summary.config)).not.toMatch(/\/x\/|postgres/);
  });
});
