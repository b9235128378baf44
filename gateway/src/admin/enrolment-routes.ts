import { Hono, type MiddlewareHandler } from 'hono';
import { EnrolmentGrantedSchema, EnrolmentRevokedSchema, EnrolmentsSchema, idParam, json, jsonRequest } from '../api-schemas/index.js';
import { enrol, listEnrolments, revokeEnrolment } from '../auth/enrolments.js';
import { PHARMACY_ROLES } from '../auth/rbac.js';
import type { Database } from '../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { ENROLMENT_BODY, parseEnrolmentBody } from './registry-bodies.js';
import { requireScope } from './registry-access.js';
import { actorOf } from './requester.js';
import { isUuid } from '../uuid.js';

/** A configured identity provider as the grant form offers it (settings `web.issuers[]`). */
export interface ConfiguredIssuer {
  id: string;
  kind: 'psc' | 'generic';
}

/** Routes of the enrolments page. */
export const ENROLMENT_ROUTES = {
  list: { method: 'GET', path: '/api/web/v1/admin/enrolments', access: 'enrolments', schemas: () => ({ summary: 'Live enrolments in scope', responses: { 200: json('The enrolments', EnrolmentsSchema) } }) },
  grant: {
    method: 'POST',
    path: '/api/web/v1/admin/enrolments',
    access: 'enrolments',
    schemas: () => ({ summary: 'Grant a role', request: { body: jsonRequest(ENROLMENT_BODY) }, responses: { 201: json('Granted', EnrolmentGrantedSchema) } }),
  },
  revoke: {
    method: 'POST',
    path: '/api/web/v1/admin/enrolments/:id/revoke',
    access: 'enrolments',
    schemas: () => ({ summary: 'Revoke an enrolment', request: { params: idParam }, responses: { 200: json('Revoked', EnrolmentRevokedSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

/**
 * Who holds which role until when (DESIGN.md "People and rights"): a chain admin lists, grants
 * and revokes any enrolment; a pharmacy manager only the pharmacist and pharmacy-manager
 * enrolments of its own pharmacies. Grants and revocations run as the registrar role, audited
 * in the same transaction (`auth/enrolments.ts`); a refusal is audited and answers 403.
 * @example const { routes, app } = createEnrolmentAdminRoutes({ db, jsonBody });
 */
export function createEnrolmentAdminRoutes(deps: { db: Database; jsonBody: MiddlewareHandler<WebEnv>; issuers: readonly ConfiguredIssuer[]; now?: () => Date }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const now = deps.now ?? (() => new Date());
  const issuers = deps.issuers.map((i) => ({ id: i.id, kind: i.kind }));
  const app = new Hono<WebEnv>();
  const R = ENROLMENT_ROUTES;

  app.get(R.list.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'enrolments');
    const rows = await listEnrolments(deps.db, {});
    if (scope.all) return c.json({ items: rows, issuers });
    const finesses = new Set(c.get('rights').pharmacies.filter((p) => scope.pharmacyIds.includes(p.id)).map((p) => p.finess));
    return c.json({ items: rows.filter((r) => r.finess !== null && finesses.has(r.finess)), issuers });
  });

  app.post(R.grant.path, deps.jsonBody, async (c) => {
    const e = parseEnrolmentBody(c.get('body'), now());
    // a person is only ever signed in by a configured provider: another issuer would enrol no one
    if (!issuers.some((i) => i.id === e.issuer)) throw new ValidationFailed([{ pointer: '/issuer', code: 'invalid-type' }]);
    // chain-wide roles (and unknown pharmacies) only from chain-wide holders; a pharmacy role from holders of that pharmacy
    const pharmacyId = e.pharmacy === undefined ? undefined : (await deps.db.selectFrom('pharmacies').select('id').where('finess', '=', e.pharmacy).executeTakeFirst())?.id;
    await requireScope(deps.db, c, 'enrolments', PHARMACY_ROLES.includes(e.role) && pharmacyId !== undefined ? { pharmacyId } : 'chain');
    const id = await enrol(deps.db, { ...e, actor: actorOf(c) });
    return c.json({ id }, 201);
  });

  app.post(R.revoke.path, async (c) => {
    const id = c.req.param('id') ?? '';
    if (!isUuid(id)) throw new NotFound();
    const row = await deps.db.selectFrom('enrolments').select('pharmacy_id').where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) throw new NotFound();
    // only pharmacy roles name a pharmacy (a CHECK of the table)
    await requireScope(deps.db, c, 'enrolments', row.pharmacy_id !== null ? { pharmacyId: row.pharmacy_id } : 'chain');
    if (!(await revokeEnrolment(deps.db, id, actorOf(c)))) throw new NotFound();
    return c.json({ id, revoked: true });
  });

  return { routes: Object.values(R), app };
}
