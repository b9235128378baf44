import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { dbTypesOf, TYPES_FILE } from '../db-types/generate.js';
import { testDatabase } from '../support/test-database.js';

// Every test file's database is cloned from the template the gateway's own migration runner
// migrated (global setup): what kysely-codegen reads there is what `gateway migrate` makes.
it('gateway/src/db/types.ts is what kysely-codegen makes of the migrated schema (else: npm run db:types)', async () => {
  const db = await testDatabase();
  try {
    expect(await readFile(TYPES_FILE, 'utf8')).toBe(await dbTypesOf(db.ownerUrl));
  } finally {
    await db.drop();
  }
});
