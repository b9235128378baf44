import type { Context } from 'hono';
import { appendAuditNow, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import { Forbidden } from '../errors.js';
import { sourceIp } from '../web/access.js';
import type { WebEnv } from '../web/env.js';
import { scopeOf, type AdminCapability, type PharmacyScope } from './rights.js';

/** The signed-in person as the audit log names them. */
export const actorOf = (c: Context<WebEnv>): AuditEvent['actor'] => ({ type: 'user', id: c.get('session').userId });

/**
 * The person's scope for `capability`, required to reach `target` when given: one pharmacy
 * (by id), or `chain` for what only chain-wide holders may do (chain roles, the registry
 * itself). Otherwise the refusal is audited and answers 403.
 */
export async function requireScope(db: Database, c: Context<WebEnv>, capability: AdminCapability, target?: { pharmacyId: string } | 'chain'): Promise<PharmacyScope> {
  const scope = scopeOf(c.get('rights'), capability);
  const reaches = scope !== undefined && (target === undefined || scope.all || (target !== 'chain' && scope.pharmacyIds.includes(target.pharmacyId)));
  if (!reaches) {
    await appendAuditNow(db, { actor: actorOf(c), action: `admin.${capability}`, outcome: 'denied', reason: 'forbidden', requestId: c.get('requestId'), sourceIp: sourceIp(c) });
    throw new Forbidden();
  }
  return scope;
}
