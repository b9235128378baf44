import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './types.js';

export type Database = Kysely<DB>;
export type Tx = Transaction<DB>;

/** The live counters of a connection pool, read by the pool metrics at scrape time. */
export type PoolCounts = Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>;

// timestamptz and bigint come back as Date and string (pg defaults); numeric counts are cast in SQL.

/**
 * Opens a pooled Kysely instance.
 * @example const db = createDatabase({ url: process.env.DATABASE_URL!, poolSize: 10 });
 */
export function createDatabase(o: { url: string; poolSize?: number; applicationName?: string; observePool?: (pool: PoolCounts) => void }): Database {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize ?? 10,
    application_name: o.applicationName ?? 'sidep-gateway',
    // Fail fast when Postgres is gone: requests answer 503 instead of queueing forever.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  o.observePool?.(pool);
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
