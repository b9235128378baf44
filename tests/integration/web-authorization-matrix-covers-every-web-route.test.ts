import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ROUTE_TABLE } from '../../gateway/src/app/index.js';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import { hashSecret } from '../../gateway/src/auth/sessions.js';
import { issueCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCertificateAuthority, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { freshFiness } from '../support/fresh-finess.js';
import type { Browser, WebHarness } from '../support/web-harness.js';
import { startWebHarness } from '../support/web-harness.js';
import { eventually } from '../support/gateway-harness.js';
import { syntheticNir, syntheticResult } from '../support/synthetic-result.js';
import { recordSubjectRequest } from '../../gateway/src/subjects/index.js';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { addEndpoint } from '../../gateway/src/webhooks/registry.js';

/**
 * DESIGN.md "People and rights" against every route of the web listener's table, the admin API
 * included: each person (anonymous, an expired session, a pharmacist and a pharmacy manager of
 * pharmacy 1, an operator, a chain admin, an auditor, a data protection officer), on pharmacy 1's and on pharmacy 2's
 * objects where the route names one, and without the CSRF token on every change, gets exactly
 * the expected status. Rows are keyed by `METHOD path`: a route of the table without a row, or
 * a row naming no route, fails this test.
 */
type Who = 'anonymous' | 'expired' | 'pharmacien1' | 'titulaire1' | 'exploitant' | 'admin' | 'auditeur' | 'dpo';
const WHO: Who[] = ['anonymous', 'expired', 'pharmacien1', 'titulaire1', 'exploitant', 'admin', 'auditeur', 'dpo'];
/** The people whose rights are pharmacy 1's ("own" in the table); the others' are chain-wide. */
const OF_PHARMACY_1: Who[] = ['pharmacien1', 'titulaire1'];
const CHAIN_WIDE: Who[] = ['exploitant', 'admin', 'auditeur', 'dpo'];
type Target = 'own' | 'other';
const FINESS: Record<Target, string> = { own: '759999907', other: '759999915' };

// The rows of DESIGN.md's table, as the demo people hold them.
/** submit / correct / cancel / list results; reveal personal data */
const RESULTS: Who[] = ['pharmacien1', 'titulaire1'];
/** issue / revoke certificates; enrolments (a pharmacy manager: its own pharmacy's) */
const CERTIFICATES_AND_ENROLMENTS: Who[] = ['titulaire1', 'admin'];
/** add / deactivate pharmacies; rotate / rewrap keys */
const CHAIN_ADMIN: Who[] = ['admin'];
/** redrive dead letters unchanged */
const REDRIVE: Who[] = ['exploitant', 'admin'];
/** key status, doctor */
const KEY_STATUS: Who[] = ['exploitant', 'admin', 'auditeur'];
/** audit search / verify / export */
const AUDIT: Who[] = ['auditeur'];
const STATISTICS: Who[] = ['titulaire1', 'exploitant', 'admin', 'auditeur'];
/** result receipts search (no personal data) */
const RECEIPTS: Who[] = ['titulaire1', 'exploitant', 'admin', 'auditeur'];
/** access review (read only; recertifying needs the enrolments row) */
const ACCESS_REVIEW: Who[] = ['titulaire1', 'admin', 'auditeur', 'dpo'];
/** the rights of the people tested: find, export, erase, the register of requests */
const DATA_SUBJECTS: Who[] = ['dpo'];

interface Request {
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
}
type Refusal = 'finess-mismatch' | 'forbidden' | 'not-found';
const STATUS_OF: Record<Refusal | 'unauthenticated', number> = { unauthenticated: 401, forbidden: 403, 'finess-mismatch': 403, 'not-found': 404 };
interface Row {
  /** Anyone, any live session, or these people. */
  allowed: 'public' | 'session' | readonly Who[];
  /** The status of success (a public route's one answer, for the routes refused alike to all). */
  ok: number;
  /**
   * Routes on one pharmacy's FINESS, result, certificate, enrolment or dead letter: each case
   * runs on pharmacy 1's and on pharmacy 2's, and this is the refusal a person of pharmacy 1
   * allowed on its own gets on pharmacy 2's (`same` when no such person is allowed at all).
   */
  other?: Refusal | 'same';
  /** The request; without it, the route's path as it stands. */
  request?: (who: Who, target: Target) => Request | Promise<Request>;
}

let w: WebHarness;
let ca: CertificateAuthority;
let keys: KeyManager;
const results: Record<Target, string> = { own: '', other: '' };
const jobs = { verification: '', rewrap: '' };
const browsers = new Map<Who, { b: Browser; csrf: string }>();
const SYSTEM = { type: 'system' as const, id: 'test' };

const pharmacyId = (t: Target) => w.h.pharmacyIds[FINESS[t]] as string;
const idempotent = () => ({ 'idempotency-key': randomUUID() });
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000);
/** A test entered at the counter: the performer is the signed-in pharmacist. */
const entry = (who: Who, t: Target) => syntheticResult({ pharmacyFiness: FINESS[t], performer: { rpps: who === 'titulaire1' ? '10000123488' : '10000123454' } });

/** A result of the pharmacy, sealed, through its own intake. */
async function resultOf(t: Target): Promise<string> {
  return (await w.h.call(FINESS[t], 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: FINESS[t] }), headers: idempotent() })).body.id as string;
}

/** A one-time counter-prefill token the pharmacy's software obtained over mTLS. */
async function prefillTokenOf(t: Target): Promise<string> {
  return (await w.h.call(FINESS[t], 'POST', '/api/v1/counter-prefills', { body: { patient: syntheticResult().patient } })).body.token as string;
}

/** A dead letter of a result of the pharmacy. */
async function deadLetterOf(t: Target): Promise<string> {
  const [id, resultId] = [randomUUID(), randomUUID()];
  await w.h.db.owner.insertInto('test_results').values({ id: resultId, pharmacy_id: pharmacyId(t), status: 'dead-lettered', problem_code: 'rejected' }).execute();
  await w.h.db.owner.insertInto('outbox_messages').values({ id, result_id: resultId, kind: 'original', state: 'dead', dead_reason: JSON.stringify({ code: 'rejected' }), next_attempt_at: new Date() }).execute();
  return id;
}

/** Pharmacies 1 and 2 stay active for the other rows: a chain-wide person changes one made for the case. */
async function pharmacyToChange(who: Who, t: Target, active: boolean): Promise<string> {
  if (!CHAIN_WIDE.includes(who)) return pharmacyId(t);
  return (await w.h.db.owner.insertInto('pharmacies').values({ finess: freshFiness(), name: 'Pharmacie du test', active, deactivated_at: active ? null : new Date() }).returning('id').executeTakeFirstOrThrow()).id;
}

/** Revokes the certificates the CA issued to the pharmacy, so one more may be (two valid at most, the harness's included). */
async function revokeIssuedCertificates(t: Target): Promise<void> {
  await w.h.db.owner.updateTable('client_certificates').set({ revoked_at: new Date(), revocation_reason: 'superseded' }).where('pharmacy_id', '=', pharmacyId(t)).where('origin', '=', 'issued').where('revoked_at', 'is', null).execute();
}

/** A valid certificate of the pharmacy issued by the gateway's CA, as `gateway cert issue` would. */
async function certificateOf(t: Target): Promise<string> {
  await revokeIssuedCertificates(t);
  return (await issueCertificate(w.h.db.owner, ca, { pharmacy: FINESS[t], actor: SYSTEM })).registered.fingerprint;
}

/** An open request of the register, to answer. */
const subjectRequest = () => recordSubjectRequest(w.h.db.owner, { reason: 'access-request', actor: SYSTEM });

/**
 * A live callback endpoint of the pharmacy, as `gateway webhooks add` registers it: nothing
 * listens there, and it takes no result event, so the rows' results send it nothing.
 */
const endpointOf = async (t: Target) =>
  (await addEndpoint(w.h.db.owner, keys, { pharmacyId: pharmacyId(t), url: 'https://127.0.0.1:9/hooks', allowNetworks: ['127.0.0.0/8'], events: ['certificate.expiring'] }, SYSTEM, 'test')).id;

/** A dead callback to an endpoint of the pharmacy, to replay. */
async function deadCallbackOf(t: Target): Promise<string> {
  const endpoint_id = await endpointOf(t);
  return (await w.h.db.owner.insertInto('webhook_events').values({ endpoint_id, subject_id: randomUUID(), type: 'certificate.expiring', payload: {}, status: 'dead', dead_reason: 'http-4xx' }).returning('id').executeTakeFirstOrThrow()).id;
}

const enrolmentOf = (t: Target) => enrol(w.h.db.owner, { issuer: 'dev', subject: `matrix-${randomUUID()}`, role: 'pharmacist', pharmacy: FINESS[t], expiresAt: inAMonth(), actor: SYSTEM });

const MATRIX: Record<string, Row> = {
  'GET /auth/login': { allowed: 'public', ok: 302 },
  // no sign-in in progress, or no valid break-glass link: refused alike to everyone
  'GET /auth/callback': { allowed: 'public', ok: 400 },
  'GET /auth/signed-out': { allowed: 'public', ok: 200 },
  'GET /auth/break-glass': { allowed: 'public', ok: 400 },
  'POST /auth/break-glass': { allowed: 'public', ok: 400 },
  'POST /auth/logout': { allowed: 'session', ok: 200 },
  'GET /api/web/v1/me': { allowed: 'session', ok: 200 },
  'GET /api/web/v1/reference': { allowed: 'session', ok: 200 },
  'GET /api/web/v1/pharmacies': { allowed: 'session', ok: 200 },
  // pharmacy 2's FINESS in the body or the query: refused; its results: not found (existence does not leak)
  'POST /api/web/v1/test-results': { allowed: RESULTS, ok: 202, other: 'finess-mismatch', request: (who, t) => ({ path: '/api/web/v1/test-results', json: entry(who, t), headers: idempotent() }) },
  'GET /api/web/v1/test-results': { allowed: RESULTS, ok: 200, other: 'finess-mismatch', request: (_, t) => ({ path: `/api/web/v1/test-results?pharmacy=${FINESS[t]}` }) },
  'GET /api/web/v1/test-results/:id': { allowed: RESULTS, ok: 200, other: 'not-found', request: (_, t) => ({ path: `/api/web/v1/test-results/${results[t]}` }) },
  'POST /api/web/v1/test-results/:id/corrections': {
    allowed: RESULTS,
    ok: 202,
    other: 'not-found',
    request: async (who, t) => ({ path: `/api/web/v1/test-results/${await resultOf(t)}/corrections`, json: { reason: 'wrong-result', result: entry(who, t) }, headers: idempotent() }),
  },
  'POST /api/web/v1/test-results/:id/cancellation': {
    allowed: RESULTS,
    ok: 202,
    other: 'not-found',
    request: async (_, t) => ({ path: `/api/web/v1/test-results/${await resultOf(t)}/cancellation`, json: { reason: 'entered-in-error' }, headers: idempotent() }),
  },
  // another pharmacy's token: not found, like an unknown one (and left to its pharmacy)
  'POST /api/web/v1/counter-prefills/redeem': { allowed: RESULTS, ok: 200, other: 'not-found', request: async (_, t) => ({ path: '/api/web/v1/counter-prefills/redeem', json: { token: await prefillTokenOf(t) } }) },
  'POST /api/web/v1/test-results/:id/reveal': { allowed: RESULTS, ok: 200, other: 'not-found', request: (_, t) => ({ path: `/api/web/v1/test-results/${results[t]}/reveal`, json: { purpose: 'receipt-reprint' } }) },
  // today's list at the counter opens each result's initials and result: the reveal right, of pharmacy 1 only
  'GET /api/web/v1/counter/results': { allowed: RESULTS, ok: 200, other: 'forbidden', request: (_, t) => ({ path: `/api/web/v1/counter/results?pharmacy=${FINESS[t]}` }) },
  'GET /api/web/v1/outbox/dead-letters': { allowed: REDRIVE, ok: 200 },
  'POST /api/web/v1/outbox/dead-letters/:id/redrive': { allowed: REDRIVE, ok: 200, other: 'same', request: async (_, t) => ({ path: `/api/web/v1/outbox/dead-letters/${await deadLetterOf(t)}/redrive` }) },
  // health figures and the system page: "key status, doctor"
  'GET /api/web/v1/admin/overview': { allowed: KEY_STATUS, ok: 200 },
  'GET /api/web/v1/admin/system': { allowed: KEY_STATUS, ok: 200 },
  // result receipts search, no personal data
  'GET /api/web/v1/admin/results': { allowed: RECEIPTS, ok: 200 },
  'GET /api/web/v1/admin/results/:id': { allowed: RECEIPTS, ok: 200, other: 'not-found', request: (_, t) => ({ path: `/api/web/v1/admin/results/${results[t]}` }) },
  // the signed receipt of a delivered result (own delivered before the rows run)
  'GET /api/web/v1/admin/results/:id/receipt': { allowed: RECEIPTS, ok: 200, other: 'not-found', request: (_, t) => ({ path: `/api/web/v1/admin/results/${results[t]}/receipt` }) },
  'GET /api/web/v1/admin/statistics': { allowed: STATISTICS, ok: 200 },
  // the pharmacies page lists them with their certificates
  'GET /api/web/v1/admin/pharmacies': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200 },
  'POST /api/web/v1/admin/pharmacies': { allowed: CHAIN_ADMIN, ok: 201, request: () => ({ path: '/api/web/v1/admin/pharmacies', json: { finess: freshFiness(), name: 'Pharmacie du test' } }) },
  // a pharmacy manager holds its pharmacy's enrolments, not the pharmacy itself
  'POST /api/web/v1/admin/pharmacies/:id/deactivate': { allowed: CHAIN_ADMIN, ok: 200, other: 'same', request: async (who, t) => ({ path: `/api/web/v1/admin/pharmacies/${await pharmacyToChange(who, t, true)}/deactivate` }) },
  'POST /api/web/v1/admin/pharmacies/:id/reactivate': { allowed: CHAIN_ADMIN, ok: 200, other: 'same', request: async (who, t) => ({ path: `/api/web/v1/admin/pharmacies/${await pharmacyToChange(who, t, false)}/reactivate` }) },
  // offboarding: the registry's own right, on a pharmacy made for the case (it cannot be undone)
  'POST /api/web/v1/admin/pharmacies/:id/offboard': { allowed: CHAIN_ADMIN, ok: 200, other: 'same', request: async (who, t) => ({ path: `/api/web/v1/admin/pharmacies/${await pharmacyToChange(who, t, true)}/offboard` }) },
  'GET /api/web/v1/admin/pharmacies/:id/offboarding-export': { allowed: CHAIN_ADMIN, ok: 200, other: 'same', request: (_, t) => ({ path: `/api/web/v1/admin/pharmacies/${pharmacyId(t)}/offboarding-export` }) },
  'POST /api/web/v1/admin/pharmacies/:id/certificates': {
    allowed: CERTIFICATES_AND_ENROLMENTS,
    ok: 201,
    other: 'forbidden',
    request: async (_, t) => {
      await revokeIssuedCertificates(t);
      return { path: `/api/web/v1/admin/pharmacies/${pharmacyId(t)}/certificates` };
    },
  },
  'POST /api/web/v1/admin/certificates/:fingerprint/revoke': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200, other: 'forbidden', request: async (_, t) => ({ path: `/api/web/v1/admin/certificates/${await certificateOf(t)}/revoke`, json: { reason: 'superseded' } }) },
  'GET /api/web/v1/admin/enrolments': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200 },
  // status-callback endpoints go with certificates; a public address passes the SSRF guard without an allow-listed network
  'GET /api/web/v1/admin/webhooks': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200 },
  'POST /api/web/v1/admin/pharmacies/:id/webhooks': {
    allowed: CERTIFICATES_AND_ENROLMENTS,
    ok: 201,
    other: 'forbidden',
    request: (_, t) => ({ path: `/api/web/v1/admin/pharmacies/${pharmacyId(t)}/webhooks`, json: { url: 'https://93.184.215.14/hooks', events: ['certificate.expiring'] } }),
  },
  'POST /api/web/v1/admin/webhooks/:id/remove': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200, other: 'forbidden', request: async (_, t) => ({ path: `/api/web/v1/admin/webhooks/${await endpointOf(t)}/remove` }) },
  'POST /api/web/v1/admin/webhooks/:id/test': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 202, other: 'forbidden', request: async (_, t) => ({ path: `/api/web/v1/admin/webhooks/${await endpointOf(t)}/test` }) },
  'POST /api/web/v1/admin/webhooks/:id/rotate-secret': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200, other: 'forbidden', request: async (_, t) => ({ path: `/api/web/v1/admin/webhooks/${await endpointOf(t)}/rotate-secret` }) },
  'POST /api/web/v1/admin/webhook-events/:id/replay': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200, other: 'forbidden', request: async (_, t) => ({ path: `/api/web/v1/admin/webhook-events/${await deadCallbackOf(t)}/replay` }) },
  'POST /api/web/v1/admin/enrolments': {
    allowed: CERTIFICATES_AND_ENROLMENTS,
    ok: 201,
    other: 'forbidden',
    request: (_, t) => ({ path: '/api/web/v1/admin/enrolments', json: { issuer: 'dev', subject: `matrix-${randomUUID()}`, role: 'pharmacist', pharmacy: FINESS[t], expiresAt: inAMonth().toISOString() } }),
  },
  'POST /api/web/v1/admin/enrolments/:id/revoke': { allowed: CERTIFICATES_AND_ENROLMENTS, ok: 200, other: 'forbidden', request: async (_, t) => ({ path: `/api/web/v1/admin/enrolments/${await enrolmentOf(t)}/revoke` }) },
  'GET /api/web/v1/admin/access-review': { allowed: ACCESS_REVIEW, ok: 200 },
  'POST /api/web/v1/admin/enrolments/:id/recertify': {
    allowed: CERTIFICATES_AND_ENROLMENTS,
    ok: 200,
    other: 'forbidden',
    request: async (_, t) => ({ path: `/api/web/v1/admin/enrolments/${await enrolmentOf(t)}/recertify`, json: { expiresAt: inAMonth().toISOString() } }),
  },
  // the person is named in the body, never the URL; a fresh NIR finds nothing and erases nothing
  'POST /api/web/v1/admin/subjects/find': { allowed: DATA_SUBJECTS, ok: 200, request: () => ({ path: '/api/web/v1/admin/subjects/find', json: { nir: syntheticNir() } }) },
  'POST /api/web/v1/admin/subjects/export': { allowed: DATA_SUBJECTS, ok: 200, request: () => ({ path: '/api/web/v1/admin/subjects/export', json: { resultId: randomUUID(), reason: 'access-request' } }) },
  'POST /api/web/v1/admin/subjects/erase': { allowed: DATA_SUBJECTS, ok: 200, request: () => ({ path: '/api/web/v1/admin/subjects/erase', json: { nir: syntheticNir(), reason: 'erasure' } }) },
  'GET /api/web/v1/admin/subjects/requests': { allowed: DATA_SUBJECTS, ok: 200 },
  'POST /api/web/v1/admin/subjects/requests': { allowed: DATA_SUBJECTS, ok: 200, request: () => ({ path: '/api/web/v1/admin/subjects/requests', json: { reason: 'objection' } }) },
  'POST /api/web/v1/admin/subjects/requests/:id/answer': { allowed: DATA_SUBJECTS, ok: 200, request: async () => ({ path: `/api/web/v1/admin/subjects/requests/${await subjectRequest()}/answer` }) },
  'GET /api/web/v1/admin/audit/events': { allowed: AUDIT, ok: 200 },
  'POST /api/web/v1/admin/audit/verifications': { allowed: AUDIT, ok: 202 },
  'GET /api/web/v1/admin/audit/verifications/:id': { allowed: AUDIT, ok: 200, request: () => ({ path: `/api/web/v1/admin/audit/verifications/${jobs.verification}` }) },
  'GET /api/web/v1/admin/audit/export': { allowed: AUDIT, ok: 200 },
  'GET /api/web/v1/admin/keys': { allowed: KEY_STATUS, ok: 200 },
  'POST /api/web/v1/admin/keys/rotation': { allowed: CHAIN_ADMIN, ok: 200 },
  'POST /api/web/v1/admin/keys/rewraps': { allowed: CHAIN_ADMIN, ok: 202 },
  'GET /api/web/v1/admin/keys/rewraps/:id': { allowed: CHAIN_ADMIN, ok: 200, request: () => ({ path: `/api/web/v1/admin/keys/rewraps/${jobs.rewrap}` }) },
  'GET /.well-known/jwks.json': { allowed: 'public', ok: 200 },
  'GET /*': { allowed: 'public', ok: 404, request: () => ({ path: '/.env' }) },
};

/** DESIGN.md's answer: 401 without a live session, 403 without the row, then the row's scope. */
function expected(row: Row, who: Who, target: Target): { status: number; code?: string } {
  const refused = (code: Refusal | 'unauthenticated') => ({ status: STATUS_OF[code], code });
  if (row.allowed === 'public') return { status: row.ok };
  if (who === 'anonymous' || who === 'expired') return refused('unauthenticated');
  if (row.allowed !== 'session' && !row.allowed.includes(who)) return refused('forbidden');
  return target === 'other' && OF_PHARMACY_1.includes(who) && row.other !== undefined && row.other !== 'same' ? refused(row.other) : { status: row.ok };
}

const CASES = Object.entries(MATRIX).flatMap(([route, row]) =>
  WHO.flatMap((who) => (row.other ? (['own', 'other'] as const) : (['own'] as const)).map((target) => ({ route, row, who, target, ...expected(row, who, target) }))),
);
/** Each change as a person allowed to make it, without the CSRF token and then from another origin. */
const CSRF_CASES = Object.entries(MATRIX)
  .filter(([route, row]) => route.startsWith('POST ') && row.allowed !== 'public')
  .map(([route, row]) => ({ route, row, who: row.allowed === 'session' ? 'admin' : (row.allowed[0] as Who) }));

async function session(who: Who): Promise<{ b: Browser; csrf: string }> {
  const existing = browsers.get(who);
  if (existing) return existing;
  if (who === 'anonymous') return { b: w.browser(), csrf: '' };
  const { browser } = await w.signIn(who === 'expired' ? 'exploitant' : who);
  const csrf = (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string;
  if (who === 'expired') {
    // idle for longer than the idle timeout: the next request finds the session expired
    const token = browser.cookies.get(w.webUrl)?.get('__Host-gw-session')?.value as string;
    await sql`UPDATE web_sessions SET last_seen_at = now() - interval '1 day' WHERE id_hash = ${hashSecret(token)}`.execute(w.h.db.owner);
  } else browsers.set(who, { b: browser, csrf });
  return { b: browser, csrf };
}

async function requestFor(route: string, row: Row, who: Who, target: Target): Promise<Request> {
  return row.request ? row.request(who, target) : { path: route.split(' ')[1] as string };
}

/** Starts a background job as `who` and waits for its end, as the UI polls; its id is reached by the job's route. */
async function finishedJob(who: Who, path: string): Promise<string> {
  const { b, csrf } = await session(who);
  const id = (await b.fetch('POST', `${w.webUrl}${path}`, { headers: { 'x-csrf-token': csrf, origin: w.webUrl } })).json().id as string;
  while ((await b.fetch('GET', `${w.webUrl}${path}/${id}`)).json().state === 'running') await new Promise((r) => setTimeout(r, 100));
  return id;
}

beforeAll(async () => {
  // every expired case signs in anew, and each person makes about a hundred requests: past the default limits (429)
  // every anonymous and expired case comes from one address: more than the default allowance
  w = await startWebHarness({ web: { signInBurst: 10_000, userRateBurst: 10_000 }, unauthenticated: { burst: 10_000 }, devCa: true });
  ca = createDevCertificateAuthority({ ca: w.h.pki.ca, clientValidityDays: 90, crlValidityDays: 30 });
  keys = await openLocalKeyring(path.join(w.h.dir, 'keyring.json'));
  results.own = await resultOf('own');
  results.other = await resultOf('other');
  await eventually(async () => ((await w.h.call(FINESS.own, 'GET', `/api/v1/test-results/${results.own}`)).body.status === 'delivered' ? true : undefined));
  // finished jobs to poll; one still running would answer the next start with 200, not 202
  jobs.verification = await finishedJob('auditeur', '/api/web/v1/admin/audit/verifications');
  jobs.rewrap = await finishedJob('admin', '/api/web/v1/admin/keys/rewraps');
}, 60_000);
afterAll(async () => {
  await w?.close();
});

describe('authorization matrix of the web listener', () => {
  it('has a row for every route of the table, and no row for a route it lacks', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTE_TABLE.web.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('tells each person on /me the rights of their roles, which the UI reads to offer its pages', async () => {
    const held = async (who: Who) => Object.keys((await (await session(who)).b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().capabilities as object).sort();
    expect(await held('pharmacien1')).toEqual(['results', 'reveal']);
    expect(await held('titulaire1')).toEqual(['access-review', 'certificates', 'enrolments', 'receipts', 'results', 'reveal', 'statistics']);
    expect(await held('admin')).toEqual(['access-review', 'certificates', 'enrolments', 'key-status', 'keys', 'receipts', 'redrive', 'statistics']);
    expect(await held('exploitant')).toEqual(['key-status', 'receipts', 'redrive', 'statistics']);
    expect(await held('auditeur')).toEqual(['access-review', 'audit', 'key-status', 'receipts', 'statistics']);
    expect(await held('dpo')).toEqual(['access-review', 'data-subjects']);
  });

  for (const { route, row, who, target, status, code } of CASES) {
    it(`${route} as ${who}${row.other ? ` on pharmacy ${target === 'own' ? 1 : 2}'s` : ''} → ${status}`, async () => {
      // logout closes a session of its own, so the other cases keep theirs
      if (route === 'POST /auth/logout') browsers.delete(who);
      const { b, csrf } = await session(who);
      const r = await requestFor(route, row, who, target);
      const method = route.split(' ')[0] as string;
      const res = await b.fetch(method, `${w.webUrl}${r.path}`, { follow: false, ...(r.json !== undefined ? { json: r.json } : {}), headers: { ...r.headers, ...(method === 'POST' ? { 'x-csrf-token': csrf, origin: w.webUrl } : {}) } });
      if (route === 'POST /auth/logout') browsers.delete(who);
      expect(res.status, res.text.slice(0, 200)).toBe(status);
      if (code) expect(res.json()).toMatchObject({ code });
    });
  }

  for (const { route, row, who } of CSRF_CASES) {
    it(`${route} as ${who} without the CSRF token, or from another origin → 403`, async () => {
      const { b, csrf } = await session(who);
      const r = await requestFor(route, row, who, 'own');
      const body = r.json !== undefined ? { json: r.json } : {};
      const missing = await b.fetch('POST', `${w.webUrl}${r.path}`, { follow: false, ...body, headers: { ...r.headers, origin: w.webUrl } });
      const foreign = await b.fetch('POST', `${w.webUrl}${r.path}`, { follow: false, ...body, headers: { ...r.headers, 'x-csrf-token': csrf, origin: 'https://evil.example' } });
      for (const res of [missing, foreign]) {
        expect(res.status).toBe(403);
        expect(res.json()).toMatchObject({ code: 'csrf-failed' });
      }
    });
  }

  it('sends the security headers on every answer, errors included', async () => {
    const { b } = await session('pharmacien1');
    for (const path of ['/api/web/v1/me', '/api/web/v1/outbox/dead-letters', '/nope/.git/config', '/auth/signed-out']) {
      const res = await b.fetch('GET', `${w.webUrl}${path}`, { follow: false });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers['strict-transport-security'], path).toMatch(/max-age=\d{8}/);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
    }
  });

  it('audits refusals and session expiry', async () => {
    const events = await w.h.db.owner.selectFrom('audit_events').select(['action', 'reason']).where('outcome', '=', 'denied').execute();
    expect(events).toContainEqual({ action: 'authenticate', reason: 'session-expired' });
    const expiries = await w.h.db.owner.selectFrom('audit_events').select(['object_id']).where('action', '=', 'session.expire').execute();
    expect(expiries).toContainEqual({ object_id: `dev:${w.person('exploitant').subject}` });
    expect(events).toContainEqual({ action: 'GET /api/web/v1/outbox/dead-letters', reason: 'forbidden' });
    expect(events).toContainEqual({ action: 'admin.enrolments', reason: 'forbidden' });
    expect(events.some((e) => e.reason === 'csrf-failed')).toBe(true);
  });
});
