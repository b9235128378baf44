import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryConflict, ValidationFailed } from '../../gateway/src/errors.js';
import { addPharmacy, deactivatePharmacy, issueCertificate, listPharmacies } from '../../gateway/src/pharmacies/index.js';
import { createDevCa, createDevCertificateAuthority } from '../../gateway/src/pki/index.js';
import { finessIssue } from '../../gateway/src/results/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const actor = { type: 'user' as const, id: 'cli:tester' };
let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db.drop());

/** A FINESS with a correct Luhn key, from its first eight digits. */
function withKey(first8: string): string {
  for (let key = 0; key <= 9; key++) if (finessIssue(`${first8}${key}`) === undefined) return `${first8}${key}`;
  throw new Error('unreachable: one key digit always fits');
}

const audited = (action: string) =>
  db.owner.selectFrom('audit_events').select(['actor_id', 'object_id', 'outcome']).where('action', '=', action).execute();

describe('the pharmacy registry', () => {
  it('refuses every FINESS that intake would refuse, naming the rule, and stores nothing', async () => {
    const invalid = fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9AB]{9}$/)).filter((s) => finessIssue(s) !== undefined);
    await fc.assert(
      fc.asyncProperty(invalid, async (finess) => {
        const refused = await addPharmacy(db.owner, { finess, name: 'Pharmacie', actor }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ValidationFailed);
        expect((refused as ValidationFailed).errors).toEqual([{ pointer: '/finess', code: finessIssue(finess) }]);
      }),
      { numRuns: 60 },
    );
    expect(await listPharmacies(db.owner)).toEqual([]);
  });

  it('accepts every FINESS with a correct key, once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[0-9]{8}$/), async (first8) => {
        const finess = withKey(first8);
        if ((await listPharmacies(db.owner)).some((p) => p.finess === finess)) return;
        expect(await addPharmacy(db.owner, { finess, name: `Pharmacie ${first8}`, actor })).toMatchObject({ finess, active: true });
        await expect(addPharmacy(db.owner, { finess, name: 'Again', actor })).rejects.toEqual(new RegistryConflict('pharmacy-exists'));
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a name with control characters (it reaches terminals and the admin UI)', async () => {
    const refused = await addPharmacy(db.owner, { finess: '759901028', name: 'Pharmacie\u001b[2J', actor }).catch((e: unknown) => e);
    expect((refused as ValidationFailed).errors).toEqual([{ pointer: '/name', code: 'name-format' }]);
  });

  it('deactivates once, then refuses new certificates, and audits who did what', async () => {
    const p = await addPharmacy(db.owner, { finess: '759901036', name: 'Pharmacie qui ferme', actor });
    expect(await deactivatePharmacy(db.owner, { reference: p.finess, actor })).toMatchObject({ active: false, deactivatedAt: expect.any(Date) });
    await expect(deactivatePharmacy(db.owner, { reference: p.id, actor })).rejects.toEqual(new RegistryConflict('pharmacy-inactive'));
    const signer = createDevCertificateAuthority({ ca: await createDevCa(), clientValidityDays: 30, crlValidityDays: 7 });
    await expect(issueCertificate(db.owner, signer, { pharmacy: p.finess, actor })).rejects.toEqual(new RegistryConflict('pharmacy-inactive'));
    expect(await audited('pharmacy.add')).toContainEqual({ actor_id: 'cli:tester', object_id: p.id, outcome: 'success' });
    expect(await audited('pharmacy.deactivate')).toEqual([{ actor_id: 'cli:tester', object_id: p.id, outcome: 'success' }]);
  });
});
