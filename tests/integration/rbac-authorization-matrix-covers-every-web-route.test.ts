import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { hashSecret } from '../../gateway/src/auth/sessions.js';
import { createWebApp } from '../../gateway/src/web/app.js';
import type { Browser, WebHarness } from '../support/web-harness.js';
import { startWebHarness } from '../support/web-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * DESIGN.md "People and rights" against every route of the web listener: each role (and
 * anonymous, an expired session, a missing CSRF token) gets exactly the expected status. The
 * route list comes from the app itself, so a route added without a row here fails this test.
 */
type Who = 'anonymous' | 'expired' | 'pharmacien1' | 'titulaire1' | 'exploitant' | 'admin' | 'auditeur';
const WHO: Who[] = ['anonymous', 'expired', 'pharmacien1', 'titulaire1', 'exploitant', 'admin', 'auditeur'];

const A = 'anonymous';
/** Expected status per caller; `ok` is the route's success status. */
const MATRIX: Record<string, { allowed: Who[] | 'everyone'; ok: number }> = {
  'GET /auth/login': { allowed: 'everyone', ok: 302 },
  'GET /auth/callback': { allowed: 'everyone', ok: 400 },
  'GET /auth/signed-out': { allowed: 'everyone', ok: 200 },
  // break-glass without a valid link: refused to everyone alike
  'GET /auth/break-glass': { allowed: 'everyone', ok: 400 },
  'POST /auth/break-glass': { allowed: 'everyone', ok: 400 },
  'POST /auth/logout': { allowed: ['pharmacien1', 'titulaire1', 'exploitant', 'admin', 'auditeur'], ok: 200 },
  'GET /api/web/v1/me': { allowed: ['pharmacien1', 'titulaire1', 'exploitant', 'admin', 'auditeur'], ok: 200 },
  'POST /api/web/v1/test-results': { allowed: ['pharmacien1', 'titulaire1'], ok: 202 },
  'GET /api/web/v1/test-results': { allowed: ['pharmacien1', 'titulaire1'], ok: 200 },
  'GET /api/web/v1/test-results/:id': { allowed: ['pharmacien1', 'titulaire1'], ok: 200 },
  'POST /api/web/v1/test-results/:id/corrections': { allowed: ['pharmacien1', 'titulaire1'], ok: 202 },
  'POST /api/web/v1/test-results/:id/cancellation': { allowed: ['pharmacien1', 'titulaire1'], ok: 202 },
  'GET /api/web/v1/outbox/dead-letters': { allowed: ['exploitant', 'admin'], ok: 200 },
  'POST /api/web/v1/outbox/dead-letters/:id/redrive': { allowed: ['exploitant', 'admin'], ok: 200 },
  'GET /*': { allowed: 'everyone', ok: 404 },
};

let w: WebHarness;
const browsers = new Map<Who, { b: Browser; csrf: string }>();
let resultId: string;
/** Results of pharmacy 1 each allowed person corrects or cancels (one change per result). */
const toChange: Record<string, string> = {};
let deadMessageIds: string[] = [];

async function session(who: Who): Promise<{ b: Browser; csrf: string }> {
  const existing = browsers.get(who);
  if (existing && who !== 'expired') return existing;
  if (who === A) return { b: w.browser(), csrf: '' };
  const { browser } = await w.signIn(who === 'expired' ? 'exploitant' : who);
  const csrf = (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string;
  if (who === 'expired') {
    // idle for longer than the idle timeout: the next request finds the session expired
    const token = browser.cookies.get(w.webUrl)?.get('__Host-gw-session')?.value as string;
    await sql`UPDATE web_sessions SET last_seen_at = now() - interval '1 day' WHERE id_hash = ${hashSecret(token)}`.execute(w.h.db.owner);
  } else browsers.set(who, { b: browser, csrf });
  return { b: browser, csrf };
}

beforeAll(async () => {
  // every row signs in anew: the per-address sign-in limit would otherwise answer 429
  w = await startWebHarness({ web: { signInBurst: 10_000 } });
  // a result of pharmacy 1 to read, and dead letters to redrive (one per allowed caller)
  const res = await w.h.call('759999907', 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
  resultId = res.body.id;
  for (const k of ['corrections:pharmacien1', 'corrections:titulaire1', 'cancellation:pharmacien1', 'cancellation:titulaire1']) {
    toChange[k] = (await w.h.call('759999907', 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id;
  }
  deadMessageIds = [randomUUID(), randomUUID()];
  for (const id of deadMessageIds) {
    const r = randomUUID();
    await w.h.db.owner.insertInto('test_results').values({ id: r, pharmacy_id: w.h.pharmacyIds['759999907'] as string, status: 'dead-lettered', corrects: null, superseded_by: null, sealed: null, data_key_id: null, nir_index: null, external_ref_index: null, loinc: null, collected_minute: null, sidep_ack_id: null, problem_code: 'rejected' }).execute();
    await w.h.db.owner.insertInto('outbox_messages').values({ id, result_id: r, kind: 'original', state: 'dead', depends_on: null, lease_token: null, lease_until: null, last_error_code: null, dead_reason: JSON.stringify({ code: 'rejected' }), ack_id: null, next_attempt_at: new Date(), delivered_at: null }).execute();
  }
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const rppsOf = (who: Who) => (who === 'titulaire1' ? '10000123488' : '10000123454');

function requestFor(route: string, who: Who): { method: string; path: string; json?: unknown; headers?: Record<string, string> } {
  const [method, path] = route.split(' ') as [string, string];
  switch (route) {
    case 'POST /api/web/v1/test-results':
      return { method, path, json: { ...syntheticResult(), performer: { rpps: rppsOf(who) } }, headers: { 'idempotency-key': randomUUID() } };
    case 'GET /api/web/v1/test-results/:id':
      return { method, path: path.replace(':id', resultId) };
    case 'POST /api/web/v1/test-results/:id/corrections':
      return { method, path: path.replace(':id', toChange[`corrections:${who}`] ?? resultId), json: { reason: 'wrong-result', result: { ...syntheticResult(), performer: { rpps: rppsOf(who) } } }, headers: { 'idempotency-key': randomUUID() } };
    case 'POST /api/web/v1/test-results/:id/cancellation':
      return { method, path: path.replace(':id', toChange[`cancellation:${who}`] ?? resultId), json: { reason: 'entered-in-error' }, headers: { 'idempotency-key': randomUUID() } };
    case 'POST /api/web/v1/outbox/dead-letters/:id/redrive':
      return { method, path: path.replace(':id', (who === 'admin' ? deadMessageIds[1] : deadMessageIds[0]) as string) };
    case 'GET /*':
      return { method, path: '/.env' };
    default:
      return { method, path };
  }
}

describe('authorization matrix of the web listener', () => {
  it('has a row for every registered route', () => {
    const app = createWebApp({} as never);
    const registered = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    expect(registered.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const route of Object.keys(MATRIX)) {
    for (const who of WHO) {
      const { allowed, ok } = MATRIX[route] as { allowed: Who[] | 'everyone'; ok: number };
      const expected = allowed === 'everyone' || allowed.includes(who) ? ok : who === A || who === 'expired' ? 401 : 403;
      it(`${route} as ${who} → ${expected}`, async () => {
        // logout uses a session of its own, so the other rows keep theirs
        if (route === 'POST /auth/logout' && who !== A && who !== 'expired') browsers.delete(who);
        const { b, csrf } = await session(who);
        const r = requestFor(route, who);
        const res = await b.fetch(r.method, `${w.webUrl}${r.path}`, { follow: false, ...(r.json !== undefined ? { json: r.json } : {}), headers: { ...r.headers, ...(r.method === 'POST' ? { 'x-csrf-token': csrf, origin: w.webUrl } : {}) } });
        if (route === 'POST /auth/logout') browsers.delete(who);
        expect(res.status).toBe(expected);
      });
    }
  }

  it('refuses every state-changing route without the CSRF token, or from another origin, even to an allowed person', async () => {
    const { b, csrf } = await session('admin');
    for (const route of Object.keys(MATRIX).filter((r) => r.startsWith('POST ') && MATRIX[r]?.allowed !== 'everyone')) {
      const r = requestFor(route, 'admin');
      const missing = await b.fetch('POST', `${w.webUrl}${r.path}`, { follow: false, headers: { ...r.headers, origin: w.webUrl } });
      expect(missing.status, route).toBe(403);
      expect(JSON.parse(missing.text)).toMatchObject({ code: 'csrf-failed' });
      const foreign = await b.fetch('POST', `${w.webUrl}${r.path}`, { follow: false, headers: { ...r.headers, 'x-csrf-token': csrf, origin: 'https://evil.example' } });
      expect(foreign.status, route).toBe(403);
    }
  });

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
    expect(events.some((e) => e.reason === 'csrf-failed')).toBe(true);
  });
});
