import { describe, expect, it } from 'vitest';
import { rejectionIssues } from '../../gateway/src/sidep/rejection-issues.js';

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

  it('drops an expression that could carry a literal value', () => {
    const body = {
      resourceType: 'OperationOutcome',
      issue: [
        { code: 'invalid', expression: ["Patient.name.where(family='Testpatient')"] },
        { code: 'required', expression: ['Bundle.entry.resource.ofType(Patient)'] },
      ],
    };
    expect(rejectionIssues(body)).toEqual([
      { code: 'invalid', expression: '' },
      { code: 'required', expression: 'Bundle.entry.resource.ofType(Patient)' },
    ]);
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
