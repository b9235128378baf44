import { Hono } from 'hono';
import { appendAuditNow } from '../audit/index.js';
import type { Database } from '../db/index.js';
import { Forbidden } from '../errors.js';
import { listCertificates, listPharmacies } from '../pharmacies/index.js';
import { sourceIp } from '../web/access.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { scopeOf } from './rights.js';

/** Routes of the pharmacies page; `authorize` checks the session and the row first. */
export const PHARMACY_ROUTES = {
  list: { method: 'GET', path: '/api/web/v1/admin/pharmacies', access: 'certificates' },
} as const satisfies Record<string, WebRoute>;

/**
 * Pharmacies and their certificates with expiry, for chain admins (all) and pharmacy managers
 * (their own). Read only: adding, deactivating, issuing and revoking stay on `gateway pharmacy`
 * and `gateway cert`, which run as the owner role and hold the CA key; the web process runs as
 * the runtime role, which may not write those tables.
 * @example const { routes, app } = createPharmacyAdminRoutes({ db });
 */
export function createPharmacyAdminRoutes(deps: { db: Database }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();

  app.get(PHARMACY_ROUTES.list.path, async (c) => {
    const scope = scopeOf(c.get('rights'), 'certificates');
    if (!scope) {
      await appendAuditNow(deps.db, { actor: { type: 'user', id: c.get('session').userId }, action: 'admin.certificates', outcome: 'denied', reason: 'forbidden', requestId: c.get('requestId'), sourceIp: sourceIp(c) });
      throw new Forbidden();
    }
    const [pharmacies, certificates] = await Promise.all([listPharmacies(deps.db), listCertificates(deps.db)]);
    const items = pharmacies
      .filter((p) => scope.all || scope.pharmacyIds.includes(p.id))
      .map((p) => ({ ...p, certificates: certificates.filter((x) => x.pharmacyId === p.id) }));
    return c.json({ items });
  });

  return { routes: Object.values(PHARMACY_ROUTES), app };
}
