/**
 * The open-loop phase of `npm run bench -- --scale`: `runOpenLoopPhase(ctx)` →
 * `intake_p99_ms_at_500_rps`. 500 submissions a second at fixed intervals, spread over 32
 * pharmacies (one connection each), for 30 s, relay on, latency from each request's scheduled
 * instant (`open-loop-load.ts`, in its own process). The closed-loop saturation figures are the
 * normal bench's (`intake_rps`, `intake_p99_ms`).
 */
import path from 'node:path';
import { registerPharmacy } from '@sidep-gateway/demo/pharmacies.js';
import { ensureDevPki } from '../../../gateway/src/pki/index.js';
import type { GatewayStack } from '../../crash/gateway-stack.js';
import { freshFiness } from '../../support/fresh-finess.js';
import type { ScalePhaseContext } from './context.js';
import type { OpenLoopPlan } from './open-loop-load.js';
import { runLoadScript, type LoadReport } from '../load-process.js';

const RATE = 500;
const PHARMACY_COUNT = 32;
const DURATION_MS = 30_000;
/** The same schedule before the measured 30 s (the gateway restarted to learn the pharmacies): its first seconds answered in 400 ms. */
const WARMUP_MS = 5_000;
/** Set explicitly (DESIGN.md "Rate limits"): the per-pharmacy limit is not what is measured. */
const RATE_LIMIT = { ratePerSecond: 1_000_000, rateBurst: 1_000_000 };

export async function runOpenLoopPhase(ctx: ScalePhaseContext): Promise<Record<string, number | string>> {
  const stack = await ctx.startStack({ intake: RATE_LIMIT, database: { poolSize: 32 } });
  try {
    const pharmacies = await addPharmacies(stack, PHARMACY_COUNT);
    const r = await openLoop(stack, { pharmacies, ratePerSecond: RATE, warmupMs: WARMUP_MS, durationMs: DURATION_MS, hoursBack: 2 });
    ctx.note(
      'open loop 500/s',
      `${RATE}/s offered at fixed intervals over ${PHARMACY_COUNT} pharmacies for ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s not counted, relay on: ${r.rps}/s answered, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms from the scheduled instant (goal p99 ≤ 50 ms); ${r.errors} errors ${r.errors ? JSON.stringify(r.errorKinds) : ''}`,
    );
    return { intake_p99_ms_at_500_rps: r.p99 };
  } finally {
    await stack.close();
  }
}

/** Registers `count` more pharmacies (certificates from the stack's dev CA) and restarts the gateway so that it knows them. */
export async function addPharmacies(stack: GatewayStack, count: number): Promise<OpenLoopPlan['pharmacies']> {
  const names = Array.from({ length: count }, () => freshFiness());
  const pki = await ensureDevPki(path.join(stack.dir, 'pki'), { clients: names });
  const pharmacies: OpenLoopPlan['pharmacies'] = [];
  for (const finess of names) {
    const c = pki.clients[finess] as { certPem: string; certPath: string; keyPath: string };
    await registerPharmacy(stack.owner, { finess, name: `Pharmacie ${finess}`, certPem: c.certPem });
    pharmacies.push({ finess, certPath: c.certPath, keyPath: c.keyPath });
  }
  await stack.stop();
  await stack.start();
  return pharmacies;
}

/** Runs `open-loop-load.ts` in its own process against the stack's intake. */
export function openLoop(stack: GatewayStack, o: Omit<OpenLoopPlan, 'origin' | 'caPath'>): Promise<LoadReport> {
  const plan: OpenLoopPlan = { origin: stack.intakeUrl, caPath: stack.pki.ca.certPath, ...o };
  return runLoadScript(new URL('./open-loop-load.ts', import.meta.url), plan);
}
