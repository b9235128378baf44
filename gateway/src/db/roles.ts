import pg from 'pg';
import { scramVerifier } from './scram.js';

export const RUNTIME_ROLE = 'gateway_runtime';
/**
 * Reads the audit log and writes checkpoints. It cannot log in: the runtime role's sealer and
 * seal-lag probe take it on with `SET LOCAL ROLE` for one transaction; the runtime role is
 * NOINHERIT, so request transactions never hold it (they only INSERT audit events).
 */
export const SEALER_ROLE = 'gateway_sealer';
/**
 * The only role that may delete from the audit log, and only as `gateway audit prune` does it
 * (whole sealed batches past retention). Never granted to the runtime role; the CLI logs in
 * with it through its own connection URL. It cannot log in until given a password.
 */
export const AUDIT_ADMIN_ROLE = 'gateway_audit_admin';
/**
 * Writes the pharmacy registry, client certificates and CRLs for the admin UI (migration 0008
 * lists its rights; 0011 took enrolments away: only the audited function `enrol_person` writes
 * them). It cannot log in: the web process takes it on with `SET LOCAL ROLE` for one audited
 * change (`db/registrar.ts`); requests otherwise cannot write those tables.
 */
export const REGISTRAR_ROLE = 'gateway_registrar';

/**
 * Creates the runtime, sealer, registrar and audit-admin roles once per cluster (idempotent):
 * the runtime role can log in, read and write the gateway's tables as migrations GRANT, never
 * run DDL, and only insert into the audit log; it may switch to the sealer role for sealing and
 * to the registrar role for the admin UI's registry changes. The audit-admin
 * role logs in only when `auditAdminPassword` is given (else it exists for the GRANTs alone).
 * @example await initRoles({ url: ownerUrl, runtimePassword, auditAdminPassword });
 */
export async function initRoles(o: { url: string; runtimePassword: string; auditAdminPassword?: string }): Promise<void> {
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  try {
    await loginRole(client, RUNTIME_ROLE, o.runtimePassword);
    // The runtime role is NOINHERIT: it may SET ROLE to these, never holds their rights otherwise.
    for (const role of [SEALER_ROLE, REGISTRAR_ROLE]) {
      await noLoginRole(client, role);
      await client.query(`GRANT ${role} TO ${RUNTIME_ROLE}`);
    }
    if (o.auditAdminPassword !== undefined) await loginRole(client, AUDIT_ADMIN_ROLE, o.auditAdminPassword);
    else await noLoginRole(client, AUDIT_ADMIN_ROLE);
  } finally {
    await client.end();
  }
}

/** Creates a role that exists for GRANTs and `SET ROLE` only, unless it exists already. */
async function noLoginRole(client: pg.Client, name: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (rowCount === 0) await client.query(`CREATE ROLE ${name} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`);
}

/**
 * Creates or updates a least-privilege role that logs in with `password`. Only its SCRAM verifier
 * is sent: DDL text can reach the server log (`log_statement`) and `pg_stat_statements`.
 */
async function loginRole(client: pg.Client, name: string, password: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  // Role names and verifiers cannot be bound parameters in DDL; format() quotes them server-side.
  const verb = rowCount === 0 ? 'CREATE' : 'ALTER';
  const { rows } = await client.query<{ ddl: string }>(`SELECT format('${verb} ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD %L', $1::text, $2::text) AS ddl`, [name, scramVerifier(password)]);
  await client.query((rows[0] as { ddl: string }).ddl);
}
