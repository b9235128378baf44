import { describe, expect, it } from 'vitest';
import { checkTransactionBundle } from '@sidep-gateway/sidep-simulator';
import { validTransactionBundle } from '../support/sidep-test-kit.js';

const ID = '0b8f6a52-4a43-4a3c-9d43-6c8e8c9b1f11';
const method = { coding: [{ system: 'http://snomed.info/sct', code: '120220003' }] };

describe("the simulator's contract versions", () => {
  it('takes a contract 1 message under contract 1 and refuses it under contract 2 for its missing method', () => {
    const bundle = validTransactionBundle(ID);
    expect(checkTransactionBundle(bundle, ID, Date.now(), '1').ok).toBe(true);
    expect(checkTransactionBundle(bundle, ID, Date.now(), '2')).toEqual({
      ok: false,
      kind: 'rules',
      issues: [{ severity: 'error', code: 'required', expression: ['Bundle.entry[6].resource.method'] }],
    });
  });

  it('takes a message with the method under contract 2', () => {
    const bundle = validTransactionBundle(ID);
    const entries = bundle.entry as { resource: Record<string, unknown> }[];
    const observation = entries.find((e) => e.resource.resourceType === 'Observation');
    if (observation) observation.resource.method = method;
    expect(checkTransactionBundle(bundle, ID, Date.now(), '2').ok).toBe(true);
  });
});
