import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { idParam, json, jsonRequest, PharmacyRowSchema, PharmacyRowsSchema, RegisteredPharmacySchema } from '../api-schemas/index.js';
import type { PharmacyRow } from '../api-types.js';
import { asRegistrar, type Database } from '../db/index.js';
import { NotFound } from '../errors.js';
import { addPharmacy, deactivatePharmacy, listCertificates, listPharmacies, reactivatePharmacy } from '../pharmacies/index.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { parsePharmacyBody, PHARMACY_BODY } from './registry-bodies.js';
import { requireScope } from './registry-access.js';
import { actorOf } from './requester.js';
import { isUuid } from '../uuid.js';

/** Routes of the pharmacies page; `authorize` checks the session, CSRF and the row first. */
export const PHARMACY_ROUTES = {
  list: { method: 'GET', path: '/api/web/v1/admin/pharmacies', access: 'certificates', schemas: () => ({ summary: 'Pharmacies in scope, with their certificates', responses: { 200: json('The pharmacies', PharmacyRowsSchema) } }) },
  // the registry itself: chain-wide holders of the enrolments row only (checked in the handler)
  add: {
    method: 'POST',
    path: '/api/web/v1/admin/pharmacies',
    access: 'enrolments',
    schemas: () => ({ summary: 'Add a pharmacy', request: { body: jsonRequest(PHARMACY_BODY) }, responses: { 201: json('Added', PharmacyRowSchema) } }),
  },
  deactivate: {
    method: 'POST',
    path: '/api/web/v1/admin/pharmacies/:id/deactivate',
    access: 'enrolments',
    schemas: () => ({ summary: 'Deactivate a pharmacy', request: { params: idParam }, responses: { 200: json('Deactivated', RegisteredPharmacySchema) } }),
  },
  reactivate: {
    method: 'POST',
    path: '/api/web/v1/admin/pharmacies/:id/reactivate',
    access: 'enrolments',
    schemas: () => ({ summary: 'Reactivate a pharmacy', request: { params: idParam }, responses: { 200: json('Reactivated', RegisteredPharmacySchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

/** The `:id` of a pharmacy route; anything but a UUID names no pharmacy (404). */
export function pharmacyIdParam(c: Context<WebEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!isUuid(id)) throw new NotFound();
  return id.toLowerCase();
}

/**
 * Pharmacies and their certificates with expiry, for chain admins (all) and pharmacy managers
 * (their own); chain admins add, deactivate and reactivate pharmacies. Each change runs as the
 * registrar role with its audit event in one transaction (`db/registrar.ts`).
 * @example const { routes, app } = createPharmacyAdminRoutes({ db, jsonBody });
 */
export function createPharmacyAdminRoutes(deps: { db: Database; jsonBody: MiddlewareHandler<WebEnv> }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = PHARMACY_ROUTES;

  app.get(R.list.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'certificates');
    const [pharmacies, certificates] = await Promise.all([listPharmacies(deps.db), listCertificates(deps.db)]);
    const items = pharmacies
      .filter((p) => scope.all || scope.pharmacyIds.includes(p.id))
      .map((p) => ({ ...p, certificates: certificates.filter((x) => x.pharmacyId === p.id) }));
    return c.json({ items: items satisfies Serialized<PharmacyRow>[] });
  });

  app.post(R.add.path, deps.jsonBody, async (c) => {
    await requireScope(deps.db, c, 'enrolments', 'chain');
    const body = parsePharmacyBody(c.get('body'));
    const pharmacy = await asRegistrar(deps.db, (tx) => addPharmacy(tx, { ...body, actor: actorOf(c) }));
    return c.json({ ...pharmacy, certificates: [] }, 201);
  });

  for (const [route, change] of [[R.deactivate, deactivatePharmacy], [R.reactivate, reactivatePharmacy]] as const) {
    app.post(route.path, async (c) => {
      await requireScope(deps.db, c, 'enrolments', 'chain');
      const reference = pharmacyIdParam(c);
      return c.json(await asRegistrar(deps.db, (tx) => change(tx, { reference, actor: actorOf(c) })));
    });
  }

  return { routes: Object.values(R), app };
}

/** A shape as the server holds it before JSON turns its dates into strings. */
type Serialized<T> = { [K in keyof T]: T[K] extends string ? string | Date : T[K] extends string | null ? string | Date | null : T[K] extends (infer U)[] ? Serialized<U>[] : T[K] };
