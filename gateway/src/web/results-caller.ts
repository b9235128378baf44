import type { MiddlewareHandler } from 'hono';
import type { UserPrincipal } from '../auth/principal.js';
import type { Database } from '../db/index.js';
import { Forbidden, NotFound, ValidationFailed } from '../errors.js';
import type { ResultsCaller } from '../intake/results-routes.js';
import { pharmacyHolding } from '../results/lifecycle/index.js';
import { auditRequest } from './access.js';
import type { WebEnv } from './env.js';

/**
 * The web listener's caller resolver, after `authorize(…, 'results')`: the person's pharmacies
 * the `results` right reaches. A submission or a listing names its pharmacy by FINESS (required
 * of a person of several; another pharmacy's is 403 `finess-mismatch`, audited); a change acts
 * for the pharmacy holding the result, and another pharmacy's result is 404.
 */
export const sessionCaller = (deps: { db: Database }): MiddlewareHandler<WebEnv> =>
  async function sessionCaller(c, next) {
    const session = c.get('session');
    const rights = c.get('rights');
    const reach = rights.scope('results');
    const mine = rights.pharmacies.filter((p) => reach?.all || reach?.pharmacyIds.includes(p.id));
    const actor = { type: 'user' as const, id: session.userId };
    const as = (p: { id: string; finess: string }): UserPrincipal => ({ kind: 'user', pharmacyId: p.id, finess: p.finess, userId: session.userId, performerRpps: session.rpps });
    const scope = { all: false, pharmacyIds: mine.map((p) => p.id) } as const;
    const caller: ResultsCaller = {
      scope,
      actor,
      async forPharmacy(finess, pointer) {
        const named = finess === undefined ? (mine.length === 1 ? mine[0] : undefined) : mine.find((m) => m.finess === finess);
        if (named) return as(named);
        if (finess === undefined) throw new ValidationFailed([{ pointer, code: 'required' }]);
        await auditRequest(deps.db, c, { actor, action: 'result.access', outcome: 'denied', reason: 'finess-mismatch' });
        throw new Forbidden('finess-mismatch');
      },
      async forResult(id) {
        const holder = await pharmacyHolding(deps.db, scope, id);
        const pharmacy = mine.find((p) => p.id === holder);
        if (!pharmacy) throw new NotFound();
        return as(pharmacy);
      },
    };
    c.set('caller', caller);
    await next();
  };
