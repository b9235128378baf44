/**
 * `npm run db:types`: rewrites gateway/src/db/types.ts from a database migrated by the gateway's
 * own runner, in a throwaway embedded Postgres (nothing else is touched). Run it after adding a
 * migration; the test db-types-match-what-the-migrations-create fails until then.
 */
import { writeFile } from 'node:fs/promises';
import { migrate } from '../../gateway/src/db/index.js';
import { startOwnPostgres } from '../crash/own-postgres.js';
import { dbTypesOf, TYPES_FILE } from './generate.js';

const postgres = await startOwnPostgres();
try {
  // the cluster is deleted on stop: its default database is as throwaway as a new one
  await migrate({ url: postgres.adminUrl });
  await writeFile(TYPES_FILE, await dbTypesOf(postgres.adminUrl));
  console.log(`wrote ${TYPES_FILE}`);
} finally {
  await postgres.stop();
}
