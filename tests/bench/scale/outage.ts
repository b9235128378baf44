/**
 * The outage phase of `npm run bench -- --scale`: `runOutagePhases(ctx)` → `outage_drain_s`,
 * `rss_peak_mb_during_drain`, `new_result_commit_to_delivered_p99_ms_during_drain`.
 *
 * Before the outage the gateway runs with its relay on: idle, then at the national peak
 * (`NEW_RESULTS_PER_SECOND`, open loop through intake) with nothing queued. SI-DEP goes down
 * while `ctx.sizes.outage` results queue: the gateway stops and the backlog is written in bulk
 * by `ctx.fillResults` (sealed by the product's sealer), what a relay backing off from a dead
 * SI-DEP leaves in the table: pending messages. SI-DEP comes back with a quota (the simulator's
 * `ratePerSecond`: 429 with `Retry-After` above it) and the gateway restarts with its relay paced
 * to it (`relay.maxSendsPerSecond`), as an operator who knows SI-DEP's quota would set it, while
 * pharmacies keep submitting at the national peak.
 *
 * - `outage_drain_s`: from the relay's start until no message of the backlog is pending;
 * - `rss_peak_mb_during_drain`: the drain's process's high-water mark (VmHWM), against the idle
 *   gateway's resident set (the goal's denominator) and the peak before the outage; a timeline
 *   shows whether it grows as the backlog is larger;
 * - `new_result_commit_to_delivered_p99_ms_during_drain`: received_at → delivered_at of the results
 *   committed during the drain (the fairness policy of `results/lifecycle/claim.ts`).
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { anssiTlsOptions } from '../../../gateway/src/pki/index.js';
import { PHARMACIES, type GatewayStack } from '../../crash/gateway-stack.js';
import { syntheticResult } from '../../support/synthetic-result.js';
import type { ScalePhaseContext } from './context.js';

/** SI-DEP's quota once back, as the issue states it. */
export const SIDEP_QUOTA_PER_SECOND = 500;
/** Results still coming in during the drain: France's national peak (issue #21). */
export const NEW_RESULTS_PER_SECOND = 150;
/** The outage timeline's step. */
const TIMELINE_S = 20;
/** How long the results committed during the drain get to be delivered after it. */
const SETTLE_MS = 60_000;
/** Set explicitly (DESIGN.md "Rate limits"): the per-pharmacy limit is not what is measured. */
const RATE_LIMIT = { ratePerSecond: 1_000_000, rateBurst: 1_000_000 };

export async function runOutagePhases(ctx: ScalePhaseContext): Promise<Record<string, number | string>> {
  const backlog = ctx.sizes.outage;
  const stack = await ctx.startStack({ intake: RATE_LIMIT, relay: { enabled: true, maxSendsPerSecond: SIDEP_QUOTA_PER_SECOND }, database: { poolSize: 16 } });
  try {
    await stack.simulatorFaults({ ratePerSecond: SIDEP_QUOTA_PER_SECOND });
    // the gateway before the outage: idle, then at the national peak with nothing queued
    await sleep(5_000);
    const idleMb = await rssMb(stack);
    const steady = submitAtRate(stack, NEW_RESULTS_PER_SECOND);
    await sleep(20_000);
    await steady.stop();
    const steadyMb = await stack.rssPeakMb();

    // SI-DEP down: what a relay backing off from it leaves in the table, pending messages
    await stack.stop();
    await ctx.fillResults(stack, { count: backlog, state: 'pending' });
    await stack.start();
    const drainStart = new Date();
    const started = performance.now();
    const queued = await pendingBefore(stack, drainStart);
    const fresh = submitAtRate(stack, NEW_RESULTS_PER_SECOND);
    // A box that cannot send at the quota takes intake's share too: past three times the drain
    // the quota allows, new results stop (noted) so that the backlog ends at all.
    const newResultsUntil = started + Math.max(60, (3 * queued) / SIDEP_QUOTA_PER_SECOND) * 1000;
    let submitted: { ok: number; errors: number } | undefined;
    // every TIMELINE_S: the backlog left, the resident set and the V8 heap in use (flat if the
    // drain holds no more as the backlog is larger), then each step's new results' latency
    const timeline: { s: number; left: number; rssMb: number; heapMb: number }[] = [];
    for (;;) {
      const left = await pendingBefore(stack, drainStart);
      if (left === 0) break;
      const s = (performance.now() - started) / 1000;
      if (s >= timeline.length * TIMELINE_S) timeline.push({ s: Math.round(s), left, rssMb: Math.round(await rssMb(stack)), heapMb: Math.round((await stack.metric('gateway_nodejs_heap_size_used_bytes')) / 1e6) });
      if (!submitted && performance.now() > newResultsUntil) submitted = await fresh.stop();
      await sleep(1_000);
    }
    const drainS = (performance.now() - started) / 1000;
    const peakMb = await stack.rssPeakMb();
    const cutShort = submitted !== undefined;
    submitted ??= await fresh.stop();
    // the last new results are delivered too before their latency is read, within a bound: one
    // still waiting then counts with its wait so far (a lower bound), not as missing
    const until = performance.now() + SETTLE_MS;
    while ((await pendingBefore(stack, new Date())) > 0 && performance.now() < until) await sleep(500);
    const latency = await sql<{ p50: number | null; p99: number | null; n: string; waiting: string }>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(delivered_at, now()) - received_at)) * 1000 AS p50,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(delivered_at, now()) - received_at)) * 1000 AS p99,
             count(*) AS n, count(*) FILTER (WHERE delivered_at IS NULL) AS waiting
      FROM test_results WHERE received_at >= ${drainStart}`.execute(stack.owner);
    const row = latency.rows[0];
    const steps = await sql<{ step: number; p99: number }>`
      SELECT floor(extract(epoch FROM received_at - ${drainStart}::timestamptz) / ${TIMELINE_S})::int AS step,
             round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(delivered_at, now()) - received_at)) * 1000) AS p99
      FROM test_results WHERE received_at >= ${drainStart} GROUP BY 1`.execute(stack.owner);
    const p99At = new Map(steps.rows.map((r) => [Number(r.step), Number(r.p99)]));
    const dead = await countState(stack, 'dead');
    const throttled = await stack.metric('gateway_sidep_throttled_total');
    const retries = await stack.metric('gateway_delivery_retries_total');
    ctx.note(
      'outage drain',
      `${queued} queued, drained in ${drainS.toFixed(1)} s (${Math.round(queued / drainS)}/s, SI-DEP quota ${SIDEP_QUOTA_PER_SECOND}/s, relay paced to it) while ${submitted.ok} new results came in at ${NEW_RESULTS_PER_SECOND}/s (${submitted.errors} errors${cutShort ? `; stopped after ${((newResultsUntil - started) / 1000).toFixed(0)} s, the relay being slower than the quota` : ''}); 429s ${throttled}; retries ${retries}; dead letters ${dead}`,
    );
    ctx.note('outage drain RSS', `before the outage: idle ${idleMb.toFixed(0)} MB, peak ${steadyMb.toFixed(0)} MB at ${NEW_RESULTS_PER_SECOND}/s delivered as they come; the drain's process: peak ${peakMb.toFixed(0)} MB (×${(peakMb / idleMb).toFixed(2)} of idle, goal ≤ 1.2; ×${(peakMb / steadyMb).toFixed(2)} of the peak before)`);
    ctx.note('outage timeline', `every ${TIMELINE_S} s, backlog left / RSS MB / heap in use MB / p99 ms of the new results committed in the step: ${timeline.map((t, i) => `${t.s} s ${t.left}/${t.rssMb}/${t.heapMb}/${p99At.get(i) ?? '-'}`).join(', ')}`);
    ctx.note('outage new results', `${row?.n ?? 0} committed during the drain (${row?.waiting ?? 0} still waiting ${SETTLE_MS / 1000} s after it): commit→delivered p50 ${Math.round(Number(row?.p50 ?? 0))} ms, p99 ${Math.round(Number(row?.p99 ?? 0))} ms (first attempts newest first in half of each claim)`);
    return {
      outage_drain_s: Number(drainS.toFixed(1)),
      rss_peak_mb_during_drain: Math.round(peakMb),
      rss_peak_during_drain_vs_idle: Number((peakMb / idleMb).toFixed(2)),
      rss_peak_during_drain_vs_before: Number((peakMb / steadyMb).toFixed(2)),
      new_result_commit_to_delivered_p99_ms_during_drain: Math.round(Number(row?.p99 ?? 0)),
    };
  } finally {
    await stack.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pendingBefore(stack: GatewayStack, before: Date): Promise<number> {
  const { n } = await stack.owner.selectFrom('outbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'pending').where('created_at', '<', before).executeTakeFirstOrThrow();
  return Number(n);
}

async function countState(stack: GatewayStack, state: 'dead'): Promise<number> {
  const { n } = await stack.owner.selectFrom('outbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', state).executeTakeFirstOrThrow();
  return Number(n);
}

/** The gateway's resident set now (`GatewayStack.rssPeakMb` is its high-water mark). */
async function rssMb(stack: GatewayStack): Promise<number> {
  const status = await readFile(`/proc/${stack.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Submits results through intake at a fixed rate (open loop, both pharmacies of the stack) until
 * stopped; a request refused while the gateway restarts counts as an error, never retried.
 */
function submitAtRate(stack: GatewayStack, ratePerSecond: number): { stop(): Promise<{ ok: number; errors: number }> } {
  const pools = PHARMACIES.map((finess) => {
    const c = stack.pki.clients[finess] as { certPem: string; keyPem: string };
    return { finess, pool: new Pool(stack.intakeUrl, { connections: 4, connect: { ...anssiTlsOptions(), ca: stack.pki.ca.certPem, cert: c.certPem, key: c.keyPem } }) };
  });
  let ok = 0;
  let errors = 0;
  let running = true;
  const inFlight = new Set<Promise<void>>();
  const send = async (n: number) => {
    const { finess, pool } = pools[n % pools.length] as (typeof pools)[number];
    try {
      const res = await pool.request({ method: 'POST', path: '/api/v1/test-results', headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify(syntheticResult({ pharmacyFiness: finess })) });
      await res.body.text();
      if (res.statusCode === 202) ok++;
      else errors++;
    } catch {
      errors++;
    }
  };
  const loop = (async () => {
    const start = performance.now();
    for (let n = 0; running; n++) {
      const wait = start + (n * 1000) / ratePerSecond - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p: Promise<void> = send(n).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(inFlight);
      await Promise.all(pools.map((p) => p.pool.close()));
      return { ok, errors };
    },
  };
}
