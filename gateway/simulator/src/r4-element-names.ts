/**
 * Generates `gateway/src/sidep/r4-element-names.json`, the R4 names the gateway accepts in the
 * expressions of an SI-DEP rejection: resource types and element names (choice types expanded,
 * `value[x]` → `valueCodeableConcept`…), from the R4 definitions Medplum ships. The gateway reads
 * the small file instead of carrying the 93 MB of definitions in its image; a test regenerates
 * it and compares, so the two cannot drift.
 *
 *   node --import tsx gateway/simulator/src/r4-element-names.ts   (rewrites the file)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getAllDataTypes, isResourceType, type InternalTypeSchema } from '@medplum/core';
import { loadR4Definitions } from './fhir-r4.js';

/** The file's content, as its JSON text. */
export function r4ElementNamesJson(): string {
  loadR4Definitions();
  const types = Object.values(getAllDataTypes());
  const elements = new Set<string>();
  const visit = (type: InternalTypeSchema): void => {
    for (const [key, element] of Object.entries(type.elements)) {
      const name = key.split('.').at(-1) ?? key;
      if (!name.endsWith('[x]')) elements.add(name);
      else for (const { code } of element.type) elements.add(`${name.slice(0, -3)}${code.charAt(0).toUpperCase()}${code.slice(1)}`);
    }
    type.innerTypes.forEach(visit);
  };
  types.forEach(visit);
  const resourceTypes = types.map((t) => t.name).filter((name) => isResourceType(name));
  const file = { fhirVersion: '4.0.1', resourceTypes: [...new Set(resourceTypes)].sort(), elementNames: [...elements].sort() };
  return `${JSON.stringify(file, null, 1)}\n`;
}

export const R4_ELEMENT_NAMES_FILE = fileURLToPath(new URL('../../src/sidep/r4-element-names.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(R4_ELEMENT_NAMES_FILE, r4ElementNamesJson());
