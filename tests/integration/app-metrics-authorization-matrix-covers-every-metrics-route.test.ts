import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_TABLE } from '../../gateway/src/app/index.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Every route of the internal listener's table against the bearer token Prometheus sends: only
 * `/metrics` needs it; the probes answer anyone, because the kubelet calls them without
 * credentials and they say only up or down. Routes come from the table, so a route added
 * without a row here fails.
 */
type Caller = 'no token' | 'wrong token' | 'token in another scheme' | 'right token';
const CALLERS: Caller[] = ['no token', 'wrong token', 'token in another scheme', 'right token'];
const MATRIX: Record<string, Record<Caller, number>> = {
  'GET /metrics': { 'no token': 401, 'wrong token': 401, 'token in another scheme': 401, 'right token': 200 },
  'GET /healthz': { 'no token': 200, 'wrong token': 200, 'token in another scheme': 200, 'right token': 200 },
  'GET /readyz': { 'no token': 200, 'wrong token': 200, 'token in another scheme': 200, 'right token': 200 },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

function headersOf(caller: Caller): Record<string, string> {
  switch (caller) {
    case 'no token':
      return {};
    case 'wrong token':
      // as long as the right one, one character off
      return { authorization: `Bearer ${h.metricsToken.slice(0, -1)}x` };
    case 'token in another scheme':
      return { authorization: `Basic ${h.metricsToken}` };
    case 'right token':
      return { authorization: `Bearer ${h.metricsToken}` };
  }
}

describe('authorization matrix of the metrics listener', () => {
  const routes = ROUTE_TABLE.metrics.map((r) => `${r.method} ${r.path}`);

  it('has a row for every route of the table', () => {
    expect(routes.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const route of routes) {
    for (const caller of CALLERS) {
      const expected = (MATRIX[route] as Record<Caller, number>)[caller];
      it(`${route} with ${caller} → ${expected}`, async () => {
        const [method, path] = route.split(' ') as [string, string];
        const res = await fetch(`${h.metricsUrl}${path}`, { method, headers: headersOf(caller) });
        expect(res.status).toBe(expected);
        if (expected === 401) expect(await res.json()).toMatchObject({ code: 'unauthenticated' });
      });
    }
  }
});
