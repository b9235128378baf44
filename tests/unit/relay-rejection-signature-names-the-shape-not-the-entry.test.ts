import { describe, expect, it } from 'vitest';
import { rejectionSignature } from '../../gateway/src/outbox/contract-streak.js';

describe('the signature of an SI-DEP refusal', () => {
  it('drops list indexes, repeats and order: two messages breaking one rule look alike', () => {
    const a = rejectionSignature(422, [
      { code: 'required', expression: 'Bundle.entry[6].resource.method' },
      { code: 'code-invalid', expression: 'Bundle.entry[6].resource.code.coding[0]' },
    ]);
    const b = rejectionSignature(422, [
      { code: 'code-invalid', expression: 'Bundle.entry[5].resource.code.coding[1]' },
      { code: 'required', expression: 'Bundle.entry[5].resource.method' },
      { code: 'required', expression: 'Bundle.entry[12].resource.method' },
    ]);
    expect(a).toBe('422 code-invalid:Bundle.entry[].resource.code.coding[] required:Bundle.entry[].resource.method');
    expect(b).toBe(a);
  });

  it('tells apart another status, another code and another path', () => {
    const issue = { code: 'required', expression: 'Bundle.entry[6].resource.method' };
    const base = rejectionSignature(422, [issue]);
    expect(rejectionSignature(400, [issue])).not.toBe(base);
    expect(rejectionSignature(422, [{ ...issue, code: 'invalid' }])).not.toBe(base);
    expect(rejectionSignature(422, [{ ...issue, expression: 'Bundle.entry[6].resource.device' }])).not.toBe(base);
    expect(rejectionSignature(422, [issue, { code: 'invalid', expression: 'Bundle' }])).not.toBe(base);
  });

  it('still has one for a refusal without an OperationOutcome', () => {
    expect(rejectionSignature(400, [])).toBe('400');
  });
});
