import type { Database } from '../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { NO_STORE } from '../http/index.js';
import { listMessages, redrive } from '../results/lifecycle/index.js';
import { isUuid } from '../uuid.js';
import { WEB_ROUTES, type RegisterWebRoute } from './route-table.js';

/**
 * The dead letters, for operators to redrive unchanged (DESIGN.md "People and rights").
 * @example registerDeadLetterRoutes(on, { db });
 */
export function registerDeadLetterRoutes(on: RegisterWebRoute, deps: { db: Database }): void {
  on(WEB_ROUTES.deadLetters, async (c) => {
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationFailed([{ pointer: '/limit', code: 'invalid-type' }]);
    return c.json({ items: await listMessages(deps.db, { state: 'dead', limit }) }, 200, NO_STORE);
  });

  on(WEB_ROUTES.redrive, async (c) => {
    const id = c.req.param('id') ?? '';
    if (!isUuid(id)) throw new NotFound();
    const ids = await redrive(deps.db, { ids: [id.toLowerCase()], actor: { type: 'user', id: c.get('session').userId }, requestId: c.get('requestId') });
    if (ids.length === 0) throw new NotFound();
    return c.json({ redriven: ids }, 200, NO_STORE);
  });
}
