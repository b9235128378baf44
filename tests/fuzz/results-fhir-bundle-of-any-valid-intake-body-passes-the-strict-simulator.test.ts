import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkTransactionBundle } from '@sidep-gateway/sidep-simulator';
import { ALLOWED_TEST_CODES, RESULT_CODES, SPECIMEN_CODES, isValidName, listAntigenDevices, nirKey, normalizeName } from '../../gateway/src/results/index.js';
import { SYNTHETIC_NOW } from '../support/synthetic-result.js';
import { messageOf } from '../support/sidep-test-kit.js';

const MESSAGE_ID = '3c8e1f0a-7b2d-4e4f-9a61-0d5c2b7e8f10';
const DAY_MS = 86_400_000;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

// letters that NFC composes into something else are the intake's business, not this property's
const name = fc.stringMatching(/^\p{L}[\p{L} '’-]{0,20}\p{L}$/u).filter((n) => isValidName(normalizeName(n)));
const birth = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(SYNTHETIC_NOW.getTime() - DAY_MS), noInvalidDate: true });
/** A NIR for that birth date and sex, with a random place and order number and its key. */
const nirFor = (birthDate: Date, sex: 'F' | 'M') =>
  fc.tuple(fc.integer({ min: 1, max: 95 }).filter((d) => d !== 20), fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 999 })).map(([dept, commune, order]) => {
    const head = `${sex === 'M' ? 1 : 2}${pad(birthDate.getUTCFullYear() % 100, 2)}${pad(birthDate.getUTCMonth() + 1, 2)}${pad(dept, 2)}${pad(commune, 3)}${pad(order, 3)}`;
    return `${head}${pad(nirKey(head), 2)}`;
  });
interface Identity {
  birthDate: Date;
  sex: string;
  nir?: string;
  insStatus?: string;
  noNirReason?: string;
}
const identity = fc.tuple(birth, fc.constantFrom<'F' | 'M'>('F', 'M'), fc.boolean()).chain(([date, sex, hasNir]): fc.Arbitrary<Identity> =>
  hasNir
    ? fc.record({ birthDate: fc.constant(date), sex: fc.constant(sex), nir: nirFor(date, sex), insStatus: fc.constantFrom('PROV', 'RECUP', 'VALI', 'QUAL') })
    : fc.record({ birthDate: fc.constant(date), sex: fc.constantFrom('F', 'M', 'U'), noNirReason: fc.constantFrom('foreign-visitor', 'not-registered', 'unknown') }),
);
const insee = fc.oneof(fc.integer({ min: 1001, max: 95999 }).map((n) => pad(n, 5)), fc.integer({ min: 0, max: 999 }).map((n) => `2A${pad(n, 3)}`));
const patient = fc
  .record(
    {
      identity,
      birthName: name,
      firstNames: fc.array(name, { minLength: 1, maxLength: 3 }),
      usedName: name,
      birthPlaceInsee: insee,
      phone: fc.integer({ min: 10_000_000, max: 99_999_999 }).map((n) => `06${n}`),
      email: fc.constantFrom('jean.testeur@example.org', 'a@example.fr'),
      address: fc.record({ line: fc.array(fc.constantFrom('1 rue de l’Exemple', 'Bât. B'), { minLength: 1, maxLength: 2 }), postalCode: fc.constant('69001'), city: name, inseeCode: insee, country: fc.constantFrom('FR', 'BE') }, { requiredKeys: ['line', 'postalCode', 'city', 'country'] }),
    },
    { requiredKeys: ['identity', 'birthName', 'firstNames'] },
  )
  .chain(({ identity: { birthDate, ...who }, ...rest }) => {
    const body = { ...rest, ...who, birthDate: birthDate.toISOString().slice(0, 10) };
    // a contact is required, and a qualified identity carries its birthplace
    const withContact = body.phone === undefined && body.email === undefined ? { ...body, phone: '0639981234' } : body;
    return fc.constant(who.insStatus === 'QUAL' ? { birthPlaceInsee: '69123', ...withContact } : withContact);
  });
const activeDevices = listAntigenDevices().filter((d) => d.active).map((d) => d.euRatId);
const device = fc.oneof(fc.record({ euRatId: fc.constantFrom(...activeDevices) }), fc.record({ name: fc.stringMatching(/^[\p{L}\p{N}][\p{L}\p{N}\p{P}\p{S} ]{0,60}[\p{L}\p{N}]$/u) }));
const test = fc.tuple(fc.integer({ min: 6, max: 7 * 24 * 60 - 1 }), fc.integer({ min: 0, max: 5 })).chain(([collectedMinutesAgo, readAfter]) =>
  fc.record({
    loinc: fc.constantFrom(...ALLOWED_TEST_CODES.keys()),
    result: fc.constantFrom(...RESULT_CODES.keys()),
    specimen: fc.constantFrom(...SPECIMEN_CODES.keys()),
    device,
    collectedAt: fc.constant(new Date(SYNTHETIC_NOW.getTime() - collectedMinutesAgo * 60_000).toISOString()),
    resultAt: fc.constant(new Date(SYNTHETIC_NOW.getTime() - (collectedMinutesAgo - readAfter) * 60_000).toISOString()),
  }),
);
const performer = fc.oneof(fc.constant({ rpps: '10000123454' }), fc.constant({ adeli: '691234567' }), fc.constant({ rpps: '99700771191', adeli: '691234567' }));
const intakeBody = fc.record({ pharmacyFiness: fc.constant('759999907'), performer, patient, test });

describe('the message of any valid intake body', () => {
  it('passes FHIR R4 validation and SI-DEP rules with no issue, whatever the kind of message', () => {
    fc.assert(
      fc.property(intakeBody, fc.constantFrom('original', 'correction', 'cancellation') as fc.Arbitrary<'original' | 'correction' | 'cancellation'>, (body, kind) => {
        const bundle = messageOf(body, { messageId: MESSAGE_ID, now: SYNTHETIC_NOW, kind });
        const check = checkTransactionBundle(structuredClone(bundle), MESSAGE_ID, SYNTHETIC_NOW.getTime());
        expect(check.ok ? [] : check.issues).toEqual([]);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100), ...(process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) }) },
    );
  });
});
