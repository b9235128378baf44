/**
 * One route of a listener and who may call it; each listener names its own access rules, and
 * registers its routes only through its table of these (gathered in `app/route-table.ts`).
 * @example const METRICS_ROUTES = { metrics: { method: 'GET', path: '/metrics', access: 'metrics-token' } } as const satisfies Record<string, Route<MetricsAccess>>;
 */
export interface Route<Access extends string> {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
}
