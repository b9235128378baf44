import { Hono } from 'hono';
import { NO_STORE } from '../http/index.js';
import { idParam, json, KeyRotationSchema, KeyStatusSchema, RewrapJobSchema } from '../api-schemas/index.js';
import { appendAudit, appendAuditNow } from '../audit/index.js';
import { readKeyStatus, rewrapStoredDataKeys, type KeyManager } from '../keys/index.js';
import type { Database } from '../db/index.js';
import { NotFound } from '../errors.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { createJobRegistry } from './background-jobs.js';
import { requester as who } from './requester.js';

/**
 * Routes of the keys page: status for key-status holders, changes for chain admins; the web
 * listener's `authorize` checks the right before these handlers run.
 */
export const KEY_ROUTES = {
  status: { method: 'GET', path: '/api/web/v1/admin/keys', access: 'key-status', schemas: () => ({ summary: 'Key versions and what each protects', responses: { 200: json('The status', KeyStatusSchema) } }) },
  rotate: { method: 'POST', path: '/api/web/v1/admin/keys/rotation', access: 'keys', schemas: () => ({ summary: 'Rotate the key-encryption key', responses: { 200: json('The new current version', KeyRotationSchema) } }) },
  rewrap: {
    method: 'POST',
    path: '/api/web/v1/admin/keys/rewraps',
    access: 'keys',
    schemas: () => ({ summary: 'Rewrap the stored data keys, in the background', responses: { 200: json('The rewrap already running', RewrapJobSchema), 202: json('Started', RewrapJobSchema) } }),
  },
  rewrapJob: {
    method: 'GET',
    path: '/api/web/v1/admin/keys/rewraps/:id',
    access: 'keys',
    schemas: () => ({ summary: "A rewrap's progress and outcome", request: { params: idParam }, responses: { 200: json('The rewrap', RewrapJobSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

export interface KeyRoutesDeps {
  db: Database;
  keys: Pick<KeyManager, 'kind' | 'keyVersions' | 'blindIndexKeys' | 'rotate' | 'rewrapDataKeys'>;
}

/** One rewrap at a time for the whole chain: two would rewrap the same rows twice. */
const CHAIN = 'chain';

/**
 * `gateway keys status|rotate|rewrap` for the web UI: the status as data, a rotation audited in
 * the transaction that records it (`keys.rotate`), and a rewrap run in the background whose
 * progress the page polls (`keys.rewrap` when it starts and when it ends).
 * @example const { routes, app } = createKeyAdminRoutes({ db, keys });
 */
export function createKeyAdminRoutes(deps: KeyRoutesDeps): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = KEY_ROUTES;
  const rewraps = createJobRegistry<Awaited<ReturnType<typeof rewrapStoredDataKeys>>>();
  const object = { type: 'key-encryption-key', id: deps.keys.kind };

  app.get(R.status.path, async (c) => c.json(await readKeyStatus(deps.db, deps.keys), 200, NO_STORE));

  app.post(R.rotate.path, async (c) => {
    // the audit event commits with the rotation's record, or the rotation is not reported done
    const current = await deps.db.transaction().execute(async (tx) => {
      const version = await deps.keys.rotate();
      await appendAudit(tx, [{ ...who(c), action: 'keys.rotate', object, outcome: 'success', reason: `v${version}` }]);
      return version;
    });
    return c.json({ current }, 200, NO_STORE);
  });

  app.post(R.rewrap.path, async (c) => {
    const by = who(c);
    const { job, started } = rewraps.start(
      CHAIN,
      // only rewraps: the record `keys retire` relies on is the host operator's `gateway keys rewrap`
      (onProgress) => rewrapStoredDataKeys(deps.db, deps.keys, { onProgress, recordCompletion: false }),
      (end) => appendAuditNow(deps.db, { ...by, action: 'keys.rewrap', object, outcome: end.state === 'succeeded' ? 'success' : 'failure', reason: end.result ? `v${end.result.current}: ${end.result.rewrapped} rewrapped` : (end.problem?.code ?? 'failed') }),
    );
    if (started) await appendAuditNow(deps.db, { ...by, action: 'keys.rewrap', object, outcome: 'success', reason: 'started' });
    return c.json(job, started ? 202 : 200, NO_STORE);
  });

  app.get(R.rewrapJob.path, async (c) => {
    const job = rewraps.get(CHAIN, c.req.param('id'));
    if (!job) throw new NotFound();
    return c.json(job, 200, NO_STORE);
  });

  return { routes: Object.values(R), app };
}
