import type { Context } from 'hono';
import { appendAuditNow } from '../audit/index.js';
import type { Capability, PharmacyScope } from '../auth/rbac.js';
import type { Database } from '../db/index.js';
import { Forbidden } from '../errors.js';
import type { WebEnv } from '../web/env.js';
import { requester } from './requester.js';

/**
 * The person's scope for `capability`, required to reach `target` when given: one pharmacy
 * (by id), or `chain` for what only chain-wide holders may do (chain roles, the registry
 * itself). Otherwise the refusal is audited and answers 403.
 */
export async function requireScope(db: Database, c: Context<WebEnv>, capability: Capability, target?: { pharmacyId: string } | 'chain'): Promise<PharmacyScope> {
  const scope = c.get('rights').scope(capability);
  const reaches = scope !== undefined && (target === undefined || scope.all || (target !== 'chain' && scope.pharmacyIds.includes(target.pharmacyId)));
  if (!reaches) {
    await appendAuditNow(db, { ...requester(c), action: `admin.${capability}`, outcome: 'denied', reason: 'forbidden' });
    throw new Forbidden();
  }
  return scope;
}
