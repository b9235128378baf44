import pg from 'pg';

export const RUNTIME_ROLE = 'gateway_runtime';
/**
 * Reads the audit log and writes checkpoints. It cannot log in: the runtime role's sealer and
 * seal-lag probe take it on with `SET LOCAL ROLE` for one transaction; the runtime role is
 * NOINHERIT, so request transactions never hold it (they only INSERT audit events).
 */
export const SEALER_ROLE = 'gateway_sealer';

/**
 * Creates the runtime and sealer roles once per cluster (idempotent): the runtime role can log
 * in, read and write the gateway's tables as migrations GRANT, never run DDL, and only insert
 * into the audit log; it may switch to the sealer role for sealing.
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
    const sealer = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [SEALER_ROLE]);
    if (sealer.rowCount === 0) await client.query(`CREATE ROLE ${SEALER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`);
    // The runtime role is NOINHERIT: it may SET ROLE to the sealer, never holds its rights otherwise.
    await client.query(`GRANT ${SEALER_ROLE} TO ${RUNTIME_ROLE}`);
  } finally {
    await client.end();
  }
}
