import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_TABLE } from '../../gateway/src/app/index.js';
import { addPharmacy, deactivatePharmacy, issueCertificate, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCertificateAuthority, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { eventually, PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { requestOnce } from '../support/mtls-request.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * Every route of the intake listener's table, over real mTLS, against who calls and whose
 * result it names: no certificate (handshake refused), pharmacy A on its own result, A on
 * B's result (404, never 403: existence does not leak), a revoked certificate (handshake
 * refused once the CRL is loaded, else 401: DESIGN "mTLS outcomes" accepts either) and a
 * certificate of a deactivated pharmacy (401). Routes come from the table, so a route added
 * without a row here fails.
 */
type Row = { own: number; other: number };
const MATRIX: Record<string, Row> = {
  // one document for every pharmacy: nothing pharmacy-specific to scope
  'GET /api/v1/openapi.json': { own: 200, other: 200 },
  // "other": A's certificate naming B's FINESS in the body; the caller named it, nothing leaks
  'POST /api/v1/test-results': { own: 202, other: 403 },
  // "other": A lists; B's result is absent (checked below)
  'GET /api/v1/test-results': { own: 200, other: 200 },
  'GET /api/v1/test-results/:id': { own: 200, other: 404 },
  'POST /api/v1/test-results/:id/corrections': { own: 202, other: 404 },
  'POST /api/v1/test-results/:id/cancellation': { own: 202, other: 404 },
  // B's receipt is B's alone; A's result is delivered before the rows run
  'GET /api/v1/test-results/:id/receipt': { own: 200, other: 404 },
  // public keys, the same for every pharmacy
  'GET /.well-known/jwks.json': { own: 200, other: 200 },
  // names no pharmacy: the token is bound to the certificate's (intake-counter-prefill-tokens-…)
  'POST /api/v1/counter-prefills': { own: 201, other: 201 },
};
const ROUTES = ROUTE_TABLE.intake.map((r) => `${r.method} ${r.path}`);

const REVOKED = 'revoked-pharmacy';
const DEACTIVATED = 'deactivated-pharmacy';
const actor = { type: 'user' as const, id: 'cli:tester' };

let h: Harness;
let ca: CertificateAuthority;
/** Results of A and B; A corrects and cancels results of its own made for that row. */
const results: Record<'A' | 'B' | 'A:corrections' | 'A:cancellation', string> = { A: '', B: '', 'A:corrections': '', 'A:cancellation': '' };

const submit = async (finess: string) => (await h.call(finess, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: finess }), headers: { 'idempotency-key': randomUUID() } })).body.id as string;

/** Adds a pharmacy with a certificate issued by the registry, usable as `h.call(name, …)`. */
async function pharmacyWithCertificate(name: string, finess: string): Promise<string> {
  await addPharmacy(h.db.owner, { finess, name: `Pharmacie ${name}`, actor });
  const { certificate, registered } = await issueCertificate(h.db.owner, ca, { pharmacy: finess, actor });
  h.pki.clients[name] = { ...certificate, certPath: '', keyPath: '' };
  expect((await h.call(name, 'GET', '/api/v1/test-results')).status).toBe(200);
  return registered.fingerprint;
}

beforeAll(async () => {
  h = await startHarness({ pki: { revocationPollMs: 200 } });
  ca = createDevCertificateAuthority({ ca: h.pki.ca, clientValidityDays: 30, crlValidityDays: 7 });
  results.A = await submit(PHARMACY_A);
  results.B = await submit(PHARMACY_B);
  results['A:corrections'] = await submit(PHARMACY_A);
  results['A:cancellation'] = await submit(PHARMACY_A);
  await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${results.A}`)).body.status === 'delivered' ? true : undefined));

  // each certificate first works, so the refusals below come from revocation and deactivation
  const revoked = await pharmacyWithCertificate(REVOKED, '759999931');
  await pharmacyWithCertificate(DEACTIVATED, '759999949');
  await revokeCertificate(h.db.owner, ca, { fingerprint: revoked, reason: 'keyCompromise', actor });
  await deactivatePharmacy(h.db.owner, { reference: '759999949', actor });
  await eventually(async () => ((await send(REVOKED, 'GET /api/v1/test-results', 'A')) !== 200 ? true : undefined));
  await eventually(async () => ((await send(DEACTIVATED, 'GET /api/v1/test-results', 'A')) === 401 ? true : undefined));
}, 60_000);
afterAll(() => h?.close());

/** The request of `route` about a result of pharmacy `target` (A's changes each use a result of their own). */
function requestFor(route: string, target: 'A' | 'B'): { method: string; path: string; body?: unknown; headers?: Record<string, string> } {
  const [method, pattern] = route.split(' ') as [string, string];
  const finess = target === 'A' ? PHARMACY_A : PHARMACY_B;
  const idOf = (change?: 'corrections' | 'cancellation') => (target === 'A' && change ? results[`A:${change}`] : results[target]);
  const headers = { 'idempotency-key': randomUUID() };
  switch (route) {
    case 'POST /api/v1/test-results':
      return { method, path: pattern, body: syntheticResult({ pharmacyFiness: finess }), headers };
    case 'GET /api/v1/test-results':
      return { method, path: `${pattern}?limit=500` };
    case 'POST /api/v1/test-results/:id/corrections':
      // the caller's own FINESS: B's result id is what is out of reach (another FINESS is 403, as for a submission)
      return { method, path: pattern.replace(':id', idOf('corrections')), body: { reason: 'wrong-result', result: syntheticResult({ pharmacyFiness: PHARMACY_A }) }, headers };
    case 'POST /api/v1/test-results/:id/cancellation':
      return { method, path: pattern.replace(':id', idOf('cancellation')), body: { reason: 'entered-in-error' }, headers };
    case 'POST /api/v1/counter-prefills':
      return { method, path: pattern, body: { patient: syntheticResult().patient } };
    default:
      return { method, path: pattern.replace(':id', idOf()) };
  }
}

/** Sends the request of `route` about a result of `target`, presenting the certificate of `as`. */
function callAs(as: string, route: string, target: 'A' | 'B') {
  const { method, path, body, headers } = requestFor(route, target);
  return h.call(as, method, path, { ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
}

/** The status, or `refused` when the TLS handshake failed (no HTTP answer at all). */
const send = (as: string, route: string, target: 'A' | 'B'): Promise<number | 'refused'> =>
  callAs(as, route, target).then(
    (res) => res.status,
    () => 'refused' as const,
  );

describe('authorization matrix of the intake listener', () => {
  it('has a row for every route of the table', () => {
    expect(ROUTES.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const route of ROUTES) {
    const row = MATRIX[route] as Row;

    it(`${route} without a client certificate → handshake refused`, async () => {
      // the handshake fails before any request line is sent: the method never reaches the server
      const outcome = await requestOnce(h.gateway.intakePort, { ca: h.pki.ca.certPem }, {}, requestFor(route, 'A').path);
      expect(outcome).toEqual({ error: expect.any(String) });
    });

    it(`${route} as A on its own → ${row.own}`, async () => {
      const res = await callAs(PHARMACY_A, route, 'A');
      expect(res.status).toBe(row.own);
      if (route === 'GET /api/v1/test-results') expect(res.body.items.map((i: { id: string }) => i.id)).toContain(results.A);
    });

    it(`${route} as A on B's → ${row.other}`, async () => {
      const res = await callAs(PHARMACY_A, route, 'B');
      expect(res.status).toBe(row.other);
      if (row.other === 404) expect(res.body).toMatchObject({ code: 'not-found' });
      if (route === 'GET /api/v1/test-results') expect(res.body.items.map((i: { id: string }) => i.id)).not.toContain(results.B);
    });

    it(`${route} with a revoked certificate → refused or 401`, async () => {
      expect([401, 'refused']).toContain(await send(REVOKED, route, 'A'));
    });

    it(`${route} with the certificate of a deactivated pharmacy → 401`, async () => {
      // the certificate is still valid for TLS: a handshake refusal would repeat on a new
      // connection, whereas a kept-alive socket the server closed meanwhile fails only once
      const first = await send(DEACTIVATED, route, 'A');
      expect(first === 'refused' ? await send(DEACTIVATED, route, 'A') : first).toBe(401);
    });
  }
});
