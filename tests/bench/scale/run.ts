/**
 * `npm run bench -- --scale [--quick] [--size-factor F] [--only data,outage,open-loop,minimal-tx]`
 * (not in CI): what the gateway costs as its data grows; `--only` runs those phases alone (the
 * others' keys print "not measured"). Full run: 10 million results, 50 million audit events, a 1,000,000-result
 * outage; `--quick` a tenth of each; `--size-factor` multiplies either (develop at 0.001).
 * Data: the history in bulk (tests/support/bulk-rows.ts, `INSERT … SELECT generate_series`: no
 * product code, ciphertext stand-ins never opened); audit events in bulk but sealed by the
 * gateway's own sealer; what the relay must deliver sealed by the product's sealer (data.ts);
 * and whatever intake accepts during the run through the whole gateway. Checks free disk first.
 * Phases of another module (README.md) run when present; their keys print "not measured" if not.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { readCheckpointSink, verifyAuditLog, type VerifyReport } from '../../../gateway/src/audit/index.js';
import { createDatabase } from '../../../gateway/src/db/index.js';
import { openLocalCheckpointSigner } from '../../../gateway/src/keys/index.js';
import { purgeExpired } from '../../../gateway/src/results/lifecycle/index.js';
import { PHARMACIES, startGatewayStack, type GatewayStack } from '../../crash/gateway-stack.js';
import { startOwnPostgres } from '../../crash/own-postgres.js';
import { bulkAuditEvents } from '../../support/bulk-rows.js';
import type { LoadPlan } from '../load.js';
import { LOAD_SCRIPT, runLoadScript, type LoadReport } from '../load-process.js';
import type { ScalePhase, ScalePhaseContext, ScaleSizes } from './context.js';
import { fillHistory, fillPending } from './data.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const factorAt = argv.indexOf('--size-factor');
const FACTOR = factorAt >= 0 ? Number(argv[factorAt + 1]) : 1;
if (!(FACTOR > 0)) throw new Error('--size-factor takes a positive number, e.g. 0.001');
const PHASES = ['data', 'outage', 'open-loop', 'minimal-tx'] as const;
const onlyAt = argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : [...PHASES];
if (!ONLY.every((p) => (PHASES as readonly string[]).includes(p))) throw new Error(`--only takes phases among ${PHASES.join(', ')}, comma-separated`);
const FULL: ScaleSizes = { results: 10_000_000, auditEvents: 50_000_000, outage: 1_000_000 };
const SIZES: ScaleSizes = Object.fromEntries(Object.entries(FULL).map(([k, v]) => [k, Math.max(1, Math.round((v / (QUICK ? 10 : 1)) * FACTOR))])) as unknown as ScaleSizes;
const INTAKE_MS = QUICK ? 10_000 : 30_000;
/** A load not counted before the empty measurement: a fresh gateway (JIT, pools, caches) is not yet at speed. */
const STACK_WARMUP_MS = 5_000;
/** Offered during the purge and its idle twin: what 32 pharmacies send at a busy hour, well below saturation. */
const PURGE_LOAD_RATE = 200;
const RATE_LIMIT = { ratePerSecond: 1_000_000, rateBurst: 1_000_000 };
/** The gateway's own purge stays off: the bench runs it when it measures it. */
const NO_PERIODIC_PURGE = { purgeIntervalSeconds: 86_400 };
/**
 * Bytes per row on disk, measured on a quick run (table, indexes, WAL), with room for the
 * backup's dump and its restored copy: the check refuses before anything is written.
 */
const BYTES = { result: 2_600, auditEvent: 420, pending: 4_000 };
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/** Every key of issue #21, in the order printed. */
const KEYS = [
  'intake_rps_at_size_vs_empty', 'intake_p99_ms_at_size', 'audit_verify_events_per_s', 'audit_verify_incremental_s', 'audit_verify_incremental_events',
  'purge_rows_per_s', 'intake_p99_during_purge_vs_idle', 'outage_drain_s', 'rss_peak_mb_during_drain', 'new_result_commit_to_delivered_p99_ms_during_drain',
  'backup_s_at_size', 'restore_s_at_size', 'intake_p99_ms_at_500_rps', 'intake_vs_minimal_tx', 'errors',
] as const;
const summary: Record<string, number | string> = { errors: 0 };
const table: { phase: string; figures: string }[] = [];
const note = (phase: string, figures: string) => {
  table.push({ phase, figures });
  process.stderr.write(`${phase}: ${figures}\n`);
};

async function freeDiskCheck(dir: string): Promise<void> {
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  const need = SIZES.results * BYTES.result + SIZES.auditEvents * BYTES.auditEvent + SIZES.outage * BYTES.pending;
  const gb = (b: number) => (b / 1e9).toFixed(1);
  note('disk', `${gb(free)} GB free under ${dir}, about ${gb(need)} GB needed`);
  if (free < need) {
    process.stderr.write(`Not enough free disk for this run: ${gb(need)} GB needed under ${dir} (${SIZES.results} results, ${SIZES.auditEvents} audit events, a ${SIZES.outage}-result outage, the backup and its restored copy), ${gb(free)} GB free. Free some, set TMPDIR to a larger disk, or run with --quick or --size-factor.\n`);
    process.exit(2);
  }
}

/** Spawns tests/bench/load.ts against the stack (first pharmacy, 32 connections); its JSON report. */
async function load(stack: GatewayStack, o: { durationMs: number; ratePerSecond?: number; hoursBack: number }): Promise<LoadReport> {
  const client = stack.pki.clients[PHARMACIES[0]] as { certPem: string; keyPem: string };
  const plan: LoadPlan = { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', ca: stack.pki.ca.certPem, cert: client.certPem, key: client.keyPem, finess: PHARMACIES[0], connections: 32, warmupMs: o.ratePerSecond ? 0 : 1_500, ...o };
  const report = await runLoadScript(LOAD_SCRIPT, plan);
  if (report.errors) {
    summary.errors = Number(summary.errors) + report.errors;
    note('load errors', JSON.stringify(report.errorKinds));
  }
  return report;
}

/**
 * Waits until every audit event of the transactions begun so far is under a checkpoint (the
 * gateway's sealer), not those begun since: the relay still delivering earlier results keeps
 * adding some.
 */
async function sealed(stack: GatewayStack): Promise<number> {
  const start = performance.now();
  const { rows: now } = await sql<{ xmax: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`.execute(stack.owner);
  const before = now[0]?.xmax as string;
  for (;;) {
    const { rows } = await sql<{ waiting: boolean }>`SELECT EXISTS (SELECT 1 FROM audit_events WHERE xact_id >= coalesce((SELECT max(xact_to) FROM audit_checkpoints), '0'::xid8) AND xact_id < ${before}::xid8) AS waiting`.execute(stack.owner);
    if (!rows[0]?.waiting) return (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function verify(stack: GatewayStack, after?: VerifyReport['last']): Promise<VerifyReport & { seconds: number }> {
  const publicKeys = await (await openLocalCheckpointSigner(path.join(stack.dir, 'audit-signing-key.pem'))).publicKeys();
  const db = createDatabase({ url: stack.ownerUrl, poolSize: 2 });
  try {
    const start = performance.now();
    const sink = (await readCheckpointSink(path.join(stack.dir, 'audit-sink.jsonl'))).entries;
    const report = await verifyAuditLog({ db, publicKeys, sink, maxSealLagSeconds: 3_600, ...(after ? { after } : {}) });
    if (report.fault) throw new Error(`audit verify found a fault: ${JSON.stringify(report.fault)}`);
    return { ...report, seconds: (performance.now() - start) / 1000 };
  } finally {
    await db.destroy();
  }
}

/** Intake at empty and at size; audit verify, whole then incremental; purge under load; backup and restore. */
async function dataPhases(ctx: ScalePhaseContext): Promise<void> {
  const stack = await ctx.startStack({ intake: RATE_LIMIT, database: { poolSize: 32 }, retention: NO_PERIODIC_PURGE });
  try {
    await load(stack, { durationMs: STACK_WARMUP_MS, hoursBack: 1 });
    // statistics of tables that are no longer empty, as autovacuum has them after a while: planned
    // for empty tables, the first minute's lookups scan what has grown since
    await sql`ANALYZE`.execute(stack.owner);
    const empty = await load(stack, { durationMs: INTAKE_MS, hoursBack: 1 });
    note('intake at empty', `${empty.rps} req/s, p50 ${empty.p50} ms, p99 ${empty.p99} ms (32 connections, relay on)`);

    let t = performance.now();
    await fillHistory(stack, { results: ctx.sizes.results, auditEvents: ctx.sizes.auditEvents });
    const filledS = (performance.now() - t) / 1000;
    const sealS = await sealed(stack);
    await sql`ANALYZE`.execute(stack.owner);
    const size = (await sql<{ db: string }>`SELECT pg_size_pretty(pg_database_size(current_database())) AS db`.execute(stack.owner)).rows[0]?.db;
    note('data', `${ctx.sizes.results} results and ${ctx.sizes.auditEvents} audit events in bulk in ${filledS.toFixed(0)} s, sealed by the gateway ${sealS.toFixed(0)} s later; database ${size}`);

    const atSize = await load(stack, { durationMs: INTAKE_MS, hoursBack: 2 });
    summary.intake_rps_at_size_vs_empty = Number((atSize.rps / Math.max(1, empty.rps)).toFixed(3));
    summary.intake_p99_ms_at_size = atSize.p99;
    note('intake at size', `${atSize.rps} req/s, p50 ${atSize.p50} ms, p99 ${atSize.p99} ms: ×${summary.intake_rps_at_size_vs_empty} of empty (goal ≥ 0.8)`);

    await sealed(stack);
    const whole = await verify(stack);
    summary.audit_verify_events_per_s = Math.round(whole.events / whole.seconds);
    // 1% more, sealed by the gateway, then a verify from the last checkpoint the first one found sound
    await bulkAuditEvents(stack.ownerUrl, { count: Math.max(1_000, Math.round(ctx.sizes.auditEvents / 100)) });
    await sealed(stack);
    const incremental = await verify(stack, whole.last);
    summary.audit_verify_incremental_s = Number(incremental.seconds.toFixed(2));
    summary.audit_verify_incremental_events = incremental.events;
    note('audit verify', `whole log: ${whole.events} events, ${whole.checkpoints} checkpoints in ${whole.seconds.toFixed(1)} s: ${summary.audit_verify_events_per_s}/s (goal ≥ 50,000/s); from the last verified checkpoint: ${incremental.events} new events, ${incremental.checkpoints} checkpoints in ${incremental.seconds.toFixed(2)} s`);

    // the same offered load idle, then while the purge runs (as the gateway runs it: runtime role)
    const idle = await load(stack, { durationMs: INTAKE_MS, ratePerSecond: PURGE_LOAD_RATE, hoursBack: 3 });
    const runtime = createDatabase({ url: stack.runtimeUrl, poolSize: 2 });
    t = performance.now();
    const purging = purgeExpired(runtime, { retention: { deliveredDays: 7, deadLetteredDays: 30 }, keyManager: { dataKeyWindowMinutes: 60 } }).then((r) => ({ ...r, seconds: (performance.now() - t) / 1000 }));
    const during = await load(stack, { durationMs: INTAKE_MS, ratePerSecond: PURGE_LOAD_RATE, hoursBack: 4 });
    const purged = await purging;
    await runtime.destroy();
    summary.purge_rows_per_s = Math.round(purged.results / purged.seconds);
    summary.intake_p99_during_purge_vs_idle = Number((during.p99 / Math.max(0.01, idle.p99)).toFixed(2));
    note('purge', `${purged.results} results and ${purged.dataKeys} data keys in ${purged.seconds.toFixed(1)} s: ${summary.purge_rows_per_s}/s; intake at ${PURGE_LOAD_RATE}/s p99 ${during.p99} ms during it (${Math.min(100, Math.round((purged.seconds * 1000 * 100) / INTAKE_MS))}% of the window) vs ${idle.p99} ms idle: ×${summary.intake_p99_during_purge_vs_idle} (goal ≤ 1.5)`);

    await backupAndRestore(ctx, stack);
  } finally {
    await stack.close();
  }
}

/** deploy/backup/backup then deploy/backup/restore into a new database (the script creates it), as an operator runs them. */
async function backupAndRestore(ctx: ScalePhaseContext, stack: GatewayStack): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-scale-backup-'));
  const target = `gw_restore_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ctx.postgres.adminUrl });
  await admin.connect();
  try {
    const identityFile = path.join(dir, 'identity.txt');
    await run('age-keygen', ['-o', identityFile]);
    const recipientsFile = path.join(dir, 'recipients.txt');
    await writeFile(recipientsFile, (await run('age-keygen', ['-y', identityFile])).stdout);
    let t = performance.now();
    await run(path.join(ROOT, 'deploy/backup/backup'), ['--database-url', stack.ownerUrl, '--recipients-file', recipientsFile, '--out', path.join(dir, 'dumps'), '--keys-out', path.join(dir, 'keys'), '--keyring', path.join(stack.dir, 'keyring.json')]);
    summary.backup_s_at_size = Number(((performance.now() - t) / 1000).toFixed(1));
    const [stamp] = await readdir(path.join(dir, 'dumps'));
    t = performance.now();
    const targetUrl = new URL(ctx.postgres.adminUrl);
    targetUrl.pathname = `/${target}`;
    await run(path.join(ROOT, 'deploy/backup/restore'), ['--from', path.join(dir, 'dumps', stamp as string), '--database-url', targetUrl.toString(), '--identity', identityFile]);
    summary.restore_s_at_size = Number(((performance.now() - t) / 1000).toFixed(1));
    note('backup and restore', `deploy/backup/backup ${summary.backup_s_at_size} s, deploy/backup/restore into a new database ${summary.restore_s_at_size} s`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Another module's phase, if its file is there. */
async function optionalPhase(file: string, name: string): Promise<ScalePhase | undefined> {
  try {
    return ((await import(new URL(file, import.meta.url).href)) as Record<string, ScalePhase>)[name];
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** A phase that fails is named in the table and leaves its keys unmeasured; the others still run. */
async function phaseOrNote(name: string, phase: () => Promise<void>): Promise<void> {
  try {
    await phase();
  } catch (e) {
    summary.errors = Number(summary.errors) + 1;
    note(`${name} FAILED`, (e as Error).stack ?? String(e));
  }
}

const postgres = await startOwnPostgres();
const stacks = new Set<GatewayStack>();
const ctx: ScalePhaseContext = {
  quick: QUICK,
  factor: FACTOR,
  sizes: SIZES,
  postgres,
  async startStack(settings) {
    const stack = await startGatewayStack({ adminUrl: postgres.adminUrl, runtimePassword: postgres.runtimePassword, ...(settings ? { settings } : {}) });
    stacks.add(stack);
    const close = stack.close.bind(stack);
    stack.close = () => (stacks.delete(stack) ? close() : Promise.resolve());
    return stack;
  },
  fillResults: (stack, o) => (o.state === 'pending' ? fillPending(stack, o.count) : fillHistory(stack, { results: o.count, auditEvents: 0 })),
  note,
};
try {
  note('settings', `${QUICK ? 'quick' : 'full'} run ×${FACTOR}: ${SIZES.results} results, ${SIZES.auditEvents} audit events, ${SIZES.outage}-result outage; ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)} at start`);
  await freeDiskCheck(os.tmpdir());
  if (ONLY.includes('data')) await phaseOrNote('data phases', () => dataPhases(ctx));
  for (const [id, file, name] of [['outage', './outage.ts', 'runOutagePhases'], ['open-loop', './open-loop.ts', 'runOpenLoopPhase'], ['minimal-tx', './minimal-tx.ts', 'runMinimalTxPhase']] as const) {
    if (!ONLY.includes(id)) continue;
    const phase = await optionalPhase(file, name);
    if (phase) await phaseOrNote(name, async () => void Object.assign(summary, await phase(ctx)));
    else note(name, 'not measured: its module is absent');
  }
} finally {
  // a phase that threw leaves its stack open
  await Promise.all([...stacks].map((s) => s.close().catch(() => undefined)));
  // the summary below still prints when the server went down under a phase
  await postgres.stop().catch((e: unknown) => note('postgres stop FAILED', String(e)));
}
// other work on the box skews every figure: the reader should know
note('load average at end', os.loadavg()[0]?.toFixed(1) ?? '');
const out = path.join(ROOT, 'bench-results', `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ quick: QUICK, factor: FACTOR, sizes: SIZES, at: new Date().toISOString(), cores: os.cpus().length, summary, table }, null, 2)}\n`);
console.log(table.map((r) => `${r.phase.padEnd(28)} ${r.figures}`).join('\n'));
console.log('');
for (const key of [...KEYS, ...Object.keys(summary).filter((k) => !(KEYS as readonly string[]).includes(k))]) console.log(`${key}: ${summary[key] ?? 'not measured'}`);
