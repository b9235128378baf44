import type { Database } from '../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { NO_STORE } from '../http/index.js';
import { listMessages, redrive } from '../results/lifecycle/index.js';
import { isUuid } from '../uuid.js';
import { WEB_ROUTES, type RegisterWebRoute } from './route-table.js';

/** The pharmacy (FINESS and name) of each result, by result id. */
async function pharmaciesOfResults(db: Database, resultIds: string[]): Promise<Map<string, { finess: string; name: string }>> {
  if (resultIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('test_results as r')
    .innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id')
    .select(['r.id', 'p.finess', 'p.name'])
    .where('r.id', 'in', resultIds)
    .execute();
  return new Map(rows.map((r) => [r.id, { finess: r.finess, name: r.name }]));
}

/**
 * The dead letters, for operators to redrive unchanged (DESIGN.md "People and rights").
 * @example registerDeadLetterRoutes(on, { db });
 */
export function registerDeadLetterRoutes(on: RegisterWebRoute, deps: { db: Database }): void {
  on(WEB_ROUTES.deadLetters, async (c) => {
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationFailed([{ pointer: '/limit', code: 'invalid-type' }]);
    const items = await listMessages(deps.db, { state: 'dead', limit });
    const pharmacies = await pharmaciesOfResults(deps.db, items.map((m) => m.resultId));
    return c.json({ items: items.map((m) => ({ ...m, pharmacy: pharmacies.get(m.resultId) ?? { finess: '', name: '' } })) }, 200, NO_STORE);
  });

  on(WEB_ROUTES.redrive, async (c) => {
    const id = c.req.param('id') ?? '';
    if (!isUuid(id)) throw new NotFound();
    const ids = await redrive(deps.db, { ids: [id.toLowerCase()], actor: { type: 'user', id: c.get('session').userId }, requestId: c.get('requestId') });
    if (ids.length === 0) throw new NotFound();
    return c.json({ redriven: ids }, 200, NO_STORE);
  });
}
