import type { RouteConfig } from '@hono/zod-openapi';

/**
 * What a route takes (params, query, headers, body) and answers by status, as zod schemas in
 * the shape of `createRoute`'s: the OpenAPI document is made from these.
 */
export type RouteSchemas = Pick<RouteConfig, 'summary' | 'description' | 'request' | 'responses'>;

/**
 * A route of a sub-app, declared once whichever listener mounts it: path relative to where it is
 * mounted, and its schemas, made from `Given` (schemas known only at start, such as the intake
 * schema, which follows the settings).
 */
export interface Endpoint<Given = never> {
  method: 'GET' | 'POST';
  path: string;
  schemas?: (given: Given) => RouteSchemas;
}

/**
 * One route of a listener and who may call it; each listener names its own access rules, and
 * registers its routes only through its table of these (gathered in `app/route-table.ts`).
 * @example const METRICS_ROUTES = { metrics: { method: 'GET', path: '/metrics', access: 'metrics-token' } } as const satisfies Record<string, Route<MetricsAccess>>;
 */
export interface Route<Access extends string, Given = never> extends Endpoint<Given> {
  access: Access;
}

/**
 * The endpoints of a sub-app as one listener mounts them: under `prefix`, behind `access`.
 * @example const WEB_RESULTS_ROUTES = mountedAt(RESULTS_ENDPOINTS, '/api/web/v1', 'results');
 */
export function mountedAt<Access extends string, Given>(endpoints: Readonly<Record<string, Endpoint<Given>>>, prefix: string, access: Access): Route<Access, Given>[] {
  return Object.values(endpoints).map((e) => ({ ...e, path: `${prefix}${e.path}`, access }));
}
