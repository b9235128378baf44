import { describe, expect, it } from 'vitest';
import type { OffboardingProgress } from '../../gateway/src/api-types.js';
import { eventually } from '../support/gateway-harness.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * The pharmacies page's offboarding over the real web listener (OIDC sign-in, TLS, the runtime
 * role taking the registrar role): a chain admin's run revokes the pharmacy's certificate and its
 * staff's enrolments under their own name, runs again until nothing is pending, and downloads
 * the receipts. The CLI's whole offboarding is followed through in
 * `admin-offboarding-stops-intake-delivers-the-queue-exports-revokes-and-purges.test.ts`; who
 * reaches the routes is the web matrix's.
 */
const w = webHarnessWithAResult();
const { as } = webApiCalls(w);
const FINESS = '759999907';

describe('the chain admin', () => {
  it('offboards a pharmacy from the pharmacies page and downloads its receipts', async () => {
    const db = w().h.db.owner;
    const pharmacyId = w().h.pharmacyIds[FINESS] as string;
    const result = await db.selectFrom('test_results').select('id').where('pharmacy_id', '=', pharmacyId).executeTakeFirstOrThrow();
    const staff = await db.selectFrom('enrolments').select('id').where('pharmacy_id', '=', pharmacyId).where('revoked_at', 'is', null).execute();
    expect(staff.length).toBeGreaterThan(0);

    const first = await as('admin', 'POST', `/api/web/v1/admin/pharmacies/${pharmacyId}/offboard`);
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ pharmacyId, finess: FINESS, certificatesRevoked: 1, enrolmentsRevoked: staff.length });
    // run again until the relay has settled the queue: nothing left to revoke
    const done = await eventually(async () => {
      const again = (await as('admin', 'POST', `/api/web/v1/admin/pharmacies/${pharmacyId}/offboard`)).json() as OffboardingProgress;
      return again.state === 'offboarded' ? again : undefined;
    });
    expect(done).toMatchObject({ pending: 0, certificatesRevoked: 0, enrolmentsRevoked: 0 });

    const admin = `dev:${w().person('admin').subject}`;
    const events = await db.selectFrom('audit_events').select(['action', 'object_id', 'reason']).where('actor_id', '=', admin).where('action', 'in', ['pharmacy.deactivate', 'pharmacy.offboard', 'certificate.revoke', 'enrolment.revoke']).orderBy('seq').execute();
    expect(events.map((e) => `${e.action} ${e.reason ?? ''}`.trim())).toEqual([
      'pharmacy.deactivate',
      'pharmacy.offboard started',
      'certificate.revoke cessationOfOperation',
      ...staff.map(() => 'enrolment.revoke'),
      'pharmacy.offboard completed',
    ]);
    expect(await db.selectFrom('client_certificates').select('revoked_at').where('pharmacy_id', '=', pharmacyId).execute()).toEqual([{ revoked_at: expect.any(Date) }]);

    const exported = await as('admin', 'GET', `/api/web/v1/admin/pharmacies/${pharmacyId}/offboarding-export`);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-disposition']).toBe(`attachment; filename="${FINESS}-offboarding-export.json"`);
    expect(exported.json()).toMatchObject({ finess: FINESS, receipts: [{ id: result.id, status: 'delivered', sidepAckId: expect.any(String) }] });
    expect(await db.selectFrom('audit_events').select(['object_id', 'reason']).where('actor_id', '=', admin).where('action', '=', 'pharmacy.offboard').where('reason', '=', 'export').execute()).toEqual([{ object_id: pharmacyId, reason: 'export' }]);
  });
});
