/**
 * The open-loop load generator, in its own process: request n leaves at start + n / rate,
 * whether or not earlier ones were answered, from pharmacy n mod the number of pharmacies, each
 * over one keep-alive mTLS connection of its own (a request finding it busy queues for it, and
 * that wait counts). Latency runs from the scheduled instant, not from when the request could
 * leave: a stalled server cannot hide its queue (coordinated omission). Argument: JSON
 * `OpenLoopPlan`; prints one JSON `LoadReport` (load-process.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Pool } from 'undici';
import { anssiTlsOptions } from '../../../gateway/src/pki/index.js';
import { syntheticResult } from '../../support/synthetic-result.js';
import { loadReport, tallyError } from '../load-process.js';

export interface OpenLoopPlan {
  origin: string;
  /** PEM files (32 certificates and keys would overflow one command-line argument). */
  caPath: string;
  pharmacies: { finess: string; certPath: string; keyPath: string }[];
  ratePerSecond: number;
  /** Sent on the same schedule before the measured window, not counted: a freshly started gateway (JIT, pools, caches) is not yet at speed. */
  warmupMs: number;
  durationMs: number;
  /** Results collected this many hours ago: two runs never meet on a synthetic NIR (409). */
  hoursBack: number;
}

const plan = JSON.parse(process.argv[2] as string) as OpenLoopPlan;
const ca = await readFile(plan.caPath);
const pools = await Promise.all(
  plan.pharmacies.map(async (p) => new Pool(plan.origin, { connections: 1, pipelining: 1, connect: { ...anssiTlsOptions(), ca, cert: await readFile(p.certPath), key: await readFile(p.keyPath) } })),
);
const latencies: number[] = [];
const errorKinds: Record<string, number> = {};
const collectedAt = new Date(Date.now() - plan.hoursBack * 3_600_000);

async function one(n: number, due: number, counted: boolean): Promise<void> {
  const pharmacy = n % pools.length;
  const body = JSON.stringify(syntheticResult({ pharmacyFiness: plan.pharmacies[pharmacy]?.finess }, collectedAt));
  try {
    const res = await (pools[pharmacy] as Pool).request({ method: 'POST', path: '/api/v1/test-results', headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body });
    await res.body.text();
    if (!counted) return;
    if (res.statusCode === 202) latencies.push(performance.now() - due);
    else tallyError(errorKinds, String(res.statusCode));
  } catch (e) {
    if (!counted) return;
    tallyError(errorKinds, (e as { code?: string }).code ?? (e as Error).name);
  }
}

// one TLS handshake per pharmacy before the clock starts: the run measures intake, not connection set-up
await Promise.all(pools.map((p) => p.request({ method: 'GET', path: '/api/v1/openapi.json' }).then((r) => r.body.text(), () => undefined)));
const warmupStart = performance.now();
const start = warmupStart + plan.warmupMs;
const inFlight = new Set<Promise<void>>();
for (let n = 0; ; n++) {
  const due = warmupStart + (n * 1000) / plan.ratePerSecond;
  if (due >= start + plan.durationMs) break;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const p: Promise<void> = one(n, due, due >= start).finally(() => inFlight.delete(p));
  inFlight.add(p);
}
await Promise.all(inFlight);
const report = loadReport(latencies, errorKinds, (performance.now() - start) / 1000);
process.stdout.write(`${JSON.stringify(report)}\n`);
await Promise.all(pools.map((p) => p.close()));
