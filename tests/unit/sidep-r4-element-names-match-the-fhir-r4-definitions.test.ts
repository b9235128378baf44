import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { R4_ELEMENT_NAMES_FILE, r4ElementNamesJson } from '../../gateway/simulator/src/r4-element-names.js';

describe('gateway/src/sidep/r4-element-names.json', () => {
  it('is what the R4 definitions give (regenerate: node --import tsx gateway/simulator/src/r4-element-names.ts)', () => {
    expect(readFileSync(R4_ELEMENT_NAMES_FILE, 'utf8')).toBe(r4ElementNamesJson());
  });

  it('holds the names a message rejection uses, and no personal-looking token', () => {
    const { resourceTypes, elementNames } = JSON.parse(r4ElementNamesJson()) as { resourceTypes: string[]; elementNames: string[] };
    expect(resourceTypes).toEqual(expect.arrayContaining(['Bundle', 'Patient', 'Observation', 'Specimen', 'Device', 'PractitionerRole']));
    expect(elementNames).toEqual(expect.arrayContaining(['entry', 'resource', 'status', 'valueCodeableConcept', 'effectiveDateTime', 'telecom']));
    for (const name of elementNames) expect(name).toMatch(/^[a-z][A-Za-z0-9]*$/);
  });
});
