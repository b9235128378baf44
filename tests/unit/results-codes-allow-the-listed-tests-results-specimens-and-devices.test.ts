import { describe, it, expect } from 'vitest';
import {
  ALLOWED_TEST_CODES,
  DEVICE_LIST_VERSION,
  RESULT_CODES,
  SPECIMEN_CODES,
  findAntigenDevice,
} from '../../gateway/src/results/index.js';

describe('coded values (DOMAIN.md §3)', () => {
  it('allows exactly the two SARS-CoV-2 antigen LOINC codes', () => {
    expect([...ALLOWED_TEST_CODES.keys()]).toEqual(['94558-4', '97097-0']);
  });

  it('allows the four SNOMED CT results and six specimen types', () => {
    expect([...RESULT_CODES.keys()]).toEqual(['260373001', '260415000', '455371000124106', '419984006']);
    expect([...SPECIMEN_CODES.keys()]).toEqual(['258500001', '697989009', '871810001', '445297001', '258529004', '119342007']);
  });

  it('loads the versioned EU device list with its active flags', () => {
    expect(DEVICE_LIST_VERSION).toBe('2021-07-15');
    expect(findAntigenDevice('1232')).toEqual({ euRatId: '1232', display: 'Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test', active: true });
    for (const id of ['1468', '1223', '1065']) expect(findAntigenDevice(id)?.active).toBe(true);
    expect(findAntigenDevice('1606')?.active).toBe(false);
  });

  it('finds no device for unknown ids or inherited property names', () => {
    for (const id of ['9999', '', '01232', 'constructor', '__proto__', 'toString']) expect(findAntigenDevice(id)).toBeUndefined();
  });
});
