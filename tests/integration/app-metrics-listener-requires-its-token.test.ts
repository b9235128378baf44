import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('the metrics listener', () => {
  it('answers 401 on /metrics without the bearer token, or with a wrong one', async () => {
    expect((await fetch(`${h.metricsUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Basic ${h.metricsToken}` } })).status).toBe(401);
  });

  it('serves the gateway metrics with the token', async () => {
    const res = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of ['gateway_intake_requests_total', 'gateway_outbox_backlog', 'gateway_outbox_oldest_pending_age_seconds', 'gateway_deliveries_total', 'gateway_commit_to_delivered_seconds', 'gateway_key_manager_up', 'gateway_process_resident_memory_bytes']) {
      expect(text).toContain(name);
    }
  });

  it('says only up or down on /healthz and /readyz', async () => {
    const health = await fetch(`${h.metricsUrl}/healthz`);
    expect(await health.json()).toEqual({ status: 'up' });
    const ready = await fetch(`${h.metricsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'up' });
  });

  it('answers 404 elsewhere', async () => {
    expect((await fetch(`${h.metricsUrl}/api/v1/test-results`)).status).toBe(404);
  });
});
