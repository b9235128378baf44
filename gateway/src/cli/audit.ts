import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createDatabase } from '../db/index.js';
import { openLocalCheckpointSigner } from '../keys/index.js';
import { exportAudit, proveEvent, pruneAuditLog, PruneRefused, readCheckpointSink, verifyAuditLog, verifyEventProof, type EventProof, type VerifiedCheckpoint } from '../audit/index.js';
import { parseCommandLine, UsageError, type CliContext, type Command } from './command.js';
import { DEMO_AUDIT_SIGNING_KEY, DEMO_AUDIT_SINK } from '../repository-root.js';
import { demoFile } from './operator-settings.js';
import { isUuid } from '../uuid.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  /** JSON `{ "<version>": "<base64 raw Ed25519 key>" }`, as `audit public-keys` prints it. */
  'public-keys': { type: 'string' },
  sink: { type: 'string' },
  /** verify: the verifier's own file of the last checkpoint found sound; verify resumes after it and moves it on. */
  state: { type: 'string' },
  /** prune: delete the batches sealed before this time. */
  before: { type: 'string' },
  /** prune: the JSON Lines export of what it deletes (a new file). */
  out: { type: 'string' },
} as const;

type AuditOptions = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

/**
 * `gateway audit verify|prove|export|public-keys|check-proof|prune`. Exit codes: 0 ok, 1 finding, 2 usage.
 *   verify [--since T] [--until T] [--public-keys F] [--sink F] [--state F]   recompute everything (after --state's checkpoint), name the first fault
 *   prove <event-id>                                             inclusion proof (JSON) against a signed checkpoint
 *   export [--since T] [--until T]                               JSON Lines: keys, checkpoints, events with proofs
 *   public-keys                                                  the checkpoint public keys (JSON), for auditors
 *   check-proof <file> [--public-keys F]                         verify a proof offline (no database)
 *   prune --before T --out F [--public-keys F]                    export, then delete sealed batches past retention
 *     (as gateway_audit_admin: GATEWAY_AUDIT_ADMIN_DATABASE_URL or --database-url; GATEWAY_AUDIT_RETENTION_DAYS, default 365)
 */
export const audit: Command = {
  help: `  audit verify                Recompute checkpoints, chain and sink; name the first fault  [--since T] [--until T] [--sink F] [--public-keys F]
                              [--state F]: resume after the last checkpoint found sound, kept in F (created, then moved on)
  audit prove <event-id>      Inclusion proof of an event against a signed checkpoint (JSON)
  audit export                JSON Lines of checkpoints and events with proofs  [--since T] [--until T]
  audit public-keys           The checkpoint signing public keys (JSON), for offline verification
  audit check-proof <file>    Verify a proof offline  [--public-keys F]
  audit prune                 As gateway_audit_admin: export, then delete sealed batches past retention  --before T --out F
`,
  async run(argv, ctx) {
    const { values: o, positionals } = parseCommandLine(argv, OPTIONS);
    const [sub, argument] = positionals;
    const since = time(o.since, '--since');
    const until = time(o.until, '--until');
    const range = { ...(since ? { since } : {}), ...(until ? { until } : {}) };
    if (sub === 'public-keys') {
      ctx.out(JSON.stringify(await publicKeys(o, ctx)));
      return 0;
    }
    if (sub === 'check-proof') {
      if (!argument) throw new UsageError('Name the proof file: gateway audit check-proof <file>');
      const holds = verifyEventProof(JSON.parse(readFileSync(argument, 'utf8')) as EventProof, await publicKeys(o, ctx));
      ctx.out(holds ? 'Proof holds: the event is in a signed checkpoint.' : 'Proof does NOT hold.');
      return holds ? 0 : 1;
    }
    if (sub === 'prune') return prune(o, ctx);
    if (sub === 'prove') {
      if (!isUuid(argument ?? '')) throw new UsageError('Name the event id (a UUID): gateway audit prove <event-id>');
      const proof = await ctx.withDatabase(o['database-url'], (db) => proveEvent(db, argument as string));
      if (!proof) {
        ctx.err('No sealed event with this id (unknown, or not sealed yet).');
        return 1;
      }
      ctx.out(JSON.stringify(proof, null, 2));
      return 0;
    }
    if (sub === 'export') {
      ctx.out(JSON.stringify({ type: 'public-keys', keys: await publicKeys(o, ctx) }));
      const n = await ctx.withDatabase(o['database-url'], (db) => exportAudit(db, range, ctx.stdout));
      ctx.err(`Exported ${n.checkpoints} checkpoint(s), ${n.events} event(s).`);
      return 0;
    }
    if (sub === 'verify') return verify(o, range, ctx);
    throw new UsageError('Usage: gateway audit verify|prove <event-id>|export|public-keys|check-proof <file>|prune');
  },
};

async function verify(o: AuditOptions, range: { since?: Date; until?: Date }, ctx: CliContext): Promise<number> {
  const { settings } = ctx.settings();
  const sinkFile = o.sink ?? settings.audit.sinkFile ?? demoFile(ctx.settings(), DEMO_AUDIT_SINK);
  const sink = sinkFile ? await readCheckpointSink(sinkFile) : undefined;
  if (!sink) ctx.err('warning: no sink (--sink): a consistent rewrite of the database cannot be detected');
  if (sink?.conflicts.length) {
    ctx.err(`FAULT: the sink holds two different copies of checkpoint ${sink.conflicts[0]}`);
    return 1;
  }
  const keys = await publicKeys(o, ctx);
  const after = o.state ? readVerifiedState(o.state) : undefined;
  let shown = -1;
  const report = await ctx.withDatabase(o['database-url'], (db) =>
    verifyAuditLog({
      db,
      publicKeys: keys,
      ...(sink ? { sink: sink.entries } : {}),
      ...range,
      ...(after ? { after } : {}),
      maxSealLagSeconds: settings.audit.maxSealLagSeconds,
      onProgress(done, total) {
        const percent = Math.floor((done / total) * 100);
        if (total >= 20 && percent !== shown) {
          shown = percent;
          ctx.stderr(`\rverifying checkpoints: ${done}/${total} (${percent}%)`);
          if (done === total) ctx.stderr('\n');
        }
      },
    }),
  );
  if (report.fault) {
    const f = report.fault;
    ctx.out(`FAULT ${f.kind}${f.seq ? ` at sequence ${f.seq}` : ''}${f.checkpoint ? ` (checkpoint ${f.checkpoint})` : ''}: ${f.check}`);
    return 1;
  }
  if (o.state && report.last) writeFileSync(o.state, `${JSON.stringify(report.last)}\n`, { mode: 0o600 });
  ctx.out(`OK: ${report.checkpoints} checkpoint(s), ${report.events} event(s) verified${after ? ` after checkpoint ${after.number}` : ''}${sink ? ' against the sink' : ''}.`);
  return 0;
}

/** The `--state` file: absent on the first run (verify from the start). */
function readVerifiedState(file: string): VerifiedCheckpoint | undefined {
  return existsSync(file) ? parseVerifiedState(readFileSync(file, 'utf8')) : undefined;
}

/** A checkpoint body is a few hundred characters; a state file far larger is not one. */
const MAX_STATE_CHARS = 16_384;

/**
 * The text of a `--state` file, as `audit verify` writes it: `{"number": n ≥ 1, "body": "…"}`.
 * Anything else is a usage error that names the file's expected shape, never its content.
 * @example parseVerifiedState('{"number":12,"body":"{…}"}') // { number: 12, body: '{…}' }
 */
export function parseVerifiedState(text: string): VerifiedCheckpoint {
  const refused = new UsageError('--state names a file that is not a verify state (JSON {"number", "body"} written by audit verify --state)');
  if (text.length > MAX_STATE_CHARS) throw refused;
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw refused;
  }
  const { number, body } = (state ?? {}) as Partial<VerifiedCheckpoint>;
  if (typeof state !== 'object' || !Number.isSafeInteger(number) || (number as number) < 1 || typeof body !== 'string') throw refused;
  return { number: number as number, body: body as string };
}

/** `audit prune`: on its own connection as the audit-admin role; the export file must be new. */
async function prune(o: AuditOptions, ctx: CliContext): Promise<number> {
  const before = time(o.before, '--before');
  if (!before || !o.out) throw new UsageError('Usage: gateway audit prune --before T --out <export file>');
  const { actor } = ctx.operator(o.operator);
  const { auditRetentionDays: retentionDays, auditAdminDatabaseUrl } = ctx.settings().settings.operator;
  const keys = await publicKeys(o, ctx);
  const db = createDatabase({ url: auditAdminDatabaseUrl ?? ctx.databaseUrl(o['database-url']), poolSize: 2 });
  const file = openSync(o.out, 'wx', 0o600);
  try {
    const r = await pruneAuditLog({ db, before, retentionDays, publicKeys: keys, actor: actor.id, exportTo: (line) => void writeSync(file, line) });
    ctx.out(r.through === 0 ? 'Nothing to prune: no sealed batch before that time can go yet.' : `Pruned checkpoints 1..${r.through}: ${r.checkpoints} checkpoint(s), ${r.events} event(s); exported to ${o.out}.`);
    return 0;
  } catch (e) {
    if (!(e instanceof PruneRefused)) throw e;
    ctx.err(e.message);
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
async function publicKeys(o: AuditOptions, ctx: CliContext): Promise<Record<number, string>> {
  const file = o['public-keys'] ?? ctx.settings().settings.operator.auditPublicKeysFile;
  if (file) return JSON.parse(readFileSync(file, 'utf8')) as Record<number, string>;
  const demoKey = demoFile(ctx.settings(), DEMO_AUDIT_SIGNING_KEY);
  if (!demoKey) throw new UsageError('No public keys: pass --public-keys <file> (from `gateway audit public-keys` on the gateway) or set GATEWAY_AUDIT_PUBLIC_KEYS_FILE.');
  return (await openLocalCheckpointSigner(demoKey)).publicKeys();
}
