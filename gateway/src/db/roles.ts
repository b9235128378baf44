import pg from 'pg';

export const RUNTIME_ROLE = 'gateway_runtime';

/**
 * Creates the runtime role once per cluster (idempotent): it can log in, read and write the
 * gateway's tables as migrations GRANT, never run DDL, and only insert into the audit log.
 * @example await initRoles({ url: ownerUrl, runtimePassword });
 */
export async function initRoles(o: { url: string; runtimePassword: string }): Promise<void> {
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [RUNTIME_ROLE]);
    // Role names and passwords cannot be bound parameters in DDL; format() quotes them server-side.
    const verb = rowCount === 0 ? 'CREATE' : 'ALTER';
    const { rows } = await client.query<{ ddl: string }>(
      `SELECT format('${verb} ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD %L', $1::text, $2::text) AS ddl`,
      [RUNTIME_ROLE, o.runtimePassword],
    );
    await client.query((rows[0] as { ddl: string }).ddl);
  } finally {
    await client.end();
  }
}
