import { z } from 'zod';
import { positiveInt } from './fields.js';

/**
 * Settings of the operator's commands, and the log level: `gateway serve` requires none of them.
 * Their variables keep the names operators know, without the section's (`GATEWAY_LOG_LEVEL`, not
 * `GATEWAY_OPERATOR_LOG_LEVEL`: see `envName`); secrets come as any setting does, from `NAME_FILE`.
 */
export const operatorSchema = z
  .object({
    /** pino's levels; without it, each command's own (serve `info`, demo `warn`). */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    /** The runtime role's password that `gateway db init-roles` sets (GATEWAY_RUNTIME_PASSWORD_FILE). */
    runtimePassword: z.string().min(1).optional(),
    /** `gateway_audit_admin`'s password: `db init-roles` gives the role a login only with one. */
    auditAdminPassword: z.string().min(1).optional(),
    /** Where `gateway audit prune` connects as `gateway_audit_admin`; else `--database-url` or the settings'. */
    auditAdminDatabaseUrl: z.string().min(1).optional(),
    /** The audit log is kept this long (`audit prune` refuses under 183 days, the CNIL's six months). */
    auditRetentionDays: positiveInt.default(365),
    /** The checkpoint public keys `gateway audit` trusts (`gateway audit public-keys` on the gateway). */
    auditPublicKeysFile: z.string().min(1).optional(),
    /** The running demo's data directory, which operator commands fall back to outside production. */
    demoDataDir: z.string().min(1).optional(),
  })
  .strict()
  .prefault({});
