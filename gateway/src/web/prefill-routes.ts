import { CounterPrefillSchema, json } from '../api-schemas/index.js';
import { NO_STORE, sourceIp } from '../http/index.js';
import type { PrefillService } from '../intake/prefills.js';
import { RedemptionBodySchema } from '../intake/prefills.js';
import { WEB_API_PREFIX, type RegisterWebRoute, type WebRoute } from './route-table.js';

/**
 * The counter page's redemption of a prefill token: for people holding the `results` right (the
 * counter's), on the pharmacies it reaches. The token comes in the body, never the URL.
 */
export const PREFILL_WEB_ROUTES = {
  redeem: {
    method: 'POST',
    path: `${WEB_API_PREFIX}/counter-prefills/redeem`,
    access: 'results',
    schemas: () => ({
      summary: "Redeem a one-time prefill token: the patient's identity, once",
      request: { body: { required: true, content: { 'application/json': { schema: RedemptionBodySchema } } } },
      responses: { 200: json('The pharmacy the token was issued for and the identity', CounterPrefillSchema) },
    }),
  },
} as const satisfies Record<string, WebRoute>;

/**
 * Registers the redemption: unknown, used, expired or another pharmacy's token is 404 alike
 * (`PrefillService.redeem`), and the answer, personal data, is never cached.
 * @example registerPrefillRoutes(on, { prefills, jsonBody });
 */
export function registerPrefillRoutes(on: RegisterWebRoute, deps: { prefills: PrefillService; jsonBody: Parameters<RegisterWebRoute>[1] }): void {
  on(PREFILL_WEB_ROUTES.redeem, deps.jsonBody, async (c) => {
    const reach = c.get('rights').scope('results');
    const pharmacyIds = reach?.all ? c.get('rights').pharmacies.map((p) => p.id) : (reach?.pharmacyIds ?? []);
    const prefill = await deps.prefills.redeem(c.get('body'), { actor: { type: 'user', id: c.get('session').userId }, pharmacyIds, requestId: c.get('requestId'), sourceIp: sourceIp(c) });
    return c.json(prefill, 200, NO_STORE);
  });
}
