import type { Env, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { AuditUnavailable } from '../errors.js';

// Reads change nothing; everything else must leave a sealed trace (DESIGN, "audit fail closed").
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests with 503 `audit-unavailable` while the audit log lags beyond
 * `audit.maxSealLagSeconds` (unsealed events, or checkpoints not yet copied to the sink).
 * Any listener can mount it (intake here; the web listener's state-changing routes too).
 * @example intake.use('/api/v1/*', auditGuard({ available: audit.isAvailable }));
 */
export const auditGuard = <E extends Env = AppEnv>(o: { available: () => boolean }): MiddlewareHandler<E> =>
  async function auditGuard(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && !o.available()) throw new AuditUnavailable();
    await next();
  };
