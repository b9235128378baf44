import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * The status-callback endpoints of the web API: a pharmacy manager (titulaire1, pharmacy A)
 * manages its own pharmacy's endpoints and may not allow-list a network past the SSRF guard;
 * a chain admin may. Each signing secret is answered once and never listed or stored in clear,
 * and the audit log names endpoints by id, never by the URL the person typed.
 */
const w = webHarnessWithAResult();
const { as } = webApiCalls(w);
const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

const pharmacyId = (finess: string) => w().h.pharmacyIds[finess] as string;
/** A URL whose text must never reach the audit log. */
const markedUrl = () => `https://93.184.215.14/hooks-ZZMARK-${randomUUID()}`;
const add = (who: string, finess: string, body: unknown) => as(who, 'POST', `/api/web/v1/admin/pharmacies/${pharmacyId(finess)}/webhooks`, body);
const listed = async (who: string) => (await as(who, 'GET', '/api/web/v1/admin/webhooks')).text;

describe('callback endpoints on the web', () => {
  it('refuse a pharmacy manager that sends allowNetworks, even empty, and store nothing; a chain admin sets it', async () => {
    const url = 'https://127.0.0.1:9/manager-hooks';
    for (const allowNetworks of [['127.0.0.0/8'], []]) {
      const refused = await add('titulaire1', PHARMACY_A, { url, allowNetworks });
      expect(refused.status).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'forbidden' });
    }
    // without it, the SSRF guard refuses the loopback address
    expect((await add('titulaire1', PHARMACY_A, { url })).json()).toMatchObject({ status: 422, errors: [{ pointer: '/url', code: 'address-loopback' }] });
    expect(await w().h.db.owner.selectFrom('webhook_endpoints').select('id').where('url', '=', url).execute()).toEqual([]);

    const added = await add('admin', PHARMACY_A, { url: 'https://127.0.0.1:9/admin-hooks', allowNetworks: ['127.0.0.0/8'], events: ['certificate.expiring'] });
    expect(added.status).toBe(201);
    expect(added.json().secret).toMatch(SECRET);
    const denied = await w().h.db.owner.selectFrom('audit_events').select('action').where('outcome', '=', 'denied').where('action', '=', 'admin.certificates').execute();
    expect(denied.length).toBeGreaterThanOrEqual(2);
  });

  it('refuse a malformed network, CA or field by pointer and code', async () => {
    const url = markedUrl();
    expect((await add('admin', PHARMACY_A, { url, allowNetworks: ['10.0.0.0/33'] })).json()).toMatchObject({ status: 422, errors: [{ pointer: '/allowNetworks', code: 'allow-network-invalid' }] });
    expect((await add('admin', PHARMACY_A, { url, caPem: '-----BEGIN CERTIFICATE-----\nZZMARK\n-----END CERTIFICATE-----' })).json()).toMatchObject({ status: 422, errors: [{ pointer: '/caPem', code: 'ca-invalid' }] });
    const unknown = await add('admin', PHARMACY_A, { url, events: ['result.deleted'], secret: 'whsec_AAAA' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).not.toContain('ZZMARK');
    expect((await add('admin', PHARMACY_A, { url: 'http://93.184.215.14/hooks' })).json()).toMatchObject({ errors: [{ pointer: '/url', code: 'url-not-https' }] });
  });

  it("let a pharmacy manager manage its own pharmacy's endpoints only, each secret answered once", async () => {
    const theirs = (await add('admin', PHARMACY_B, { url: markedUrl(), events: ['certificate.expiring'] })).json() as { id: string; secret: string };
    const answer = await add('titulaire1', PHARMACY_A, { url: markedUrl(), events: ['certificate.expiring'] });
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    const mine = answer.json() as { id: string; secret: string };
    expect(mine.secret).toMatch(SECRET);
    expect((await add('titulaire1', PHARMACY_B, { url: markedUrl() })).status).toBe(403);

    const list = JSON.parse(await listed('titulaire1')) as { items: { id: string; finess: string }[] };
    expect(list.items.map((e) => e.id)).toContain(mine.id);
    expect(new Set(list.items.map((e) => e.finess))).toEqual(new Set([PHARMACY_A]));
    expect(JSON.parse(await listed('admin')).items.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));

    for (const action of ['test', 'rotate-secret', 'remove']) {
      expect((await as('titulaire1', 'POST', `/api/web/v1/admin/webhooks/${theirs.id}/${action}`)).status, action).toBe(403);
    }
    const rotated = (await as('titulaire1', 'POST', `/api/web/v1/admin/webhooks/${mine.id}/rotate-secret`)).json() as { secret: string };
    expect(rotated.secret).toMatch(SECRET);
    expect(rotated.secret).not.toBe(mine.secret);
    const queued = await as('titulaire1', 'POST', `/api/web/v1/admin/webhooks/${mine.id}/test`);
    expect(queued.status).toBe(202);

    // never again: not listed to anyone, not stored in clear
    const stored = JSON.stringify(await w().h.db.owner.selectFrom('webhook_endpoints').selectAll().execute());
    for (const text of [await listed('titulaire1'), await listed('admin'), stored]) {
      expect(text).not.toContain('whsec_');
      for (const s of [mine.secret, rotated.secret, theirs.secret]) expect(text).not.toContain(s.slice('whsec_'.length));
    }

    expect((await as('titulaire1', 'POST', `/api/web/v1/admin/webhooks/${mine.id}/remove`)).json()).toEqual({ id: mine.id, removed: true });
    expect(await listed('titulaire1')).not.toContain(mine.id);
    expect((await as('titulaire1', 'POST', `/api/web/v1/admin/webhooks/${mine.id}/test`)).status).toBe(404);

    const events = await w().h.db.owner.selectFrom('audit_events').selectAll().where('action', 'like', 'webhook.%').where('object_id', '=', mine.id).orderBy('seq').execute();
    expect(events.map((e) => [e.action, e.object_type, e.actor_id])).toEqual(
      ['webhook.add', 'webhook.rotate-secret', 'webhook.test', 'webhook.remove'].map((a) => [a, 'webhook-endpoint', `dev:${w().person('titulaire1').subject}`]),
    );
  });

  it("replay a dead callback of the person's scope only", async () => {
    const { id: endpointId } = (await add('admin', PHARMACY_B, { url: markedUrl(), events: ['certificate.expiring'] })).json() as { id: string };
    const { id: eventId } = await w().h.db.owner.insertInto('webhook_events').values({ endpoint_id: endpointId, subject_id: randomUUID(), type: 'certificate.expiring', payload: {}, status: 'dead', dead_reason: 'http-4xx' }).returning('id').executeTakeFirstOrThrow();
    expect((await as('titulaire1', 'POST', `/api/web/v1/admin/webhook-events/${eventId}/replay`)).status).toBe(403);
    expect((await as('admin', 'POST', `/api/web/v1/admin/webhook-events/${eventId}/replay`)).json()).toEqual({ eventId });
    const listedEvent = (JSON.parse(await listed('admin')) as { items: { id: string; recent: { id: string; status: string }[] }[] }).items.find((e) => e.id === endpointId)?.recent[0];
    expect(listedEvent).toMatchObject({ id: eventId, status: expect.stringMatching(/^(pending|dead)$/) });
    const audited = await w().h.db.owner.selectFrom('audit_events').select(['action', 'object_type']).where('object_id', '=', eventId).execute();
    expect(audited).toEqual([{ action: 'webhook.replay', object_type: 'webhook-event' }]);
  });

  it('write no URL text to the audit log', async () => {
    const all = JSON.stringify(await w().h.db.owner.selectFrom('audit_events').selectAll().execute());
    expect(all).not.toContain('ZZMARK');
    expect(all).not.toContain('admin-hooks');
  });
});
