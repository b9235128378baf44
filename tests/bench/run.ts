/**
 * `npm run bench [-- --quick]`: every measurement in one run on one machine, so ratios hold on a
 * noisy box. Baseline A (the intake transaction's statements straight to Postgres), baseline B
 * (a bare Hono echo on the same mTLS listener setup), the gateway's intake without audit writes
 * or sealer (`gateway-without-audit.ts`) against it as built, the gateway's intake (relay off), a relay
 * drain of a backlog, a steady offered load with the relay on, key-manager calls per record,
 * the gateway's peak RSS and the demo's start time. The load generator runs in its own process.
 * Prints a table, then the fixed `name: value` summary; writes `bench-results/<date>.json`.
 * `GATEWAY_CPU_PROF=<dir>` profiles the gateway process (`--cpu-prof`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { createMigratedDatabase, dropDatabase, PHARMACIES, startGatewayStack, type GatewayStack } from '../crash/gateway-stack.js';
import { startOwnPostgres } from '../crash/own-postgres.js';
import type { LoadPlan } from './load.js';
import { LOAD_SCRIPT, runLoadScript, type LoadReport } from './load-process.js';
import { rawIntakeTransactions } from './raw-transactions.js';
import { minimalTransactions } from './scale/minimal-tx.js';

if (process.argv.includes('--scale')) {
  // a run of its own (tests/bench/scale/README.md)
  await import('./scale/run.js');
  process.exit();
}

const QUICK = process.argv.includes('--quick');
const T = QUICK
  ? { rawMs: 6_000, echoMs: 6_000, auditRounds: 4, auditRoundMs: 3_000, intakeMs: 10_000, backlog: 2_000, steadyMs: 10_000 }
  : { rawMs: 20_000, echoMs: 20_000, auditRounds: 8, auditRoundMs: 8_000, intakeMs: 30_000, backlog: 50_000, steadyMs: 60_000 };
const CLIENTS = 32;
/** The gateway's database pool, as many connections as baseline A's clients. */
const POOL = 32;
const STEADY_RATE = 1_000;
const AUDIT_WARMUP_MS = 1_500;
/** Set explicitly (DESIGN.md "Rate limits"): high enough never to be what is measured. */
const RATE_LIMIT = { ratePerSecond: 1_000_000, rateBurst: 1_000_000 };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const TSX = ['--import', 'tsx'];

const summary = {
  raw_tx_tps: 0,
  intake_rps: 0,
  intake_vs_raw_tx: 0,
  /** Five plain inserts into primary-key-only tables (`scale/minimal-tx.ts`): the second baseline. */
  minimal_tx_tps: 0,
  intake_vs_minimal_tx: 0,
  intake_p99_ms: 0,
  intake_vs_echo: 0,
  intake_audit_off_rps: 0,
  audit_on_vs_off: 0,
  relay_drain_per_s: 0,
  /** Accepted per second while STEADY_RATE was offered: below it, the box is saturated. */
  steady_rps: 0,
  commit_to_delivered_p99_ms: 0,
  commit_to_delivered_p99_ms_at_half: 0,
  key_manager_calls_per_record: 0,
  rss_peak_mb: 0,
  demo_start_s: 0,
  errors: 0,
};
const table: { phase: string; figures: string }[] = [];
const note = (phase: string, figures: string) => {
  table.push({ phase, figures });
  process.stderr.write(`${phase}: ${figures}\n`);
};

let loads = 0;
function load(stack: GatewayStack, plan: Pick<LoadPlan, 'origin' | 'path' | 'kind' | 'durationMs' | 'ratePerSecond' | 'warmupMs'>): Promise<LoadReport> {
  const client = stack.pki.clients[PHARMACIES[0]] as { certPem: string; keyPem: string };
  // within the 7 days intake accepts
  const hoursBack = loads++ % 160;
  const full: LoadPlan = { ...plan, ca: stack.pki.ca.certPem, cert: client.certPem, key: client.keyPem, finess: PHARMACIES[0], connections: CLIENTS, hoursBack };
  return runLoadScript(LOAD_SCRIPT, full);
}

function countErrors(phase: string, r: LoadReport): void {
  summary.errors += r.errors;
  if (r.errors) note(`${phase} errors`, JSON.stringify(r.errorKinds));
}

async function echoBaseline(stack: GatewayStack): Promise<LoadReport> {
  const files = { certFile: stack.pki.server.certPath, keyFile: stack.pki.server.keyPath, caFile: stack.pki.ca.certPath };
  const server = spawn(process.execPath, [...TSX, here('./echo-server.ts'), JSON.stringify(files)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve) => createInterface({ input: server.stdout as NodeJS.ReadableStream }).on('line', (l) => l.startsWith('ready ') && resolve(l.slice(6))));
    return await load(stack, { origin: `https://localhost:${port}`, path: '/echo', kind: 'echo', durationMs: T.echoMs });
  } finally {
    server.kill('SIGKILL');
  }
}

/** Offers `rate` results/s for the stage's time with the relay on; commit→delivered from the rows' received_at and delivered_at. */
async function steadyState(stack: GatewayStack, rate: number): Promise<{ ok: number; rps: number; p99: number }> {
  const from = new Date();
  const steady = await load(stack, { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', durationMs: T.steadyMs, ratePerSecond: rate });
  countErrors(`steady ${rate}/s`, steady);
  const total = await count(stack, 'all');
  if (!(await waitDelivered(stack, total, 120_000))) summary.errors += total - (await count(stack, 'delivered'));
  const latency = await sql<{ p50: number | null; p99: number | null }>`
    select percentile_cont(0.5) within group (order by extract(epoch from delivered_at - received_at)) * 1000 as p50,
           percentile_cont(0.99) within group (order by extract(epoch from delivered_at - received_at)) * 1000 as p99
    from test_results where received_at >= ${from} and delivered_at is not null`.execute(stack.owner);
  const p50 = Math.round(Number(latency.rows[0]?.p50 ?? 0));
  const p99 = Math.round(Number(latency.rows[0]?.p99 ?? 0));
  note(`steady state ${rate}/s`, `${steady.rps} req/s accepted of ${rate} offered for ${T.steadyMs / 1000} s${steady.rps < rate * 0.98 ? ' (saturated)' : ''}; intake p50 ${steady.p50} ms, p99 ${steady.p99} ms; commit→delivered p50 ${p50} ms, p99 ${p99} ms (goal ≤ 1,000 ms)`);
  return { ok: steady.ok, rps: steady.rps, p99 };
}

async function count(stack: GatewayStack, where: 'all' | 'delivered'): Promise<number> {
  let q = stack.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n'));
  if (where === 'delivered') q = q.where('status', '=', 'delivered');
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/**
 * Waits until no message is pending, then checks that `total` results are delivered. The wait
 * reads the pending messages' partial index: a count of delivered results every 100 ms scanned
 * the whole result table and took from the relay the CPU it measures.
 */
async function waitDelivered(stack: GatewayStack, total: number, limitMs: number): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const { n } = await stack.owner.selectFrom('outbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow();
    if (Number(n) === 0) return (await count(stack, 'delivered')) >= total;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Cold start of `gateway demo` (fresh data dir: Postgres cluster, PKI, keys) until `demo.json` exists. */
async function demoStartSeconds(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-demo-'));
  await chmod(dir, 0o711);
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_DEMO_DATA_DIR: path.join(dir, 'data'), GATEWAY_INTAKE_PORT: '0', GATEWAY_METRICS_PORT: '0', GATEWAY_WEB_PORT: '0', GATEWAY_DEMO_OIDC_PORT: '0', GATEWAY_DEMO_POSTGRES_PORT: String(await freePort()) };
  delete env.DATABASE_URL;
  const start = performance.now();
  const demo = spawn(process.execPath, ['gateway/bin/gateway.js', 'demo'], { cwd: ROOT, env, stdio: 'ignore' });
  try {
    for (;;) {
      if (demo.exitCode !== null) throw new Error('the demo exited before it was ready');
      if (await stat(path.join(dir, 'data', 'demo.json')).then(() => true, () => false)) return (performance.now() - start) / 1000;
      if (performance.now() - start > 120_000) throw new Error('the demo did not get ready in 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    const exited = once(demo, 'exit');
    demo.kill('SIGTERM');
    const timer = setTimeout(() => demo.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  }
}

const postgres = await startOwnPostgres();
let stack: GatewayStack | undefined;
try {
  stack = await startGatewayStack({ adminUrl: postgres.adminUrl, runtimePassword: postgres.runtimePassword, settings: { intake: RATE_LIMIT, relay: { enabled: false }, database: { poolSize: POOL } } });
  note('settings', `${QUICK ? 'quick' : 'full'} run, ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)} at start, ${CLIENTS} client connections, gateway pool ${POOL}, rate limit per pharmacy ${RATE_LIMIT.ratePerSecond}/s burst ${RATE_LIMIT.rateBurst}`);

  // 1. baseline A, in a database of its own
  const rawDb = await createMigratedDatabase(postgres.adminUrl, postgres.runtimePassword);
  const raw = await rawIntakeTransactions({ ownerUrl: rawDb.ownerUrl, runtimeUrl: rawDb.runtimeUrl, certPem: (stack.pki.clients[PHARMACIES[1]] as { certPem: string }).certPem, finess: PHARMACIES[1], clients: CLIENTS, durationMs: T.rawMs });
  const minimal = await minimalTransactions({ ownerUrl: rawDb.ownerUrl, clients: CLIENTS, durationMs: T.rawMs });
  summary.minimal_tx_tps = minimal.tps;
  summary.errors += minimal.errors;
  note('A′ five plain inserts', `${minimal.tps} tx/s into primary-key-only tables, ${minimal.errors} errors`);
  await dropDatabase(postgres.adminUrl, rawDb.name);
  summary.raw_tx_tps = raw.tps;
  summary.errors += raw.errors;
  note('A raw intake transaction', `${raw.tps} tx/s, ${raw.errors} errors`);

  // 2. baseline B
  const echo = await echoBaseline(stack);
  countErrors('B echo', echo);
  note('B mTLS Hono echo', `${echo.rps} req/s, p50 ${echo.p50} ms, p95 ${echo.p95} ms, p99 ${echo.p99} ms`);

  // 3. what audit costs: intake (relay off) without audit writes or sealer against it as built,
  // in rounds off-on, on-off, … so that the box's changing load and the growing tables weigh on
  // both alike; each after a warm-up
  const paired = { off: { ok: 0, ms: 0 }, on: { ok: 0, ms: 0 } };
  let last: 'off' | 'on' = 'on';
  for (let round = 0; round < T.auditRounds; round++) {
    for (const variant of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      await stack.stop();
      await stack.start(undefined, variant === 'off' ? here('./gateway-without-audit.ts') : undefined);
      const r = await load(stack, { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', durationMs: T.auditRoundMs, warmupMs: AUDIT_WARMUP_MS });
      countErrors(`intake, audit ${variant}`, r);
      paired[variant].ok += r.ok;
      paired[variant].ms += T.auditRoundMs;
      last = variant;
    }
  }
  if (last === 'off') {
    await stack.stop();
    await stack.start();
  }
  summary.intake_audit_off_rps = Math.round(paired.off.ok / (paired.off.ms / 1000));
  summary.audit_on_vs_off = Number((paired.on.ok / Math.max(1, paired.off.ok)).toFixed(3));
  note('intake, audit on vs off', `${Math.round(paired.on.ok / (paired.on.ms / 1000))} vs ${summary.intake_audit_off_rps} req/s in ${T.auditRounds} rounds of ${T.auditRoundMs / 1000} s each: ×${summary.audit_on_vs_off} (goal ≥ 0.9)`);

  // 4. gateway intake, relay off
  const callsBefore = await stack.metric('gateway_key_manager_calls_total');
  const intake = await load(stack, { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', durationMs: T.intakeMs });
  countErrors('intake', intake);
  summary.intake_rps = intake.rps;
  summary.intake_p99_ms = intake.p99;
  summary.intake_vs_raw_tx = Number((intake.rps / Math.max(1, raw.tps)).toFixed(3));
  summary.intake_vs_echo = Number((intake.rps / Math.max(1, echo.rps)).toFixed(3));
  summary.intake_vs_minimal_tx = Number((intake.rps / Math.max(1, summary.minimal_tx_tps)).toFixed(3));
  note('gateway intake (relay off)', `${intake.rps} req/s, p50 ${intake.p50} ms, p95 ${intake.p95} ms, p99 ${intake.p99} ms; ×${summary.intake_vs_raw_tx} of A (goal ≥ 0.5), ×${summary.intake_vs_echo} of B`);

  // 5. relay drain of a backlog (topped up through intake to the size asked for)
  while ((await count(stack, 'all')) < T.backlog) countErrors('backlog top-up', await load(stack, { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', durationMs: QUICK ? 3_000 : 10_000 }));
  const backlog = await count(stack, 'all');
  const records = backlog;
  summary.rss_peak_mb = await stack.rssPeakMb();
  // the counter starts again with the restarted process
  const intakeCalls = (await stack.metric('gateway_key_manager_calls_total')) - callsBefore;
  await stack.stop();
  await stack.start({ enabled: true });
  const drainStart = performance.now();
  const drainedAll = await waitDelivered(stack, backlog, 600_000);
  const drainS = (performance.now() - drainStart) / 1000;
  if (!drainedAll) summary.errors += backlog - (await count(stack, 'delivered'));
  summary.relay_drain_per_s = Math.round(backlog / drainS);
  note('relay drain', `${backlog} messages in ${drainS.toFixed(1)} s: ${summary.relay_drain_per_s}/s (goal ≥ 2,000/s)${drainedAll ? '' : ', NOT all delivered'}`);

  // 6. steady state, relay on, at the goal's rate, then at half of it: what this box sustains
  // with intake, relay, simulator and load generator on its cores, and the latency below that
  const full = await steadyState(stack, STEADY_RATE);
  const half = await steadyState(stack, STEADY_RATE / 2);
  summary.steady_rps = full.rps;
  summary.commit_to_delivered_p99_ms = full.p99;
  summary.commit_to_delivered_p99_ms_at_half = half.p99;
  const steadyOk = full.ok + half.ok;

  // 7. key-manager calls (intake, drain, steady state) per record sealed
  const calls = intakeCalls + (await stack.metric('gateway_key_manager_calls_total'));
  summary.key_manager_calls_per_record = Number((calls / Math.max(1, records + steadyOk)).toPrecision(2));
  note('key manager', `${calls} calls for ${records + steadyOk} records (intake, drain and steady state)`);
  summary.rss_peak_mb = Math.round(Math.max(summary.rss_peak_mb, await stack.rssPeakMb()));
  note('gateway RSS peak', `${summary.rss_peak_mb} MB`);
} finally {
  await stack?.stop(); // a clean exit writes the relay phase's profile
  await stack?.close();
  await postgres.stop();
}
summary.demo_start_s = Number((await demoStartSeconds()).toFixed(1));
note('demo cold start', `${summary.demo_start_s} s`);
// other work on the box skews every figure: the reader should know
note('load average at end', os.loadavg()[0]?.toFixed(1) ?? '');

const out = path.join(ROOT, 'bench-results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ quick: QUICK, at: new Date().toISOString(), cores: os.cpus().length, summary, table }, null, 2)}\n`);
console.log(table.map((r) => `${r.phase.padEnd(28)} ${r.figures}`).join('\n'));
console.log('');
for (const [k, v] of Object.entries(summary)) console.log(`${k}: ${v}`);
