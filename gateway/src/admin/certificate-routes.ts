import { Hono, type MiddlewareHandler } from 'hono';
import { NO_STORE } from '../http/index.js';
import { z } from '@hono/zod-openapi';
import { IssuedCertificateViewSchema, idParam, json, jsonRequest, RevokedCertificateSchema } from '../api-schemas/index.js';
import type { IssuedCertificateView } from '../api-types.js';
import { asRegistrar, type Database } from '../db/index.js';
import { NotFound, RegistryConflict } from '../errors.js';
import { issueCertificate, revokeCertificate } from '../pharmacies/index.js';
import { EXTERNAL_CA, exportPkcs12, parseFingerprint, type CertificateAuthority } from '../pki/index.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { pharmacyIdParam } from './pharmacy-routes.js';
import { parseRevocationBody, REVOCATION_BODY } from './registry-bodies.js';
import { requireScope } from './registry-access.js';
import { actorOf } from './requester.js';

/** The certificates of the pharmacies page (the list is the pharmacies route's). */
export const CERTIFICATE_ROUTES = {
  issue: {
    method: 'POST',
    path: '/api/web/v1/admin/pharmacies/:id/certificates',
    access: 'certificates',
    schemas: () => ({ summary: 'Issue a client certificate', request: { params: idParam }, responses: { 201: json('The certificate and its PKCS#12, answered once', IssuedCertificateViewSchema) } }),
  },
  revoke: {
    method: 'POST',
    path: '/api/web/v1/admin/certificates/:fingerprint/revoke',
    access: 'certificates',
    schemas: () => ({
      summary: 'Revoke a client certificate',
      request: { params: z.object({ fingerprint: z.string().openapi({ description: 'SHA-256 of the DER, hex' }) }), body: jsonRequest(REVOCATION_BODY) },
      responses: { 200: json('Revoked', RevokedCertificateSchema) },
    }),
  },
} as const satisfies Record<string, WebRoute>;

export interface CertificateRoutesDeps {
  db: Database;
  jsonBody: MiddlewareHandler<WebEnv>;
  /**
   * The configured CA, when this process holds it; without it issuing answers 409
   * `ca-not-in-process` and a revocation holds by fingerprint only (401 at intake).
   */
  ca: CertificateAuthority | undefined;
}

/**
 * Issues and revokes pharmacy client certificates for chain admins (any pharmacy) and pharmacy
 * managers (their own), through `pharmacies/certificates.ts` as the registrar role, audited in
 * the same transaction. An issued certificate's PKCS#12 and one-time password are answered once
 * and kept nowhere; a revocation signs a new CRL when this CA issued the certificate.
 * @example const { routes, app } = createCertificateAdminRoutes({ db, jsonBody, ca });
 */
export function createCertificateAdminRoutes(deps: CertificateRoutesDeps): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = CERTIFICATE_ROUTES;

  app.post(R.issue.path, async (c) => {
    const pharmacyId = pharmacyIdParam(c);
    await requireScope(deps.db, c, 'certificates', { pharmacyId });
    const ca = deps.ca;
    if (!ca) throw new RegistryConflict('ca-not-in-process');
    // packed inside the transaction: a failed PKCS#12 leaves no registered certificate whose key is lost
    const view = await asRegistrar(deps.db, async (tx): Promise<IssuedCertificateView> => {
      const { certificate, registered } = await issueCertificate(tx, ca, { pharmacy: pharmacyId, actor: actorOf(c) });
      const { der, password } = await exportPkcs12({ ...certificate, friendlyName: registered.finess });
      const iso = (d: Date | null) => d?.toISOString() ?? null;
      return {
        certificate: { ...registered, notBefore: iso(registered.notBefore), notAfter: registered.notAfter.toISOString(), revokedAt: iso(registered.revokedAt) },
        certificatePem: certificate.certPem,
        chainPem: certificate.chainPem,
        pkcs12Base64: der.toString('base64'),
        password,
      };
    });
    return c.json(view, 201, NO_STORE);
  });

  app.post(R.revoke.path, deps.jsonBody, async (c) => {
    const fingerprint = parseFingerprint(c.req.param('fingerprint') ?? '');
    if (!fingerprint) throw new NotFound();
    const row = await deps.db.selectFrom('client_certificates').select('pharmacy_id').where('fingerprint', '=', fingerprint).executeTakeFirst();
    if (!row) throw new NotFound();
    await requireScope(deps.db, c, 'certificates', { pharmacyId: row.pharmacy_id });
    const reason = parseRevocationBody(c.get('body'));
    return c.json(await asRegistrar(deps.db, (tx) => revokeCertificate(tx, deps.ca ?? EXTERNAL_CA, { fingerprint, reason, actor: actorOf(c) })));
  });

  return { routes: Object.values(R), app };
}
