import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDevCa, issueClientCertificate, certificateFingerprint } from '../../gateway/src/pki/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Opens a raw TLS connection and sends one request; resolves to the status line or the failure. */
function rawRequest(o: { cert?: string; key?: string; path?: string; maxVersion?: tls.SecureVersion; minVersion?: tls.SecureVersion }): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: h.gateway.intakePort,
      servername: 'localhost',
      ca: h.pki.ca.certPem,
      ...(o.cert ? { cert: o.cert, key: o.key } : {}),
      ...(o.maxVersion ? { maxVersion: o.maxVersion, minVersion: o.minVersion ?? 'TLSv1' } : {}),
    });
    let data = '';
    socket.on('secureConnect', () => socket.write(`GET ${o.path ?? '/api/v1/test-results'} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    socket.on('data', (d) => (data += d));
    socket.on('error', (e) => resolve(`refused: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    socket.on('close', () => resolve(data ? data.split('\r\n')[0] as string : 'refused: closed'));
  });
}

/** Every route of the intake listener; each must refuse anyone not a registered pharmacy. */
const ROUTES = [
  ['POST', '/api/v1/test-results'],
  ['GET', '/api/v1/test-results'],
  ['GET', `/api/v1/test-results/${randomUUID()}`],
  ['POST', `/api/v1/test-results/${randomUUID()}/corrections`],
  ['POST', `/api/v1/test-results/${randomUUID()}/cancellation`],
  ['GET', '/api/v1/openapi.json'],
  ['POST', '/api/v1/counter-prefills'],
  ['GET', '/'],
] as const;

describe('the intake listener', () => {
  it('refuses the handshake of a client without a certificate', async () => {
    expect(await rawRequest({})).toMatch(/^refused/);
  });

  it('refuses the handshake of a certificate from another CA', async () => {
    const foreignCa = await createDevCa();
    const foreign = await issueClientCertificate(foreignCa, { commonName: PHARMACY_A });
    expect(await rawRequest({ cert: foreign.certPem, key: foreign.keyPem })).toMatch(/^refused/);
  });

  it('refuses TLS 1.1 even with a valid certificate', async () => {
    const c = h.pki.clients[PHARMACY_A] as { certPem: string; keyPem: string };
    expect(await rawRequest({ cert: c.certPem, key: c.keyPem, maxVersion: 'TLSv1.1' })).toMatch(/^refused/);
  });

  it('answers 401 on every route to a CA-signed certificate that no pharmacy holds', async () => {
    for (const [method, path] of ROUTES) {
      const res = await h.call('unregistered', method, path, { body: {}, headers: { 'idempotency-key': randomUUID() } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toMatchObject({ type: 'urn:sidep-gateway:problem:unauthenticated', status: 401 });
    }
  });

  it('answers 401 before reading the body, and records the failure in the audit log, counted per source and minute', async () => {
    const res = await h.call('unregistered', 'POST', '/api/v1/test-results', { rawBody: 'x'.repeat(1_000_000), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    const events = await h.db.owner.selectFrom('audit_events').selectAll().where('action', '=', 'authenticate').where('outcome', '=', 'denied').execute();
    expect(events).toContainEqual(expect.objectContaining({ actor_type: 'anonymous', reason: 'unauthenticated', object_type: 'request-count', source_ip: expect.stringContaining('127.0.0.1') }));
  });

  it('answers 401 once a certificate is revoked, and once its pharmacy is deactivated', async () => {
    await h.db.owner.insertInto('pharmacies').values({ finess: '759999923', name: 'Temporaire' }).execute();
    const ca = { certPem: h.pki.ca.certPem, keyPem: h.pki.ca.keyPem };
    const issued = await issueClientCertificate(ca, { commonName: 'temporary' });
    const pharmacy = await h.db.owner.selectFrom('pharmacies').select('id').where('finess', '=', '759999923').executeTakeFirstOrThrow();
    const fingerprint = certificateFingerprint(issued.certPem);
    await h.db.owner.insertInto('client_certificates').values({ fingerprint, pharmacy_id: pharmacy.id, subject: 'temporary', not_after: new Date(Date.now() + 86_400_000), revoked_at: null }).execute();
    expect(await rawRequest({ cert: issued.certPem, key: issued.keyPem, path: '/api/v1/test-results' })).toMatch(/ 200 /);

    await h.db.owner.updateTable('client_certificates').set({ revoked_at: sql`now()` }).where('fingerprint', '=', fingerprint).execute();
    await h.restartGateway(); // the certificate cache holds answers for a few seconds
    expect(await rawRequest({ cert: issued.certPem, key: issued.keyPem })).toMatch(/ 401 /);

    await h.db.owner.updateTable('client_certificates').set({ revoked_at: null }).where('fingerprint', '=', fingerprint).execute();
    await h.db.owner.updateTable('pharmacies').set({ active: false }).where('id', '=', pharmacy.id).execute();
    await h.restartGateway();
    expect(await rawRequest({ cert: issued.certPem, key: issued.keyPem })).toMatch(/ 401 /);
  });

  it("answers 404 for another pharmacy's result, on read, correction and cancellation", async () => {
    const mine = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
    expect(mine.status).toBe(202);
    const id = mine.body.id;
    expect((await h.call(PHARMACY_B, 'GET', `/api/v1/test-results/${id}`)).status).toBe(404);
    const correction = await h.call(PHARMACY_B, 'POST', `/api/v1/test-results/${id}/corrections`, { body: { reason: 'wrong-result', result: syntheticResult({ pharmacyFiness: PHARMACY_B }) }, headers: { 'idempotency-key': randomUUID() } });
    expect(correction.status).toBe(404);
    const cancel = await h.call(PHARMACY_B, 'POST', `/api/v1/test-results/${id}/cancellation`, { body: { reason: 'entered-in-error' }, headers: { 'idempotency-key': randomUUID() } });
    expect(cancel.status).toBe(404);
    const list = await h.call(PHARMACY_B, 'GET', '/api/v1/test-results?limit=500');
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
  });

  it('answers 404 for an id that is not a UUID', async () => {
    expect((await h.call(PHARMACY_A, 'GET', '/api/v1/test-results/1 OR 1=1')).status).toBe(404);
    expect((await h.call(PHARMACY_A, 'GET', '/api/v1/test-results/..%2F..%2Fetc')).status).toBe(404);
  });

  it('answers 403 finess-mismatch when a pharmacy submits for another, and audits it', async () => {
    const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_B }), headers: { 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('finess-mismatch');
    const denied = await h.db.owner.selectFrom('audit_events').select('reason').where('outcome', '=', 'denied').where('reason', '=', 'finess-mismatch').execute();
    expect(denied.length).toBeGreaterThan(0);
  });
});
