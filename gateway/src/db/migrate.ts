import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { REPOSITORY_ROOT } from '../repository-root.js';

const MIGRATIONS_DIR = path.join(REPOSITORY_ROOT, 'migrations');
const FILE_PATTERN = /^(\d{4})_([a-z0-9_-]+)\.sql$/;

export class DatabaseNewerThanCode extends Error {
  constructor(readonly databaseVersion: number, readonly codeVersion: number) {
    super(`The database is at migration ${databaseVersion}, newer than this gateway (${codeVersion}). Upgrade the gateway.`);
  }
}

interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

async function migrationFiles(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => FILE_PATTERN.test(n)).sort();
  return Promise.all(
    names.map(async (n) => {
      const [, version, name] = FILE_PATTERN.exec(n) as RegExpExecArray;
      return { version: Number(version), name: name as string, sql: await readFile(`${dir}/${n}`, 'utf8') };
    }),
  );
}

/**
 * Applies pending migrations, forward only, each in its own transaction. The bookkeeping row
 * is inserted first: when replicas migrate at once, the loser's insert waits and then fails
 * on the primary key, and it simply moves on.
 * @example const applied = await migrate({ url: ownerUrl });
 */
export async function migrate(o: { url: string; dir?: string }): Promise<number[]> {
  const files = await migrationFiles(o.dir ?? MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const known = new Set(files.map((f) => f.version));
    const unknown = [...done].filter((v) => !known.has(v));
    if (unknown.length) throw new DatabaseNewerThanCode(Math.max(...unknown), Math.max(0, ...known));
    const applied: number[] = [];
    // every missing file, not only those above the highest applied: migrations written in
    // parallel may land in any order
    for (const file of files.filter((f) => !done.has(f.version))) {
      await client.query('BEGIN');
      try {
        const won = await client.query(
          'INSERT INTO schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING',
          [file.version, file.name],
        );
        if (won.rowCount === 1) {
          await client.query(file.sql);
          applied.push(file.version);
        }
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    }
    return applied;
  } finally {
    await client.end();
  }
}
