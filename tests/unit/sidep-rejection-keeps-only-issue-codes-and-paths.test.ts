import { describe, expect, it } from 'vitest';
import { rejectionIssues, strictExpression } from '../../gateway/src/sidep/rejection-issues.js';

describe('rejectionIssues', () => {
  it('keeps code and expression[0] and nothing else of an OperationOutcome', () => {
    const body = {
      resourceType: 'OperationOutcome',
      text: { div: '<div>Patient Testpatient born 1985-03-14</div>' },
      issue: [
        {
          severity: 'error',
          code: 'invalid',
          expression: ['Bundle.entry[0].resource.birthDate', 'Patient.birthDate'],
          diagnostics: 'birthDate 1985-03-14 does not match NIR 185036912345609',
          details: { text: 'Testpatient' },
        },
      ],
    };
    const issues = rejectionIssues(body);
    expect(issues).toEqual([{ code: 'invalid', expression: 'Bundle.entry[0].resource.birthDate' }]);
    expect(JSON.stringify(issues)).not.toMatch(/Testpatient|1985|185036912345609/);
  });

  it('cuts an expression that could carry a literal value back to its resource type', () => {
    const body = {
      resourceType: 'OperationOutcome',
      issue: [
        { code: 'invalid', expression: ["Patient.name.where(family='Testpatient')"] },
        { code: 'required', expression: ['Bundle.entry.resource.ofType(Patient)'] },
      ],
    };
    expect(rejectionIssues(body)).toEqual([
      { code: 'invalid', expression: 'Patient' },
      { code: 'required', expression: 'Bundle.entry.resource.ofType(Patient)' },
    ]);
  });

  it.each([
    ['Bundle.entry[6].resource.status', 'Bundle.entry[6].resource.status'],
    ['Bundle.entry[6].resource.valueCodeableConcept', 'Bundle.entry[6].resource.valueCodeableConcept'],
    ['Patient.identifier[185036912345609]', 'Patient'],
    ['Patient.telecom.0611223344', 'Patient'],
    ['Patient.telecom[0].+33611223344', 'Patient'],
    ['Patient.name.Testpatient', 'Patient'],
    ['Patient.birthDate.1985-03-14', 'Patient'],
    ['Patient.name[01]', 'Patient'],
    ['Patient.name[1000]', 'Patient'],
    ['Patient.ofType(Testpatient)', 'Patient'],
    ['Testpatient.name', ''],
    ['185036912345609', ''],
    ['Patient..name', 'Patient'],
  ])('keeps only R4 names and small indexes: %s → %j', (expression, kept) => {
    expect(strictExpression(expression)).toBe(kept);
  });

  it('replaces a code that is not a FHIR issue type token', () => {
    const body = { resourceType: 'OperationOutcome', issue: [{ code: 'Testpatient 1985' }, { code: 'business-rule' }, 'x'] };
    expect(rejectionIssues(body)).toEqual([
      { code: 'unknown', expression: '' },
      { code: 'business-rule', expression: '' },
      { code: 'unknown', expression: '' },
    ]);
  });

  it.each([undefined, 'Testpatient', { resourceType: 'Bundle' }, { resourceType: 'OperationOutcome', issue: 'x' }])(
    'finds no issues in a body that is not an OperationOutcome: %j',
    (body) => {
      expect(rejectionIssues(body)).toEqual([]);
    },
  );
});
