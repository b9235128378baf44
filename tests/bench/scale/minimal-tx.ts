/**
 * The second baseline of intake (`intake_vs_minimal_tx`): five plain single-row inserts, in one
 * statement like the product's intake, into five tables with a primary key only (no secondary
 * index, constraint, trigger or CTE logic), synchronous commit on, no HTTP, TLS, validation or
 * sealing. What separates intake from it is what the product adds; the profile of where that
 * goes is `minimal-tx-profile.ts`.
 *
 * - `minimalTransactions(o)`: the baseline alone (also run by `npm run bench`, `tests/bench/run.ts`);
 * - `runMinimalTxPhase(ctx)`: the phase of `npm run bench -- --scale`: the baseline, then the
 *   gateway's intake closed loop (relay off, 32 connections) on the same cluster.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PHARMACIES } from '../../crash/gateway-stack.js';
import type { LoadPlan } from '../load.js';
import { LOAD_SCRIPT, runLoadScript } from '../load-process.js';
import type { ScalePhaseContext } from './context.js';

const CLIENTS = 32;
const DURATION_MS = 20_000;
/** Set explicitly (DESIGN.md "Rate limits"): the per-pharmacy limit is not what is measured. */
const RATE_LIMIT = { ratePerSecond: 1_000_000, rateBurst: 1_000_000 };
/** A sealed result's weight (as in `raw-transactions.ts`). */
const SEALED_BYTES = 1_024;

const TABLES = `
  CREATE SCHEMA IF NOT EXISTS bench_minimal;
  CREATE TABLE IF NOT EXISTS bench_minimal.keys (id uuid PRIMARY KEY, answer jsonb NOT NULL);
  CREATE TABLE IF NOT EXISTS bench_minimal.results (id uuid PRIMARY KEY, sealed bytea NOT NULL);
  CREATE TABLE IF NOT EXISTS bench_minimal.messages (id uuid PRIMARY KEY, result_id uuid NOT NULL);
  CREATE TABLE IF NOT EXISTS bench_minimal.events (id uuid PRIMARY KEY, body jsonb NOT NULL);
  CREATE TABLE IF NOT EXISTS bench_minimal.receipts (id uuid PRIMARY KEY, at timestamptz NOT NULL)`;

const FIVE_INSERTS = `
  WITH k AS (INSERT INTO bench_minimal.keys VALUES ($1, $2)),
       r AS (INSERT INTO bench_minimal.results VALUES ($3, $4)),
       m AS (INSERT INTO bench_minimal.messages VALUES ($5, $3)),
       e AS (INSERT INTO bench_minimal.events VALUES ($6, $7))
  INSERT INTO bench_minimal.receipts VALUES ($8, now())`;

/**
 * `clients` connections each committing the five inserts back to back for `durationMs`, in a
 * schema of its own (`bench_minimal`) of the database at `ownerUrl`.
 */
export async function minimalTransactions(o: { ownerUrl: string; clients: number; durationMs: number }): Promise<{ tps: number; errors: number }> {
  const pool = new pg.Pool({ connectionString: o.ownerUrl, max: o.clients });
  try {
    await pool.query(TABLES);
    let committed = 0;
    let errors = 0;
    const start = performance.now();
    const end = start + o.durationMs;
    const client = async () => {
      const c = await pool.connect();
      try {
        while (performance.now() < end) {
          const id = randomUUID();
          try {
            await c.query(FIVE_INSERTS, [randomUUID(), JSON.stringify({ id, status: 'received' }), id, randomBytes(SEALED_BYTES), randomUUID(), randomUUID(), JSON.stringify({ action: 'result.create', object: id }), randomUUID()]);
            committed++;
          } catch {
            errors++;
          }
        }
      } finally {
        c.release();
      }
    };
    await Promise.all(Array.from({ length: o.clients }, client));
    return { tps: Math.round(committed / ((performance.now() - start) / 1000)), errors };
  } finally {
    await pool.query('DROP SCHEMA IF EXISTS bench_minimal CASCADE').catch(() => undefined);
    await pool.end();
  }
}

export async function runMinimalTxPhase(ctx: ScalePhaseContext): Promise<Record<string, number | string>> {
  const stack = await ctx.startStack({ intake: RATE_LIMIT, relay: { enabled: false }, database: { poolSize: CLIENTS } });
  try {
    const minimal = await minimalTransactions({ ownerUrl: stack.ownerUrl, clients: CLIENTS, durationMs: DURATION_MS });
    const client = stack.pki.clients[PHARMACIES[0]] as { certPem: string; keyPem: string };
    const plan: LoadPlan = { origin: stack.intakeUrl, path: '/api/v1/test-results', kind: 'intake', ca: stack.pki.ca.certPem, cert: client.certPem, key: client.keyPem, finess: PHARMACIES[0], connections: CLIENTS, durationMs: DURATION_MS, hoursBack: 3, warmupMs: 1_500 };
    const intake = await runLoadScript(LOAD_SCRIPT, plan);
    const ratio = Number((intake.rps / Math.max(1, minimal.tps)).toFixed(3));
    ctx.note('intake vs minimal tx', `five plain inserts ${minimal.tps} tx/s (${minimal.errors} errors), intake (relay off) ${intake.rps} req/s p99 ${intake.p99} ms (${intake.errors} errors${intake.errors ? ` ${JSON.stringify(intake.errorKinds)}` : ''}), ${CLIENTS} connections each: ×${ratio}`);
    return { minimal_tx_tps: minimal.tps, intake_vs_minimal_tx: ratio };
  } finally {
    await stack.close();
  }
}
