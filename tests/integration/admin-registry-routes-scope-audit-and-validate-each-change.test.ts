import 'reflect-metadata';
import { createSecureContext } from 'node:tls';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAdminRoutes, CERTIFICATE_ROUTES } from '../../gateway/src/admin/certificate-routes.js';
import { createEnrolmentAdminRoutes, ENROLMENT_ROUTES } from '../../gateway/src/admin/enrolment-routes.js';
import { createPharmacyAdminRoutes, PHARMACY_ROUTES } from '../../gateway/src/admin/pharmacy-routes.js';
import { appendAuditNow } from '../../gateway/src/audit/index.js';
import { createRateLimiter, createRefusedTraffic, jsonBody, onError, requestId } from '../../gateway/src/http/index.js';
import { csrfTokenFor } from '../../gateway/src/auth/csrf.js';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import { createSessionStore, SESSION_COOKIE } from '../../gateway/src/auth/sessions.js';
import type { Role } from '../../gateway/src/db/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { issueCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCa, createDevCertificateAuthority, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { authorize } from '../../gateway/src/web/access.js';
import type { WebEnv } from '../../gateway/src/web/env.js';
import { freshFiness } from '../support/fresh-finess.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The admin UI's registry changes (pharmacies, certificates, enrolments) through the web
 * listener's own `authorize` (session → live enrolments → rights, CSRF), the runtime role
 * taking the registrar role, real audit and problem mapping. Sessions are opened directly in
 * the session store (no OIDC here).
 */
let db: TestDatabase;
let ca: CertificateAuthority;
const cookies = new Map<string, string>();
const ids: Record<string, string> = {};
const OWN = '759999907';
const OTHER = '759999915';
// who reaches each route is the web matrix's (`web-authorization-matrix-covers-every-web-route.test.ts`)
const PERSONS = ['pharmacy-manager', 'chain-admin'] as const;
type Person = (typeof PERSONS)[number];
// what @hono/node-server would pass: the web routes read the client address from the socket
const ENV = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

function appWith(certificateAuthority: CertificateAuthority | undefined): Hono<WebEnv> {
  const body = jsonBody<WebEnv>({ limit: 16_384 });
  const parts = [
    createPharmacyAdminRoutes({ db: db.runtime, jsonBody: body }),
    createCertificateAdminRoutes({ db: db.runtime, jsonBody: body, ca: certificateAuthority }),
    createEnrolmentAdminRoutes({ db: db.runtime, jsonBody: body, issuers: [{ id: 'test', kind: 'generic' }] }),
  ];
  const app = new Hono<WebEnv>();
  app.use(requestId());
  const sessions = createSessionStore({ db: db.runtime, idleMs: 3_600_000, maxMs: 3_600_000 });
  const refused = createRefusedTraffic({ limiter: createRateLimiter({ ratePerSecond: 1, burst: 120 }), append: (events) => appendAuditNow(db.runtime, events), log: createLogger({ level: 'silent' }) });
  for (const r of parts.flatMap((p) => p.routes)) app.on(r.method, r.path, authorize({ db: db.runtime, sessions, publicOrigin: 'https://localhost', refused }, r.access));
  for (const p of parts) app.route('/', p.app);
  app.onError(onError({ log: createLogger({ level: 'silent' }) }));
  return app;
}
let app: Hono<WebEnv>;

/** A request as a signed-in person, with their CSRF token on a POST. */
async function send(method: 'GET' | 'POST', path: string, person: Person, json?: unknown, on = app): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = cookies.get(person) as string;
  const headers: Record<string, string> = { cookie: `${SESSION_COOKIE}=${token}`, ...(method === 'POST' ? { 'x-csrf-token': csrfTokenFor(token) } : {}) };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await on.request(path, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) }, ENV);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

beforeAll(async () => {
  db = await testDatabase();
  for (const finess of [OWN, OTHER]) ids[finess] = (await db.owner.insertInto('pharmacies').values({ finess, name: `Pharmacie ${finess}` }).returning('id').executeTakeFirstOrThrow()).id;
  ca = createDevCertificateAuthority({ ca: await createDevCa(), clientValidityDays: 90, crlValidityDays: 30 });
  app = appWith(ca);
  const sessions = createSessionStore({ db: db.runtime, idleMs: 3_600_000, maxMs: 3_600_000 });
  const actor = { type: 'system' as const, id: 'test' };
  for (const person of PERSONS) {
    await enrol(db.owner, { issuer: 'test', subject: person, role: person, pharmacy: person === 'pharmacy-manager' ? OWN : undefined, expiresAt: new Date(Date.now() + 86_400_000), actor });
    cookies.set(person, (await sessions.open('test', { subject: person, rpps: null, finess: null, mfa: true, acr: null })).token);
  }
});
afterAll(() => db?.drop());

async function ownerAddsPharmacy(active: boolean): Promise<string> {
  return (await db.owner.insertInto('pharmacies').values({ finess: freshFiness(), name: 'x', active, deactivated_at: active ? null : new Date() }).returning('id').executeTakeFirstOrThrow()).id;
}
/** A certificate of `finess` issued as the CLI would, after revoking its others (two valid at most). */
async function ownerIssuesCertificate(finess = OWN): Promise<string> {
  await db.owner.updateTable('client_certificates').set({ revoked_at: new Date(), revocation_reason: 'superseded' }).where('pharmacy_id', '=', ids[finess] as string).where('revoked_at', 'is', null).execute();
  return (await issueCertificate(db.owner, ca, { pharmacy: finess, actor: { type: 'system', id: 'test' } })).registered.fingerprint;
}
async function ownerEnrols(role: Role, pharmacy?: string): Promise<string> {
  return enrol(db.owner, { issuer: 'test', subject: `s-${freshFiness()}`, role, pharmacy, expiresAt: new Date(Date.now() + 86_400_000), actor: { type: 'system', id: 'test' } });
}

describe('scope of a pharmacy manager', () => {
  it('lists only its own pharmacies and their pharmacy-role enrolments', async () => {
    const pharmacies = (await send('GET', PHARMACY_ROUTES.list.path, 'pharmacy-manager')).body.items as { finess: string }[];
    expect(pharmacies.map((p) => p.finess)).toEqual([OWN]);
    await ownerEnrols('pharmacist', OTHER);
    const enrolments = (await send('GET', ENROLMENT_ROUTES.list.path, 'pharmacy-manager')).body.items as { finess: string | null; role: string }[];
    expect(enrolments.length).toBeGreaterThan(0);
    expect(enrolments.every((e) => e.finess === OWN && ['pharmacist', 'pharmacy-manager'].includes(e.role))).toBe(true);
    const listed = (await send('GET', ENROLMENT_ROUTES.list.path, 'chain-admin')).body as { items: { finess: string | null }[]; issuers: unknown[] };
    expect(listed.items.some((e) => e.finess === OTHER) && listed.items.some((e) => e.finess === null)).toBe(true);
    // the grant form's identity providers: ids and kinds from the settings, no secret
    expect(listed.issuers).toEqual([{ id: 'test', kind: 'generic' }]);
  });

  it('cannot grant a chain role, nor any role at another pharmacy, nor touch its certificates or enrolments; each refusal is audited', async () => {
    const grant = (json: object) => send('POST', ENROLMENT_ROUTES.grant.path, 'pharmacy-manager', { issuer: 'test', subject: 'someone', expiresAt: inAMonth(), ...json });
    expect((await grant({ role: 'chain-admin' })).status).toBe(403);
    expect((await grant({ role: 'operator' })).status).toBe(403);
    expect((await grant({ role: 'pharmacist', pharmacy: OTHER })).status).toBe(403);
    expect((await grant({ role: 'pharmacy-manager', pharmacy: OTHER })).status).toBe(403);
    expect((await send('POST', CERTIFICATE_ROUTES.issue.path.replace(':id', ids[OTHER] as string), 'pharmacy-manager')).status).toBe(403);
    expect((await send('POST', CERTIFICATE_ROUTES.revoke.path.replace(':fingerprint', await ownerIssuesCertificate(OTHER)), 'pharmacy-manager', { reason: 'keyCompromise' })).status).toBe(403);
    expect((await send('POST', ENROLMENT_ROUTES.revoke.path.replace(':id', await ownerEnrols('pharmacist', OTHER)), 'pharmacy-manager')).status).toBe(403);
    expect((await send('POST', ENROLMENT_ROUTES.revoke.path.replace(':id', await ownerEnrols('operator')), 'pharmacy-manager')).status).toBe(403);
    expect((await send('POST', PHARMACY_ROUTES.deactivate.path.replace(':id', ids[OWN] as string), 'pharmacy-manager')).status).toBe(403);
    const denied = await db.owner.selectFrom('audit_events').select(['action', 'reason']).where('actor_id', '=', 'test:pharmacy-manager').where('outcome', '=', 'denied').execute();
    expect(denied.filter((e) => e.action === 'admin.enrolments').length).toBeGreaterThanOrEqual(7);
    expect(denied).toContainEqual({ action: 'admin.certificates', reason: 'forbidden' });
    const live = await db.owner.selectFrom('enrolments').select('id').where('subject', '=', 'someone').execute();
    expect(live).toEqual([]);
  });
});

describe('changes', () => {
  it('issue a certificate answered once as PKCS#12 with its password and PEM chain, registered and audited', async () => {
    await ownerIssuesCertificate();
    const res = await send('POST', CERTIFICATE_ROUTES.issue.path.replace(':id', ids[OWN] as string), 'chain-admin');
    expect(res.status).toBe(201);
    const view = res.body as { certificate: { fingerprint: string; notAfter: string }; certificatePem: string; chainPem: string; pkcs12Base64: string; password: string };
    expect(view.chainPem).toBe(ca.trustedCaPem);
    // the bundle opens with its password only
    expect(() => createSecureContext({ pfx: Buffer.from(view.pkcs12Base64, 'base64'), passphrase: view.password })).not.toThrow();
    expect(() => createSecureContext({ pfx: Buffer.from(view.pkcs12Base64, 'base64'), passphrase: 'wrong' })).toThrow();
    const row = await db.owner.selectFrom('client_certificates').selectAll().where('fingerprint', '=', view.certificate.fingerprint).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ pharmacy_id: ids[OWN], origin: 'issued', created_by: 'test:chain-admin', revoked_at: null });
    expect(JSON.stringify(row)).not.toContain(view.password);
    const events = await db.owner.selectFrom('audit_events').select(['action', 'actor_id', 'outcome']).where('object_id', '=', view.certificate.fingerprint).execute();
    expect(events).toEqual([{ action: 'certificate.issue', actor_id: 'test:chain-admin', outcome: 'success' }]);
  });

  it('revoke a certificate, sign a CRL in the same transaction, audited; a second revocation conflicts', async () => {
    const fingerprint = await ownerIssuesCertificate();
    const res = await send('POST', CERTIFICATE_ROUTES.revoke.path.replace(':fingerprint', fingerprint.toUpperCase()), 'chain-admin', { reason: 'keyCompromise' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ crlPublished: true, revoked: { fingerprint, revocationReason: 'keyCompromise' } });
    const actions = await db.owner.selectFrom('audit_events').select('action').where('actor_id', '=', 'test:chain-admin').where('action', 'in', ['certificate.revoke', 'crl.publish']).execute();
    expect(new Set(actions.map((a) => a.action))).toEqual(new Set(['certificate.revoke', 'crl.publish']));
    expect((await send('POST', CERTIFICATE_ROUTES.revoke.path.replace(':fingerprint', fingerprint), 'chain-admin', { reason: 'keyCompromise' })).body).toMatchObject({ status: 409, reason: 'already-revoked' });
  });

  it('answer 409 ca-not-in-process when this process holds no CA', async () => {
    const res = await send('POST', CERTIFICATE_ROUTES.issue.path.replace(':id', ids[OWN] as string), 'chain-admin', undefined, appWith(undefined));
    expect(res).toMatchObject({ status: 409, body: { code: 'registry-conflict', reason: 'ca-not-in-process' } });
  });

  it('grant and revoke an enrolment with audit events, and the grant takes effect', async () => {
    const granted = await send('POST', ENROLMENT_ROUTES.grant.path, 'pharmacy-manager', { issuer: 'test', subject: 'new-pharmacist', role: 'pharmacist', pharmacy: OWN, expiresAt: inAMonth() });
    expect(granted.status).toBe(201);
    const id = granted.body.id as string;
    expect(await db.owner.selectFrom('enrolments').select(['role', 'pharmacy_id', 'created_by']).where('id', '=', id).executeTakeFirst()).toEqual({ role: 'pharmacist', pharmacy_id: ids[OWN], created_by: 'test:pharmacy-manager' });
    expect((await send('POST', ENROLMENT_ROUTES.revoke.path.replace(':id', id), 'pharmacy-manager')).status).toBe(200);
    expect((await send('POST', ENROLMENT_ROUTES.revoke.path.replace(':id', id), 'pharmacy-manager')).status).toBe(404);
    const events = await db.owner.selectFrom('audit_events').select('action').where('object_id', '=', id).execute();
    expect(events.map((e) => e.action).sort()).toEqual(['enrolment.add', 'enrolment.revoke']);
  });

  it('deactivate and reactivate a pharmacy, audited; repeating conflicts', async () => {
    const id = await ownerAddsPharmacy(true);
    expect((await send('POST', PHARMACY_ROUTES.deactivate.path.replace(':id', id), 'chain-admin')).body).toMatchObject({ id, active: false });
    expect((await send('POST', PHARMACY_ROUTES.deactivate.path.replace(':id', id), 'chain-admin')).body).toMatchObject({ status: 409, reason: 'pharmacy-inactive' });
    expect((await send('POST', PHARMACY_ROUTES.reactivate.path.replace(':id', id), 'chain-admin')).body).toMatchObject({ id, active: true, deactivatedAt: null });
    const events = await db.owner.selectFrom('audit_events').select('action').where('object_id', '=', id).execute();
    expect(events.map((e) => e.action).sort()).toEqual(['pharmacy.deactivate', 'pharmacy.reactivate']);
  });
});

describe('validation', () => {
  it('names each field at fault without echoing it', async () => {
    const add = await send('POST', PHARMACY_ROUTES.add.path, 'chain-admin', { finess: '759999908', name: 'Pharmacie', extra: 1 });
    expect(add).toMatchObject({ status: 422, body: { errors: [{ pointer: '/extra', code: 'unknown-field' }] } });
    const key = await send('POST', PHARMACY_ROUTES.add.path, 'chain-admin', { finess: '759999908', name: 'Pharmacie' });
    expect(key).toMatchObject({ status: 422, body: { errors: [{ pointer: '/finess', code: 'finess-checksum' }] } });
    expect(JSON.stringify(key.body)).not.toContain('759999908');
    const grant = (json: object) => send('POST', ENROLMENT_ROUTES.grant.path, 'chain-admin', { issuer: 'test', subject: 's', role: 'operator', ...json });
    expect((await grant({})).body).toMatchObject({ status: 422, errors: [{ pointer: '/expiresAt', code: 'required' }] });
    expect((await grant({ expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() })).body).toMatchObject({ errors: [{ pointer: '/expiresAt', code: 'time-range' }] });
    expect((await grant({ expiresAt: new Date(Date.now() - 1000).toISOString() })).body).toMatchObject({ errors: [{ pointer: '/expiresAt', code: 'time-range' }] });
    expect((await grant({ role: 'root', expiresAt: inAMonth() })).body).toMatchObject({ errors: [{ pointer: '/role' }] });
    expect((await grant({ role: 'pharmacist', expiresAt: inAMonth() })).body).toMatchObject({ errors: [{ pointer: '/pharmacy', code: 'required' }] });
    // only a configured identity provider signs anyone in
    expect((await grant({ issuer: 'elsewhere', expiresAt: inAMonth() })).body).toMatchObject({ status: 422, errors: [{ pointer: '/issuer', code: 'invalid-type' }] });
    expect((await send('POST', CERTIFICATE_ROUTES.revoke.path.replace(':fingerprint', 'ab'.repeat(32)), 'chain-admin', { reason: 'keyCompromise' })).status).toBe(404);
    expect((await send('POST', PHARMACY_ROUTES.deactivate.path.replace(':id', OWN), 'chain-admin')).status).toBe(404);
  });
});
