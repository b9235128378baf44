import { describe, it, expect } from 'vitest';
import { createIntakeSchema, parseIntake } from '../../gateway/src/results/index.js';
import { SYNTHETIC_NIR, SYNTHETIC_NOW, syntheticNir, syntheticResult } from '../support/synthetic-result.js';
import { bodyWith, issuesOf, minutesFromNow, type LooseBody } from './results-intake-kit.js';

const schema = createIntakeSchema({ now: () => SYNTHETIC_NOW });

describe('intake of a valid result', () => {
  it('accepts the synthetic result and normalises NIR, phone, names, times and identity status', () => {
    const body = bodyWith((b) => {
      b.patient.nir = '1 85 03 69 123 456 09';
      b.patient.phone = '06 39 98 12 34';
      b.patient.birthName = 'Te\u0301steur';
      delete b.patient.insStatus;
      b.test.collectedAt = '2021-12-31T14:40:00+01:00';
      b.test.resultAt = '2021-12-31T14:55:00.5+01:00';
    });
    const result = parseIntake(schema, body);
    expect(result.patient).toMatchObject({ nir: SYNTHETIC_NIR, phone: '+33639981234', birthName: 'Tésteur', insStatus: 'PROV' });
    expect(result.test).toMatchObject({ collectedAt: '2021-12-31T13:40:00.000Z', resultAt: '2021-12-31T13:55:00.500Z' });
  });

  it('yields plain JSON that parses again to itself', () => {
    const result = parseIntake(schema, syntheticResult({}, SYNTHETIC_NOW));
    expect(parseIntake(schema, JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it('gives a different valid NIR to every synthetic result', () => {
    const nirs = Array.from({ length: 200 }, () => syntheticNir());
    expect(new Set(nirs).size).toBe(200);
    for (const nir of nirs.slice(0, 20)) expect(issuesOf(bodyWith((b) => (b.patient.nir = nir)))).toEqual([]);
  });

  it.each([
    ['a reason instead of a NIR', (b: LooseBody) => { delete b.patient.nir; b.patient.noNirReason = 'foreign-visitor'; }],
    ['an e-mail only', (b: LooseBody) => delete b.patient.phone],
    ['a phone only', (b: LooseBody) => delete b.patient.email],
    ['an ADELI performer', (b: LooseBody) => (b.performer = { adeli: '691234567' })],
    ['both RPPS and ADELI', (b: LooseBody) => (b.performer.adeli = '691234567')],
    ['a device by name', (b: LooseBody) => (b.test.device = { name: 'Test antigénique maison' })],
    ['no optional fields', (b: LooseBody) => { for (const k of ['pharmacyFiness', 'externalRef']) delete b[k]; for (const k of ['insStatus', 'usedName', 'birthPlaceInsee', 'email', 'address']) delete b.patient[k]; }],
    ['a woman born in Ajaccio (2A, lower case)', (b: LooseBody) => Object.assign(b.patient, { nir: '2 91 11 2a 004 017 11', sex: 'F', birthDate: '1991-11-02' })],
    ['sex unknown', (b: LooseBody) => (b.patient.sex = 'U')],
    ['a qualified identity with its birthplace', (b: LooseBody) => (b.patient.insStatus = 'QUAL')],
    ['a Corsican pharmacy (key not checked)', (b: LooseBody) => (b.pharmacyFiness = '2A0000001')],
    ['upper-respiratory LOINC, each result and specimen', (b: LooseBody) => Object.assign(b.test, { loinc: '97097-0', result: '455371000124106', specimen: '119342007' })],
    ['a result read at the very collection time', (b: LooseBody) => (b.test.resultAt = b.test.collectedAt)],
    ['a foreign phone', (b: LooseBody) => (b.patient.phone = '+44 20 7946 0000')],
  ])('accepts %s', (_name, mutate) => {
    expect(issuesOf(bodyWith(mutate))).toEqual([]);
  });

  it('accepts times from maxPastDays ago to 5 minutes ahead of the server clock', () => {
    const sevenDaysAgo = minutesFromNow(-7 * 24 * 60);
    expect(issuesOf(bodyWith((b) => Object.assign(b.test, { collectedAt: sevenDaysAgo, resultAt: minutesFromNow(5) })))).toEqual([]);
    expect(issuesOf(bodyWith((b) => (b.test.collectedAt = minutesFromNow(-2 * 24 * 60))), { maxPastDays: 1 })).toEqual([
      { pointer: '/test/collectedAt', code: 'time-range' },
    ]);
  });

  it('accepts a birth date of today in Paris even when UTC is still yesterday', () => {
    const parisNewYear = new Date('2021-12-31T23:30:00Z');
    const born = (birthDate: string) => bodyWith((b) => { delete b.patient.nir; b.patient.noNirReason = 'unknown'; b.patient.birthDate = birthDate; });
    const times = { now: () => parisNewYear, maxPastDays: 7 };
    expect(issuesOf(born('2022-01-01'), times)).toEqual([]);
    expect(issuesOf(born('2022-01-02'), times)).toEqual([{ pointer: '/patient/birthDate', code: 'date-range' }]);
    expect(issuesOf(born('1900-01-01'))).toEqual([]);
  });

  it('accepts provisional and incomplete-civil-status NIRs only with allowExtendedNir', () => {
    const provisional = bodyWith((b) => (b.patient.nir = '785036912345697')); // 97 − (7850369123456 mod 97) = 97
    expect(issuesOf(provisional)).toEqual([{ pointer: '/patient/nir', code: 'nir-format' }]);
    expect(issuesOf(provisional, { allowExtendedNir: true })).toEqual([]);
  });

  it('accepts an inactive device only for tests collected before the configured cutoff', () => {
    const inactive = bodyWith((b) => (b.test.device = { euRatId: '1606' }));
    expect(issuesOf(inactive)).toEqual([{ pointer: '/test/device/euRatId', code: 'device-inactive' }]);
    expect(issuesOf(inactive, { acceptInactiveDevicesCollectedBefore: SYNTHETIC_NOW })).toEqual([]);
    expect(issuesOf(inactive, { acceptInactiveDevicesCollectedBefore: new Date(minutesFromNow(-60)) })).toEqual([
      { pointer: '/test/device/euRatId', code: 'device-inactive' },
    ]);
  });
});
