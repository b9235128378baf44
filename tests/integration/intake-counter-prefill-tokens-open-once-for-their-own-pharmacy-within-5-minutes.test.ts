import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../gateway/src/auth/sessions.js';
import { deleteExpiredPrefills } from '../../gateway/src/intake/prefills.js';
import { dumpDatabase } from '../support/database-dump.js';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticNir, syntheticResult } from '../support/synthetic-result.js';
import { startWebHarness, type Browser, type WebHarness } from '../support/web-harness.js';

/**
 * The one-time prefill token of issue 19, over real mTLS (issue) and a real session (redeem):
 * single use, 5 minutes at most, bound to the issuing pharmacy, the identity sealed and checked
 * by the intake's own patient rules, and both steps audited with server-made values only.
 */
let w: WebHarness;
const people: Record<string, { b: Browser; csrf: string }> = {};

const patient = () => ({ ...syntheticResult().patient, nir: syntheticNir() });

const issue = (finess: string, body: unknown) => w.h.call(finess, 'POST', '/api/v1/counter-prefills', { body });

async function redeem(who: string, token: unknown) {
  if (!people[who]) {
    const { browser } = await w.signIn(who);
    people[who] = { b: browser, csrf: (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string };
  }
  const { b, csrf } = people[who];
  return b.fetch('POST', `${w.webUrl}/api/web/v1/counter-prefills/redeem`, { json: { token }, headers: { 'x-csrf-token': csrf, origin: w.webUrl } });
}

const rows = () => w.h.db.owner.selectFrom('counter_prefills').selectAll().execute();
const events = (action: string) => w.h.db.owner.selectFrom('audit_events').select(['actor_type', 'actor_id', 'object_type', 'object_id', 'outcome', 'reason']).where('action', '=', action).orderBy('seq').execute();

beforeAll(async () => {
  w = await startWebHarness();
}, 120_000);
afterAll(() => w?.close());

describe('counter-prefill tokens', () => {
  it('open the counter once, for a pharmacist of the issuing pharmacy, with the normalised identity', async () => {
    const identity = patient();
    const issued = await issue(PHARMACY_A, { patient: identity });
    expect(issued.status).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const lifetime = Date.parse(issued.body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(4 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(5 * 60_000);

    const first = await redeem('pharmacien1', issued.body.token);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toEqual({ pharmacyFiness: PHARMACY_A, patient: expect.objectContaining({ nir: identity.nir, birthName: identity.birthName, firstNames: identity.firstNames, phone: '+33639981234', insStatus: 'PROV' }) });
    // single use: the row went with the first redemption
    expect((await redeem('pharmacien1', issued.body.token)).status).toBe(404);
    expect(await rows()).toEqual([]);
  });

  it("answer another pharmacy's pharmacist 404 without spending the token, which its own pharmacy then redeems", async () => {
    const issued = await issue(PHARMACY_B, { patient: patient() });
    const refused = await redeem('pharmacien1', issued.body.token);
    expect(refused.status).toBe(404);
    expect(refused.json()).toMatchObject({ code: 'not-found' });
    const [row] = await rows();
    expect(row?.token_hash).toBe(hashSecret(issued.body.token));
    expect((await redeem('pharmacien2', issued.body.token)).json()).toMatchObject({ pharmacyFiness: PHARMACY_B });
    const denied = (await events('counter-prefill.redeem')).filter((e) => e.outcome === 'denied');
    expect(denied).toContainEqual(expect.objectContaining({ object_type: 'counter-prefill', object_id: row?.id, reason: 'other-pharmacy' }));
  });

  it('stop working once expired, and the purge deletes them', async () => {
    const issued = await issue(PHARMACY_A, { patient: patient() });
    await sql`UPDATE counter_prefills SET expires_at = now() - interval '1 second'`.execute(w.h.db.owner);
    expect((await redeem('pharmacien1', issued.body.token)).status).toBe(404);
    expect(await rows()).toHaveLength(1);
    expect(await deleteExpiredPrefills(w.h.db.owner)).toBe(1);
    expect(await rows()).toEqual([]);
  });

  it('refuses an invalid identity with every field at fault, storing nothing', async () => {
    const before = (await events('counter-prefill.create')).length;
    const res = await issue(PHARMACY_A, { patient: { ...patient(), nir: '185036912345610', birthName: '', email: undefined, phone: undefined }, extra: 1 });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { pointer: '/patient/nir', code: 'nir-checksum' },
      { pointer: '/patient/birthName', code: 'name-format' },
      { pointer: '/patient/phone', code: 'contact-required' },
      { pointer: '/extra', code: 'unknown-field' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('185036912345610');
    expect(await rows()).toEqual([]);
    expect(await events('counter-prefill.create')).toHaveLength(before);
    expect((await redeem('pharmacien1', 'not a token')).json()).toMatchObject({ code: 'validation', errors: [{ pointer: '/token' }] });
  });

  it('keep the identity sealed and the token unstored, and audit with server-made values only', async () => {
    const identity = patient();
    const issued = await issue(PHARMACY_A, { patient: identity });
    const dump = await dumpDatabase(w.h.db.owner);
    for (const value of [identity.nir, identity.birthName, identity.email, issued.body.token]) expect(dump).not.toContain(value);
    await redeem('pharmacien1', issued.body.token);
    const created = (await events('counter-prefill.create')).at(-1);
    const redeemed = (await events('counter-prefill.redeem')).filter((e) => e.outcome === 'success').at(-1);
    expect(created).toMatchObject({ actor_type: 'pharmacy', object_type: 'counter-prefill', outcome: 'success', reason: null });
    expect(redeemed).toMatchObject({ actor_type: 'user', object_type: 'counter-prefill', object_id: created?.object_id, outcome: 'success' });
    const logs = w.h.logs.join('\n');
    for (const value of [identity.nir, identity.birthName, issued.body.token]) expect(logs).not.toContain(value);
  });
});
