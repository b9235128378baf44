import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '../db/index.js';
import { openLocalCheckpointSigner } from '../crypto/index.js';
import { exportAudit, proveEvent, pruneAuditLog, PruneRefused, readCheckpointSink, verifyAuditLog, verifyEventProof, type EventProof } from '../audit/index.js';

/** The demo's checkpoint signing key and sink, in its data dir (`.data/`). */
export const DEMO_AUDIT_SIGNING_KEY = 'audit-signing-key.pem';
export const DEMO_AUDIT_SINK = 'audit-sink.jsonl';

// Not imported from demo/: the production image ships without it.
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuditCommandOptions {
  since?: string;
  until?: string;
  /** JSON `{ "<version>": "<base64 raw Ed25519 key>" }`, as `audit public-keys` prints it. */
  publicKeys?: string;
  sink?: string;
  maxSealLagSeconds?: string;
  /** prune: delete the batches sealed before this time. */
  before?: string;
  /** prune: the JSON Lines export of what it deletes (a new file). */
  out?: string;
}

export interface AuditCommandIo {
  env: NodeJS.ProcessEnv;
  databaseUrl: () => string;
  out: (s: string) => void;
  err: (s: string) => void;
}

class UsageError extends Error {}

/**
 * `gateway audit verify|prove|export|public-keys|check-proof`. Exit codes: 0 ok, 1 finding, 2 usage.
 *   verify [--since T] [--until T] [--public-keys F] [--sink F]   recompute everything, name the first fault
 *   prove <event-id>                                             inclusion proof (JSON) against a signed checkpoint
 *   export [--since T] [--until T]                               JSON Lines: keys, checkpoints, events with proofs
 *   public-keys                                                  the checkpoint public keys (JSON), for auditors
 *   check-proof <file> [--public-keys F]                         verify a proof offline (no database)
 *   prune --before T --out F [--public-keys F]                    export, then delete sealed batches past retention
 *     (as gateway_audit_admin: GATEWAY_AUDIT_ADMIN_DATABASE_URL or --database-url; GATEWAY_AUDIT_RETENTION_DAYS, default 365)
 * @example process.exit(await runAuditCommand('verify', [], { since: '2026-01-01T00:00:00Z' }, io));
 */
export async function runAuditCommand(sub: string | undefined, args: string[], o: AuditCommandOptions, io: AuditCommandIo): Promise<number> {
  try {
    return await dispatch(sub, args, o, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\n`);
    return 2;
  }
}

async function dispatch(sub: string | undefined, args: string[], o: AuditCommandOptions, io: AuditCommandIo): Promise<number> {
  const since = time(o.since, '--since');
  const until = time(o.until, '--until');
  if (sub === 'public-keys') {
    io.out(`${JSON.stringify(await publicKeys(o, io.env))}\n`);
    return 0;
  }
  if (sub === 'check-proof') {
    if (!args[0]) throw new UsageError('Name the proof file: gateway audit check-proof <file>');
    const ok = verifyEventProof(JSON.parse(readFileSync(args[0], 'utf8')) as EventProof, await publicKeys(o, io.env));
    io.out(ok ? 'Proof holds: the event is in a signed checkpoint.\n' : 'Proof does NOT hold.\n');
    return ok ? 0 : 1;
  }
  if (sub === 'prune') return prune(o, io);
  if (sub !== 'verify' && sub !== 'prove' && sub !== 'export') throw new UsageError('Usage: gateway audit verify|prove <event-id>|export|public-keys|check-proof <file>|prune');
  if (sub === 'prove' && !UUID.test(args[0] ?? '')) throw new UsageError('Name the event id (a UUID): gateway audit prove <event-id>');
  const db = createDatabase({ url: io.databaseUrl(), poolSize: 2 });
  try {
    if (sub === 'prove') {
      const proof = await proveEvent(db, args[0] as string);
      if (!proof) {
        io.err('No sealed event with this id (unknown, or not sealed yet).\n');
        return 1;
      }
      io.out(`${JSON.stringify(proof, null, 2)}\n`);
      return 0;
    }
    if (sub === 'export') {
      io.out(`${JSON.stringify({ type: 'public-keys', keys: await publicKeys(o, io.env) })}\n`);
      const n = await exportAudit(db, { ...(since ? { since } : {}), ...(until ? { until } : {}) }, io.out);
      io.err(`Exported ${n.checkpoints} checkpoint(s), ${n.events} event(s).\n`);
      return 0;
    }
    const sinkFile = o.sink ?? io.env.GATEWAY_AUDIT_SINK_FILE ?? demoFile(io.env, DEMO_AUDIT_SINK);
    const sink = sinkFile ? await readCheckpointSink(sinkFile) : undefined;
    if (!sink) io.err('warning: no sink (--sink): a consistent rewrite of the database cannot be detected\n');
    if (sink?.conflicts.length) {
      io.err(`FAULT: the sink holds two different copies of checkpoint ${sink.conflicts[0]}\n`);
      return 1;
    }
    let shown = -1;
    const report = await verifyAuditLog({
      db,
      publicKeys: await publicKeys(o, io.env),
      ...(sink ? { sink: sink.entries } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      maxSealLagSeconds: Number(o.maxSealLagSeconds ?? 60),
      onProgress(done, total) {
        const percent = Math.floor((done / total) * 100);
        if (total >= 20 && percent !== shown) {
          shown = percent;
          io.err(`\rverifying checkpoints: ${done}/${total} (${percent}%)`);
          if (done === total) io.err('\n');
        }
      },
    });
    if (report.fault) {
      const f = report.fault;
      io.out(`FAULT ${f.kind}${f.seq ? ` at sequence ${f.seq}` : ''}${f.checkpoint ? ` (checkpoint ${f.checkpoint})` : ''}: ${f.check}\n`);
      return 1;
    }
    io.out(`OK: ${report.checkpoints} checkpoint(s), ${report.events} event(s) verified${sink ? ' against the sink' : ''}.\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}

/** `audit prune`: on its own connection as the audit-admin role; the export file must be new. */
async function prune(o: AuditCommandOptions, io: AuditCommandIo): Promise<number> {
  const before = time(o.before, '--before');
  if (!before || !o.out) throw new UsageError('Usage: gateway audit prune --before T --out <export file>');
  const retentionDays = Number(io.env.GATEWAY_AUDIT_RETENTION_DAYS ?? 365);
  if (!Number.isFinite(retentionDays)) throw new UsageError('GATEWAY_AUDIT_RETENTION_DAYS takes a number of days');
  const keys = await publicKeys(o, io.env);
  const db = createDatabase({ url: io.env.GATEWAY_AUDIT_ADMIN_DATABASE_URL ?? io.databaseUrl(), poolSize: 2 });
  const file = openSync(o.out, 'wx', 0o600);
  try {
    const r = await pruneAuditLog({ db, before, retentionDays, publicKeys: keys, actor: `cli:${io.env.USER ?? 'unknown'}`, exportTo: (line) => void writeSync(file, line) });
    io.out(r.through === 0 ? 'Nothing to prune: no sealed batch before that time can go yet.\n' : `Pruned checkpoints 1..${r.through}: ${r.checkpoints} checkpoint(s), ${r.events} event(s); exported to ${o.out}.\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof PruneRefused)) throw e;
    io.err(`${e.message}\n`);
    return 1;
  } finally {
    closeSync(file);
    await db.destroy();
  }
}

function time(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) throw new UsageError(`${flag} takes an RFC 3339 time, e.g. 2026-01-31T00:00:00Z`);
  return new Date(value);
}

/** Trusted keys: --public-keys, GATEWAY_AUDIT_PUBLIC_KEYS_FILE, or (outside production) the demo's key. */
async function publicKeys(o: AuditCommandOptions, env: NodeJS.ProcessEnv): Promise<Record<number, string>> {
  const file = o.publicKeys ?? env.GATEWAY_AUDIT_PUBLIC_KEYS_FILE;
  if (file) return JSON.parse(readFileSync(file, 'utf8')) as Record<number, string>;
  const demoKey = demoFile(env, DEMO_AUDIT_SIGNING_KEY);
  if (!demoKey) throw new UsageError('No public keys: pass --public-keys <file> (from `gateway audit public-keys` on the gateway) or set GATEWAY_AUDIT_PUBLIC_KEYS_FILE.');
  return (await openLocalCheckpointSigner(demoKey)).publicKeys();
}

function demoFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env.GATEWAY_PROFILE === 'production') return undefined;
  const file = path.join(env.GATEWAY_DEMO_DATA_DIR ?? path.join(REPOSITORY_ROOT, '.data'), name);
  return existsSync(file) ? file : undefined;
}
