import { z } from '@hono/zod-openapi';
import { Hono, type MiddlewareHandler } from 'hono';
import { AccessReviewSchema, EnrolmentRecertifiedSchema, idParam, json, jsonRequest } from '../api-schemas/index.js';
import { recertifyEnrolment, reviewAccess } from '../auth/access-review.js';
import type { Database } from '../db/index.js';
import { appendAuditNow } from '../audit/index.js';
import { Forbidden, NotFound, ValidationFailed } from '../errors.js';
import { isUuid } from '../uuid.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { requireScope } from './registry-access.js';
import { actorOf, requester } from './requester.js';

/** The body of a recertification: the new expiry (`recertifyEnrolment` bounds it). */
export const RECERTIFY_BODY = z.object({ expiresAt: z.iso.datetime({ offset: true }) }).strict();

/** Routes of the access review page. */
export const ACCESS_REVIEW_ROUTES = {
  review: {
    method: 'GET',
    path: '/api/web/v1/admin/access-review',
    access: 'access-review',
    schemas: () => ({ summary: 'People with live enrolments in scope, their last sign-in and its MFA evidence', responses: { 200: json('The people', AccessReviewSchema) } }),
  },
  recertify: {
    method: 'POST',
    path: '/api/web/v1/admin/enrolments/:id/recertify',
    access: 'enrolments',
    schemas: () => ({ summary: 'Extend a live enrolment', request: { params: idParam, body: jsonRequest(RECERTIFY_BODY) }, responses: { 200: json('Recertified', EnrolmentRecertifiedSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

/**
 * The access review: chain admins, auditors and DPOs see every person, a pharmacy manager the
 * people of its pharmacies; recertifying (like revoking, on the enrolments routes) needs the
 * `enrolments` right over the enrolment's pharmacy, or chain-wide for a chain role, and is
 * refused on one's own enrolment.
 * @example const { routes, app } = createAccessReviewRoutes({ db, jsonBody });
 */
export function createAccessReviewRoutes(deps: { db: Database; jsonBody: MiddlewareHandler<WebEnv> }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = ACCESS_REVIEW_ROUTES;

  app.get(R.review.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'access-review');
    return c.json({ items: await reviewAccess(deps.db, scope) });
  });

  app.post(R.recertify.path, deps.jsonBody, async (c) => {
    const id = c.req.param('id') ?? '';
    if (!isUuid(id)) throw new NotFound();
    const parsed = RECERTIFY_BODY.safeParse(c.get('body'));
    if (!parsed.success) throw new ValidationFailed([{ pointer: '/expiresAt', code: 'time-range' }]);
    const expiresAt = new Date(parsed.data.expiresAt);
    const row = await deps.db.selectFrom('enrolments').select(['pharmacy_id', 'issuer', 'subject']).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) throw new NotFound();
    await requireScope(deps.db, c, 'enrolments', row.pharmacy_id !== null ? { pharmacyId: row.pharmacy_id } : 'chain');
    // a review by someone else: nobody extends their own rights
    const session = c.get('session');
    if (row.issuer === session.issuer && row.subject === session.subject) {
      await appendAuditNow(deps.db, { ...requester(c), action: 'admin.enrolments', outcome: 'denied', reason: 'own-enrolment' });
      throw new Forbidden();
    }
    if (!(await recertifyEnrolment(deps.db, id, expiresAt, actorOf(c)))) throw new NotFound();
    return c.json({ id, expiresAt: expiresAt.toISOString() });
  });

  return { routes: Object.values(R), app };
}
