/**
 * Where intake's time goes beyond the minimal transaction (`intake_vs_minimal_tx`), on the
 * gateway's side: `node --import tsx tests/bench/scale/minimal-tx-profile.ts [seconds]` starts a
 * gateway stack (relay off) with `--cpu-prof`, offers intake a closed-loop load (32 connections,
 * one pharmacy, as `npm run bench`), stops it cleanly so the profile is written, and prints the
 * gateway's CPU time by category. The database's side (indexes, the CTE, the audit rows) is the
 * gap between `minimal_tx_tps` and `raw_tx_tps`, measured by `npm run bench`.
 *
 * Each sample is charged to one category: to `audit` or `logging` when any frame of its stack is
 * in the audit module or the logger (their own hashing and serialising included), otherwise to the
 * innermost frame that names one (SQL driver and query builder, crypto, validation, TLS/HTTP and
 * the HTTP middleware, intake's own handler code);
 * V8's `(garbage collector)` and `(program)` are their own; idle time is left out.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHARMACIES, startGatewayStack } from '../../crash/gateway-stack.js';
import { startOwnPostgres } from '../../crash/own-postgres.js';
import type { LoadPlan } from '../load.js';
import { LOAD_SCRIPT, runLoadScript } from '../load-process.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Checked in this order; the first two win wherever they appear in a stack. */
const CALLERS: [string, RegExp][] = [
  ['audit', /\/gateway\/src\/audit\//],
  ['logging', /\/pino|\/observability\/(logger|log-)|thread-stream|sonic-boom/],
];
const INNERMOST: [string, RegExp][] = [
  ['SQL', /\/node_modules\/(pg|pg-protocol|pg-pool|kysely|postgres-)|\/gateway\/src\/db\/|\/results\/lifecycle\//],
  ['sealing/crypto', /node:crypto|internal\/crypto|\/gateway\/src\/(crypto|keys)\//],
  ['validation', /\/node_modules\/zod|\/gateway\/src\/results\/(?!lifecycle)|zod-openapi/],
  ['TLS/HTTP', /node:(_tls|tls|_http|http|https|net|internal\/(tls|http|stream|net|streams))|internal\/(tls|http|stream_base|streams|net)|_tls_|_http_|\/node_modules\/(hono|@hono)|\/gateway\/src\/http\//],
  ['intake handler (own code)', /\/gateway\/src\/(intake|app)\//],
];

function categorise(stack: ProfileNode[]): string {
  const leaf = stack[0]?.callFrame.functionName ?? '';
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return 'GC';
  if (leaf === '(program)') return 'program (V8, native)';
  for (const [name, re] of CALLERS) if (stack.some((n) => re.test(n.callFrame.url))) return name;
  for (const n of stack) for (const [name, re] of INNERMOST) if (re.test(n.callFrame.url)) return name;
  return 'other';
}

const INTAKE = /\/gateway\/src\/intake\//;

/**
 * Milliseconds of CPU by category, idle left out, from the first to the last sample in intake's
 * code (start-up and shutdown left out); `other` also lists its five largest files.
 */
export function cpuByCategory(profile: CpuProfile): { totals: Record<string, number>; otherFiles: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number) => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at) as ProfileNode);
    return stack;
  };
  const inIntake = profile.samples.map((id) => stackOf(id).some((n) => INTAKE.test(n.callFrame.url)));
  const first = inIntake.indexOf(true);
  const last = inIntake.lastIndexOf(true);
  const categoryOf = new Map<number, string>();
  const totals: Record<string, number> = {};
  const other: Record<string, number> = {};
  for (let i = Math.max(0, first); i <= last; i++) {
    const id = profile.samples[i] as number;
    let category = categoryOf.get(id);
    if (category === undefined) {
      category = categorise(stackOf(id));
      categoryOf.set(id, category);
    }
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totals[category] = (totals[category] ?? 0) + ms;
    if (category === 'other') {
      const file = byId.get(id)?.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/gateway\/src\//, 'gateway/src/') || byId.get(id)?.callFrame.functionName || '?';
      other[file] = (other[file] ?? 0) + ms;
    }
  }
  delete totals.idle;
  return { totals, otherFiles: Object.entries(other).sort((a, b) => b[1] - a[1]).slice(0, 5) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 20);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-cpu-prof-'));
  process.env.GATEWAY_CPU_PROF = dir;
  const postgres = await startOwnPostgres();
  try {
    const stack = await startGatewayStack({ adminUrl: postgres.adminUrl, runtimePassword: postgres.runtimePassword, settings: { intake: { ratePerSecond: 1_000_000, rateBurst: 1_000_000 }, relay: { enabled: false }, database: { poolSize: 32 } } });
    try {
      const client = stack.pki.clients[PHARMACIES[0]] as { certPem: string; keyPem: string };
      const plan: LoadPlan = { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', ca: stack.pki.ca.certPem, cert: client.certPem, key: client.keyPem, finess: PHARMACIES[0], connections: 32, durationMs: seconds * 1000, hoursBack: 1 };
      const load = await runLoadScript(LOAD_SCRIPT, plan);
      await stack.stop();
      const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error('the gateway wrote no profile');
      const { totals, otherFiles } = cpuByCategory(JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile);
      const all = Object.values(totals).reduce((a, b) => a + b, 0);
      console.log(`intake ${load.rps} req/s for ${seconds} s (${load.ok} results); gateway CPU ${(all / 1000).toFixed(1)} s, ${(all / Math.max(1, load.ok)).toFixed(2)} ms per result:`);
      for (const [name, ms] of Object.entries(totals).sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(26)} ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${(ms / Math.max(1, load.ok)).toFixed(3)} ms/result`);
      console.log(`  other, largest: ${otherFiles.map(([f, ms]) => `${f} ${((100 * ms) / all).toFixed(1)} %`).join(', ')}`);
    } finally {
      await stack.close();
    }
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
