import { Hono } from 'hono';
import { idParam, json, OffboardingExportSchema, OffboardingProgressSchema } from '../api-schemas/index.js';
import { appendAuditNow } from '../audit/index.js';
import { asRegistrar, type Database } from '../db/index.js';
import { exportOffboarding, offboardPharmacy } from './offboarding.js';
import { EXTERNAL_CA, type CertificateAuthority } from '../pki/index.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { pharmacyIdParam } from './pharmacy-routes.js';
import { requireScope } from './registry-access.js';
import { actorOf, requester } from './requester.js';

/** Offboarding a pharmacy from the pharmacies page: chain admins only, as the registry itself. */
export const OFFBOARDING_ROUTES = {
  offboard: {
    method: 'POST',
    path: '/api/web/v1/admin/pharmacies/:id/offboard',
    access: 'enrolments',
    schemas: () => ({ summary: 'Offboard a pharmacy, or see how far it is (run again until offboarded)', request: { params: idParam }, responses: { 200: json('Where the offboarding stands', OffboardingProgressSchema) } }),
  },
  export: {
    method: 'GET',
    path: '/api/web/v1/admin/pharmacies/:id/offboarding-export',
    access: 'enrolments',
    schemas: () => ({ summary: "A pharmacy's receipts and monthly statistics, without personal data", request: { params: idParam }, responses: { 200: json('The export', OffboardingExportSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

/**
 * Offboards a pharmacy (`offboarding.ts`): registry changes as the registrar role,
 * each audited in its transaction; enrolments through `revoke_enrolment`. Without the CA in this
 * process a certificate is revoked by fingerprint only (401 at intake), as the certificates page does.
 * @example const { routes, app } = createOffboardingAdminRoutes({ db, ca });
 */
export function createOffboardingAdminRoutes(deps: { db: Database; ca: CertificateAuthority | undefined }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = OFFBOARDING_ROUTES;

  app.post(R.offboard.path, async (c) => {
    await requireScope(deps.db, c, 'enrolments', 'chain');
    const reference = pharmacyIdParam(c);
    return c.json(await offboardPharmacy({ db: deps.db, ca: deps.ca ?? EXTERNAL_CA, registry: (change) => asRegistrar(deps.db, change) }, { reference, actor: actorOf(c) }));
  });

  app.get(R.export.path, async (c) => {
    await requireScope(deps.db, c, 'enrolments', 'chain');
    const pharmacyId = pharmacyIdParam(c);
    const exported = await exportOffboarding(deps.db, pharmacyId);
    await appendAuditNow(deps.db, { ...requester(c), action: 'pharmacy.offboard', object: { type: 'pharmacy', id: pharmacyId }, outcome: 'success', reason: 'export' });
    c.header('content-disposition', `attachment; filename="${exported.finess}-offboarding-export.json"`);
    return c.json(exported);
  });

  return { routes: Object.values(R), app };
}
