import { describe, it, expect } from 'vitest';
import { bodyWith, issuesOf, minutesFromNow, type LooseBody } from './results-intake-kit.js';

type Case = [rule: string, mutate: (body: LooseBody) => unknown, pointer: string, code: string];

const withoutNir = (b: LooseBody) => {
  delete b.patient.nir;
  b.patient.noNirReason = 'not-registered';
};

const cases: Case[] = [
  // unknown fields, at every level, with RFC 6901 escaping
  ['a top-level field', (b) => (b.surprise = 'x'), '/surprise', 'unknown-field'],
  ['a patient field', (b) => (b.patient.favouriteColour = 'x'), '/patient/favouriteColour', 'unknown-field'],
  ['a device field', (b) => (b.test.device.lot = 'x'), '/test/device/lot', 'unknown-field'],
  ['an address field', (b) => (b.patient.address.floor = 2), '/patient/address/floor', 'unknown-field'],
  ['a key holding / and ~', (b) => (b['a/b~c'] = 1), '/a~1b~0c', 'unknown-field'],
  // shape
  ['a missing section', (b) => delete b.test, '/test', 'required'],
  ['a missing name', (b) => delete b.patient.birthName, '/patient/birthName', 'required'],
  ['a missing sex', (b) => delete b.patient.sex, '/patient/sex', 'required'],
  ['a null name', (b) => (b.patient.birthName = null), '/patient/birthName', 'invalid-type'],
  ['a numeric name', (b) => (b.patient.birthName = 42), '/patient/birthName', 'invalid-type'],
  ['a section that is a string', (b) => (b.performer = 'x'), '/performer', 'invalid-type'],
  ['first names that are a string', (b) => (b.patient.firstNames = 'Jean'), '/patient/firstNames', 'invalid-type'],
  ['an unknown sex', (b) => (b.patient.sex = 'X'), '/patient/sex', 'invalid-value'],
  ['an unknown identity status', (b) => (b.patient.insStatus = 'GOOD'), '/patient/insStatus', 'invalid-value'],
  ['an unknown no-NIR reason', (b) => { withoutNir(b); b.patient.noNirReason = 'tourist'; }, '/patient/noNirReason', 'invalid-value'],
  // names
  ['a name of 101 characters', (b) => (b.patient.birthName = 'A'.repeat(101)), '/patient/birthName', 'too-long'],
  ['a name with digits', (b) => (b.patient.birthName = 'R2D2'), '/patient/birthName', 'name-format'],
  ['a used name with punctuation', (b) => (b.patient.usedName = 'Dupont.'), '/patient/usedName', 'name-format'],
  ['no first name', (b) => (b.patient.firstNames = []), '/patient/firstNames', 'required'],
  ['a bad second first name', (b) => (b.patient.firstNames = ['Jean', 'J3an']), '/patient/firstNames/1', 'name-format'],
  ['21 first names', (b) => (b.patient.firstNames = Array(21).fill('Jean')), '/patient/firstNames', 'too-long'],
  // NIR
  ['a 14-character NIR', (b) => (b.patient.nir = '18503691234560'), '/patient/nir', 'nir-length'],
  ['a NIR with month 13', (b) => (b.patient.nir = '185136912345672'), '/patient/nir', 'nir-format'],
  ['a NIR with a wrong key', (b) => (b.patient.nir = '185036912345610'), '/patient/nir', 'nir-checksum'],
  ['a NIR of the other sex', (b) => (b.patient.sex = 'F'), '/patient/nir', 'nir-sex-mismatch'],
  ['a NIR of another birth year', (b) => (b.patient.birthDate = '1986-03-14'), '/patient/nir', 'nir-birthdate-mismatch'],
  ['a NIR of another birth month', (b) => (b.patient.birthDate = '1985-04-14'), '/patient/nir', 'nir-birthdate-mismatch'],
  ['a NIR and a no-NIR reason', (b) => (b.patient.noNirReason = 'unknown'), '/patient/nir', 'nir-or-reason'],
  ['neither NIR nor reason', (b) => delete b.patient.nir, '/patient/nir', 'nir-or-reason'],
  ['a qualified identity without birthplace', (b) => { b.patient.insStatus = 'QUAL'; delete b.patient.birthPlaceInsee; }, '/patient/birthPlaceInsee', 'required'],
  ['a qualified identity without NIR', (b) => { withoutNir(b); b.patient.insStatus = 'QUAL'; }, '/patient/nir', 'required'],
  // dates and places
  ['an impossible birth date', (b) => (b.patient.birthDate = '1985-02-30'), '/patient/birthDate', 'date-format'],
  ['a birth date with a time', (b) => (b.patient.birthDate = '1985-03-14T00:00:00Z'), '/patient/birthDate', 'date-format'],
  ['a birth date before 1900', (b) => { withoutNir(b); b.patient.birthDate = '1899-12-31'; }, '/patient/birthDate', 'date-range'],
  ['a birth date tomorrow in Paris', (b) => { withoutNir(b); b.patient.birthDate = '2022-01-01'; }, '/patient/birthDate', 'date-range'],
  ['a birthplace with 2C', (b) => (b.patient.birthPlaceInsee = '2C004'), '/patient/birthPlaceInsee', 'insee-format'],
  ['a birthplace of 4 digits', (b) => (b.patient.birthPlaceInsee = '6912'), '/patient/birthPlaceInsee', 'insee-format'],
  // contact
  ['a phone that is not one', (b) => (b.patient.phone = 'call me'), '/patient/phone', 'phone-format'],
  ['a phone of 33 characters', (b) => (b.patient.phone = '0'.repeat(33)), '/patient/phone', 'too-long'],
  ['an e-mail without domain', (b) => (b.patient.email = 'jean@'), '/patient/email', 'email-format'],
  ['an e-mail of 255 characters', (b) => (b.patient.email = `${'a'.repeat(60)}@${'b'.repeat(190)}.org`), '/patient/email', 'too-long'],
  ['no phone and no e-mail', (b) => { delete b.patient.phone; delete b.patient.email; }, '/patient/phone', 'contact-required'],
  // address
  ['a 4-digit postal code', (b) => (b.patient.address.postalCode = '6900'), '/patient/address/postalCode', 'postal-code-format'],
  ['a 3-letter country', (b) => (b.patient.address.country = 'FRA'), '/patient/address/country', 'country-format'],
  ['a lower-case country', (b) => (b.patient.address.country = 'fr'), '/patient/address/country', 'country-format'],
  ['an address INSEE code with letters', (b) => (b.patient.address.inseeCode = 'LYON1'), '/patient/address/inseeCode', 'insee-format'],
  ['an address without city', (b) => delete b.patient.address.city, '/patient/address/city', 'required'],
  ['an address without lines', (b) => (b.patient.address.line = []), '/patient/address/line', 'required'],
  ['an empty address line', (b) => (b.patient.address.line = ['']), '/patient/address/line/0', 'required'],
  // test coding
  ['a flu antigen LOINC', (b) => (b.test.loinc = '80382-5'), '/test/loinc', 'code-not-allowed'],
  ['an unknown result', (b) => (b.test.result = '10828004'), '/test/result', 'result-not-allowed'],
  ['an unknown specimen', (b) => (b.test.specimen = '122555007'), '/test/specimen', 'specimen-not-allowed'],
  ['an unknown device', (b) => (b.test.device.euRatId = '9999'), '/test/device/euRatId', 'device-unknown'],
  ['an inactive device', (b) => (b.test.device.euRatId = '1934'), '/test/device/euRatId', 'device-inactive'],
  ['a device with neither id nor name', (b) => (b.test.device = {}), '/test/device', 'required'],
  ['a device name of 201 characters', (b) => (b.test.device = { name: 'x'.repeat(201) }), '/test/device/name', 'too-long'],
  // times
  ['a collection time without offset', (b) => (b.test.collectedAt = '2021-12-31T13:40:00'), '/test/collectedAt', 'date-format'],
  ['a collection time without seconds', (b) => (b.test.collectedAt = '2021-12-31T13:40Z'), '/test/collectedAt', 'date-format'],
  ['a collection 7 days and 1 minute ago', (b) => (b.test.collectedAt = minutesFromNow(-7 * 24 * 60 - 1)), '/test/collectedAt', 'time-range'],
  ['a reading 6 minutes ahead', (b) => (b.test.resultAt = minutesFromNow(6)), '/test/resultAt', 'time-range'],
  ['a reading before collection', (b) => (b.test.resultAt = minutesFromNow(-30)), '/test/resultAt', 'result-before-collection'],
  // performer and pharmacy
  ['no performer identifier', (b) => (b.performer = {}), '/performer', 'required'],
  ['an RPPS with a wrong key', (b) => (b.performer.rpps = '10000123455'), '/performer/rpps', 'rpps-checksum'],
  ['an RPPS of 10 digits', (b) => (b.performer.rpps = '1000012345'), '/performer/rpps', 'rpps-format'],
  ['an ADELI with letters', (b) => (b.performer.adeli = '69123456A'), '/performer/adeli', 'adeli-format'],
  ['a FINESS of 8 digits', (b) => (b.pharmacyFiness = '75999990'), '/pharmacyFiness', 'finess-format'],
  ['a FINESS with a wrong key', (b) => (b.pharmacyFiness = '759999908'), '/pharmacyFiness', 'finess-checksum'],
  // external reference
  ['an external ref of 65 characters', (b) => (b.externalRef = 'x'.repeat(65)), '/externalRef', 'too-long'],
  ['an external ref holding a NIR', (b) => (b.externalRef = '185036912345609'), '/externalRef', 'external-ref-pii'],
  ['an external ref holding an e-mail', (b) => (b.externalRef = 'jean.testeur@example.org'), '/externalRef', 'external-ref-pii'],
  ['an external ref holding a phone', (b) => (b.externalRef = '06 39 98 12 34'), '/externalRef', 'external-ref-pii'],
];

describe('intake rules', () => {
  it.each(cases)('refuses %s at %s with %s', (_rule, mutate, pointer, code) => {
    expect(issuesOf(bodyWith(mutate))).toEqual([{ pointer, code }]);
  });

  it.each([[[]], [null], ['body'], [42]])('refuses a body that is not an object (%j) at the root pointer', (body) => {
    expect(issuesOf(body)).toEqual([{ pointer: '', code: 'invalid-type' }]);
  });
});
