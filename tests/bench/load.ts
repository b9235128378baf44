/**
 * The load generator, in its own process: an undici Pool of keep-alive mTLS connections, each
 * answer checked (202 with an id for intake, the same body back for the echo); anything else
 * counts as an error, never as speed. Argument: JSON `LoadPlan`; prints one JSON `LoadReport`
 * (load-process.ts).
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { loadReport, tallyError } from './load-process.js';

export interface LoadPlan {
  origin: string;
  path: string;
  kind: 'intake' | 'echo';
  ca: string;
  cert: string;
  key: string;
  finess: string;
  connections: number;
  durationMs: number;
  /**
   * Results are collected this many hours before now: each load process of a run gets its own
   * hour, as the synthetic NIRs of two processes may meet (a 409 duplicate-result, not speed).
   */
  hoursBack: number;
  /**
   * Offered rate (requests/s), open loop: request n leaves at start + n / rate whether or not
   * earlier ones were answered (beyond `connections` in flight they queue in the pool), and its
   * latency counts from then. Unset: closed loop, as fast as the connections allow.
   */
  ratePerSecond?: number;
  /** Closed loop only: answers in this first stretch (connections, TLS sessions, JIT) are checked but not counted. */
  warmupMs?: number;
}

const plan = JSON.parse(process.argv[2] as string) as LoadPlan;
const pool = new Pool(plan.origin, { connections: plan.connections, pipelining: 1, connect: { ...anssiTlsOptions(), ca: plan.ca, cert: plan.cert, key: plan.key } });
const latencies: number[] = [];
const errorKinds: Record<string, number> = {};
const start = performance.now();
const measuredFrom = start + (plan.warmupMs ?? 0);
const end = measuredFrom + plan.durationMs;

async function one(t = performance.now()): Promise<void> {
  const body = JSON.stringify(plan.kind === 'intake' ? syntheticResult({ pharmacyFiness: plan.finess }, new Date(Date.now() - plan.hoursBack * 3_600_000)) : { payload: randomUUID(), pad: 'x'.repeat(1_000) });
  try {
    const res = await pool.request({ method: 'POST', path: plan.path, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body });
    const text = await res.body.text();
    const good = plan.kind === 'intake' ? res.statusCode === 202 && typeof (JSON.parse(text) as { id?: unknown }).id === 'string' : res.statusCode === 200 && text === body;
    if (good) {
      if (t >= measuredFrom) latencies.push(performance.now() - t);
    }
    else {
      // the problem code says which dependency refused (key manager, audit, rate limit…)
      tallyError(errorKinds, `${res.statusCode} ${problemCode(text)}`.trim());
    }
  } catch (e) {
    tallyError(errorKinds, (e as { code?: string }).code ?? (e as Error).name);
  }
}

function problemCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}

async function worker(): Promise<void> {
  while (performance.now() < end) await one();
}

// A closed loop of 32 connections cannot offer 1,000/s once answers take over 32 ms: the
// offered rate would silently become 32 / latency (327/s was measured so).
async function paced(rate: number): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (let n = 0; ; n++) {
    const due = start + (n * 1000) / rate;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p: Promise<void> = one(due).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

await (plan.ratePerSecond ? paced(plan.ratePerSecond) : Promise.all(Array.from({ length: plan.connections }, worker)));
const report = loadReport(latencies, errorKinds, (performance.now() - measuredFrom) / 1000);
process.stdout.write(`${JSON.stringify(report)}\n`);
await pool.close();
