import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import { reactivatePharmacy } from '../../gateway/src/pharmacies/index.js';
import { purgeExpired } from '../../gateway/src/results/lifecycle/purge.js';
import { eventually, PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * A pharmacy leaving the chain, followed through on the real intake listener, relay and SI-DEP
 * simulator: `gateway pharmacy offboard` stops its intake at once, revokes its certificates and
 * enrolments, exports its receipts and statistics without a personal value, lets the relay
 * deliver what was queued, completes once nothing is pending, and the purge then destroys its
 * results' personal data without waiting for retention. The other pharmacy is untouched.
 */
const run = promisify(execFile);
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const planted = { birthName: 'Quittelachaine', firstNames: ['Offboardine'], phone: '06 11 22 33 44', email: 'offboardine@example.org' };

async function submit(finess: string): Promise<{ id: string; nir: string }> {
  const body = syntheticResult({ pharmacyFiness: finess, patient: planted });
  const res = await h.call(finess, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, nir: body.patient.nir as string };
}
const statusOf = async (id: string) => (await h.db.owner.selectFrom('test_results').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const until = (id: string, wanted: string) => eventually(async () => ((await statusOf(id)) === wanted ? wanted : undefined));
const offboard = (exportDir: string) =>
  run(process.execPath, ['gateway/bin/gateway.js', 'pharmacy', 'offboard', PHARMACY_A, '--export-dir', exportDir, '--operator', 'alice', '--database-url', h.db.ownerUrl]);
const audited = (action: string) => h.db.owner.selectFrom('audit_events').select(['actor_id', 'object_id', 'reason']).where('action', '=', action).execute();

describe('gateway pharmacy offboard', () => {
  it('stops intake, revokes, exports, delivers the queue, completes, and lets the purge take the personal data', async () => {
    const delivered = await submit(PHARMACY_A);
    await until(delivered.id, 'delivered');
    // before SI-DEP's Retry-After below, which holds every send, whichever pharmacy's
    const other = await submit(PHARMACY_B);
    await until(other.id, 'delivered');
    await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 400 } });
    const dead = await submit(PHARMACY_A);
    await until(dead.id, 'dead-lettered');
    // held back by SI-DEP for an hour: still queued when the offboarding starts
    await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 1, status: 429, retryAfterSeconds: 3600 } });
    const pending = await submit(PHARMACY_A);
    await until(pending.id, 'retrying');
    const enrolOn = (pharmacy: string) => enrol(h.db.owner, { issuer: 'dev', subject: `ph-${pharmacy}`, role: 'pharmacist', pharmacy, expiresAt: new Date(Date.now() + 86_400_000), actor: { type: 'system', id: 'test' } });
    const pharmacist = await enrolOn(PHARMACY_A);
    const otherPharmacist = await enrolOn(PHARMACY_B);
    const exportDir = path.join(h.dir, 'offboarding-export');

    const first = await offboard(exportDir);
    expect(first.stdout).toContain('1 result(s) still pending delivery');

    // intake refused once the listener's revocation watch has seen it (its open connections closed); the other pharmacy goes on
    // refused either way: 401, or the connection closed by the revocation watch (DESIGN's mTLS outcomes)
    const refused = (call: Promise<{ status: number }>) => call.then((r) => r.status === 401, () => true);
    await eventually(async () => ((await refused(h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${delivered.id}`))) ? true : undefined));
    expect(await refused(h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_A }), headers: { 'idempotency-key': randomUUID() } }))).toBe(true);
    expect((await h.call(PHARMACY_B, 'GET', `/api/v1/test-results/${other.id}`)).status).toBe(200);
    const pharmacyA = h.pharmacyIds[PHARMACY_A] as string;
    const certificates = await h.db.owner.selectFrom('client_certificates').select(['pharmacy_id', 'revoked_at', 'revocation_reason']).execute();
    expect(certificates.filter((c) => c.pharmacy_id === pharmacyA)).toEqual([{ pharmacy_id: pharmacyA, revoked_at: expect.any(Date), revocation_reason: 'cessationOfOperation' }]);
    expect(certificates.filter((c) => c.pharmacy_id !== pharmacyA).every((c) => c.revoked_at === null)).toBe(true);
    const enrolments = await h.db.owner.selectFrom('enrolments').select(['id', 'revoked_at']).where('id', 'in', [pharmacist, otherPharmacist]).execute();
    expect(enrolments.find((e) => e.id === pharmacist)?.revoked_at).toEqual(expect.any(Date));
    expect(enrolments.find((e) => e.id === otherPharmacist)?.revoked_at).toBeNull();
    expect(await h.db.owner.selectFrom('pharmacies').select(['active', 'offboarded_at']).where('id', '=', pharmacyA).executeTakeFirstOrThrow()).toEqual({ active: false, offboarded_at: null });
    // an offboarding pharmacy takes no traffic again, whoever tries
    await expect(reactivatePharmacy(h.db.owner, { reference: PHARMACY_A, actor: { type: 'system', id: 'test' } })).rejects.toMatchObject({ code: 'registry-conflict', reason: 'pharmacy-offboarded' });

    // the relay delivers a deactivated pharmacy's queue once SI-DEP takes it again: the hour
    // skipped, for the message and for the relay, whose hold lives in its process
    await h.db.owner.updateTable('outbox_messages').set({ next_attempt_at: new Date() }).where('result_id', '=', pending.id).execute();
    await h.restartGateway();
    await until(pending.id, 'delivered');

    const second = await offboard(exportDir);
    expect(second.stdout).toContain('Offboarded: nothing is pending');
    expect(await h.db.owner.selectFrom('pharmacies').select('offboarded_at').where('id', '=', pharmacyA).executeTakeFirstOrThrow()).toEqual({ offboarded_at: expect.any(Date) });

    // every step audited once with the operator's identity, the second run adding only the completion
    const operator = expect.stringMatching(/^cli:.*;operator=alice$/);
    expect(await audited('pharmacy.offboard')).toEqual([
      { actor_id: operator, object_id: pharmacyA, reason: 'started' },
      { actor_id: operator, object_id: pharmacyA, reason: 'completed' },
    ]);
    expect(await audited('pharmacy.deactivate')).toEqual([{ actor_id: operator, object_id: pharmacyA, reason: null }]);
    expect(await audited('certificate.revoke')).toEqual([{ actor_id: operator, object_id: expect.any(String), reason: 'cessationOfOperation' }]);
    expect(await audited('enrolment.revoke')).toEqual([{ actor_id: operator, object_id: pharmacist, reason: null }]);

    // the export: the receipts with their final statuses and the statistics, no personal value
    const receipts = await readFile(path.join(exportDir, `${PHARMACY_A}-receipts.json`), 'utf8');
    const statistics = await readFile(path.join(exportDir, `${PHARMACY_A}-statistics.csv`), 'utf8');
    const exported = JSON.parse(receipts) as { receipts: { id: string; status: string; sidepAckId: string | null }[] };
    expect(exported.receipts.map((r) => [r.id, r.status]).sort()).toEqual(
      [
        [delivered.id, 'delivered'],
        [dead.id, 'dead-lettered'],
        [pending.id, 'delivered'],
      ].sort(),
    );
    expect(exported.receipts.find((r) => r.id === delivered.id)?.sidepAckId).toEqual(expect.any(String));
    expect(statistics).toMatch(/^finess,name,period,total,delivered,cancelled,deadLettered,corrections,positive,negative,invalid\r\n759999907,Pharmacie 759999907,\d{4}-\d{2},3,2,0,1,0,0,3,0\r\n$/);
    for (const value of [delivered.nir, dead.nir, pending.nir, other.id, planted.birthName, planted.firstNames[0], planted.phone, planted.email]) {
      expect(receipts).not.toContain(value);
      expect(statistics).not.toContain(value);
    }

    // the purge takes the offboarded pharmacy's results now, the other pharmacy's after retention
    await purgeExpired(h.db.owner, { retention: { deliveredDays: 30, deadLetteredDays: 30 }, keyManager: { dataKeyWindowMinutes: 60 } });
    const rows = await h.db.owner.selectFrom('test_results').select(['id', 'sealed', 'nir_index', 'purged_at']).execute();
    for (const id of [delivered.id, dead.id, pending.id]) expect(rows.find((r) => r.id === id)).toEqual({ id, sealed: null, nir_index: null, purged_at: expect.any(Date) });
    expect(rows.find((r) => r.id === other.id)).toMatchObject({ sealed: expect.any(Buffer), purged_at: null });
  });
});
