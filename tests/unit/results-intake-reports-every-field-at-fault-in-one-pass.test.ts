import { describe, it, expect } from 'vitest';
import { bodyWith, issuesOf } from './results-intake-kit.js';

describe('intake reporting', () => {
  it('lists field errors of every section and the cross-field rules whose fields are valid, in one pass', () => {
    const body = bodyWith((b) => {
      b.surprise = true;
      b.pharmacyFiness = '759999908';
      b.performer = {};
      b.patient.sex = 'F'; // valid field, but not the NIR's sex
      b.patient.firstNames = ['Jean', '4'];
      delete b.patient.phone;
      delete b.patient.email;
      b.patient.address.country = 'France';
      b.test.loinc = '80382-5';
      b.test.device = { euRatId: '9999' };
      b.test.resultAt = '2021-12-31T13:00:00Z'; // before the collection
      b.externalRef = '0639981234';
    });
    expect(issuesOf(body)).toEqual(
      expect.arrayContaining([
        { pointer: '/surprise', code: 'unknown-field' },
        { pointer: '/pharmacyFiness', code: 'finess-checksum' },
        { pointer: '/performer', code: 'required' },
        { pointer: '/patient/nir', code: 'nir-sex-mismatch' },
        { pointer: '/patient/firstNames/1', code: 'name-format' },
        { pointer: '/patient/phone', code: 'contact-required' },
        { pointer: '/patient/address/country', code: 'country-format' },
        { pointer: '/test/loinc', code: 'code-not-allowed' },
        { pointer: '/test/device/euRatId', code: 'device-unknown' },
        { pointer: '/test/resultAt', code: 'result-before-collection' },
        { pointer: '/externalRef', code: 'external-ref-pii' },
      ]),
    );
    expect(issuesOf(body)).toHaveLength(11);
  });

  it('does not judge a cross-field rule on a field that is itself invalid', () => {
    const issues = issuesOf(bodyWith((b) => Object.assign(b.patient, { nir: '185036912345610', sex: 'F' })));
    expect(issues).toEqual([{ pointer: '/patient/nir', code: 'nir-checksum' }]);
  });

  it('reports each unknown key of one object separately', () => {
    const issues = issuesOf(bodyWith((b) => Object.assign(b.patient, { a: 1, b: 2 })));
    expect(issues).toEqual([
      { pointer: '/patient/a', code: 'unknown-field' },
      { pointer: '/patient/b', code: 'unknown-field' },
    ]);
  });
});
