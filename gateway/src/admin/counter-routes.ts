import { z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { CounterListSchema, json } from '../api-schemas/index.js';
import type { CounterRow } from '../api-types.js';
import type { Database } from '../db/index.js';
import { Forbidden, ValidationFailed } from '../errors.js';
import { NO_STORE } from '../http/index.js';
import { auditResultReads } from '../intake/results-routes.js';
import type { TestResultInput } from '../results/index.js';
import { listResultStatuses, type ResultSealer } from '../results/lifecycle/index.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { requireScope } from './registry-access.js';
import { requester } from './requester.js';

/**
 * Today's list at the counter: with the `reveal` right, since it shows what a sealed result
 * holds; of one pharmacy the person reaches, named by FINESS like the results API's list.
 */
export const COUNTER_ROUTES = {
  today: {
    method: 'GET',
    path: '/api/web/v1/counter/results',
    access: 'reveal',
    schemas: () => ({
      summary: "The pharmacy's results with each patient's initials and the result, for the counter",
      request: {
        query: z.object({
          pharmacy: z.string().optional().openapi({ description: 'FINESS; required of a person of several pharmacies' }),
          since: z.string().optional().openapi({ description: 'RFC 3339; results changed at or after' }),
          limit: z.string().optional().openapi({ description: '1..500, default 100' }),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: json('A page', CounterListSchema) },
    }),
  },
} as const satisfies Record<string, WebRoute>;

/** The first letter of a name, upper case; a letter outside the BMP stays whole. */
const initial = (name: string | undefined) => (name ? (Array.from(name.trim())[0] ?? '').toLocaleUpperCase('fr') : '');

/**
 * Initials and result of each result of `ids` still sealed, opened as a reveal opens them, and
 * the result each correction replaces. Nothing else of the sealed document leaves this function.
 */
async function summaries(d: { db: Database; sealer: ResultSealer<TestResultInput> }, pharmacyId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, Pick<CounterRow, 'initials' | 'result' | 'replaces'>>();
  const rows = await d.db.selectFrom('test_results').select(['id', 'pharmacy_id', 'sealed', 'data_key_id', 'corrects']).where('pharmacy_id', '=', pharmacyId).where('id', 'in', ids).execute();
  const entries = await Promise.all(
    rows.map(async (r) => {
      const opened = r.sealed && r.data_key_id ? (await d.sealer.open({ id: r.id, pharmacy_id: r.pharmacy_id, sealed: r.sealed, data_key_id: r.data_key_id })).result : undefined;
      const p = opened?.patient;
      const summary = { initials: p ? `${initial(p.firstNames[0])}${initial(p.usedName ?? p.birthName)}` : null, result: opened?.test.result ?? null, replaces: r.corrects };
      return [r.id, summary] as const;
    }),
  );
  return new Map(entries);
}

/**
 * The counter's list (`COUNTER_ROUTES`): the results API's listing of one pharmacy, each row with
 * the patient's initials and the result, so a pharmacist finds a patient without opening each
 * result. Every row shown is audited (`result.list-summary`) before the answer leaves, through
 * the listings' one audit path; a key-manager failure answers 503, as a reveal does.
 * @example app.route('/', createCounterRoutes({ db, sealer }).app);
 */
export function createCounterRoutes(deps: { db: Database; sealer: ResultSealer<TestResultInput> }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  app.get(COUNTER_ROUTES.today.path, async (c) => {
    const { pharmacy: finess, since, limit, cursor } = c.req.query();
    const reach = c.get('rights').pharmacies;
    const named = finess === undefined ? (reach.length === 1 ? reach[0] : undefined) : reach.find((p) => p.finess === finess);
    if (!named && finess === undefined) throw new ValidationFailed([{ pointer: '/pharmacy', code: 'required' }]);
    // a FINESS out of reach (another pharmacy's, or none): refused and audited ('' names no pharmacy)
    await requireScope(deps.db, c, 'reveal', { pharmacyId: named?.id ?? '' });
    if (!named) throw new Forbidden();
    // read before the query: a row committed after it is in the next poll's `since` window
    const asOf = new Date().toISOString();
    const page = await listResultStatuses(deps.db, { all: false, pharmacyIds: [named.id] }, { since, limit, cursor });
    const more = await summaries(deps, named.id, page.items.map((v) => v.id));
    const items: CounterRow[] = page.items.map((v) => ({ ...v, initials: null, result: null, replaces: null, ...more.get(v.id) }));
    await auditResultReads(deps.db, requester(c), 'result.list-summary', items.map((v) => v.id));
    return c.json({ items, nextCursor: page.nextCursor, asOf }, 200, NO_STORE);
  });
  return { routes: Object.values(COUNTER_ROUTES), app };
}
