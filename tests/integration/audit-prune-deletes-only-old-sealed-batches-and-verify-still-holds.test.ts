import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAuditLog, PruneRefused, readCheckpointSink, type PruneOptions } from '../../gateway/src/audit/index.js';
import { encodeCheckpoint, parseCheckpoint, type CheckpointBody } from '../../gateway/src/audit/checkpoint.js';
import { AUDIT_ADMIN_ROLE, createDatabase, type Database, type DB } from '../../gateway/src/db/index.js';
import { AUDIT_ADMIN_TEST_PASSWORD } from '../support/database-names.js';
import { faultAfter, startSealedLog, type SealedLog } from './audit-kit.js';

const run = promisify(execFile);
const YEAR_MS = 365 * 86_400_000;
let log: SealedLog;
let admin: Database;
let adminUrl: string;
let keysFile: string;
/** Between the first 40 events' checkpoints and the last 25 events' ones. */
let cutAt: Date;

beforeAll(async () => {
  log = await startSealedLog({ batchSize: 10 });
  await log.append(40);
  await log.sealed();
  const { rows } = await sql<{ last: Date }>`SELECT max(sealed_at) AS last FROM audit_checkpoints`.execute(log.db.owner);
  cutAt = new Date((rows[0]?.last as Date).getTime() + 1);
  await log.append(25);
  await log.sealed();
  const url = new URL(log.db.ownerUrl);
  url.username = AUDIT_ADMIN_ROLE;
  url.password = AUDIT_ADMIN_TEST_PASSWORD;
  adminUrl = url.toString();
  admin = createDatabase({ url: adminUrl, poolSize: 2 });
  keysFile = path.join(log.dir, 'public-keys.json');
  await writeFile(keysFile, JSON.stringify(await log.signer.publicKeys()));
});
afterAll(async () => {
  await admin?.destroy();
  await log?.close();
});

const counts = async () =>
  (await sql<{ checkpoints: number; events: number }>`SELECT (SELECT count(*)::int FROM audit_checkpoints) AS checkpoints, (SELECT count(*)::int FROM audit_events) AS events`.execute(log.db.owner)).rows[0];

async function prune(o: Partial<PruneOptions> = {}) {
  const lines: string[] = [];
  // a clock one retention period past the cut, so that batches sealed a moment ago count as old
  const report = await pruneAuditLog({ db: admin, before: cutAt, retentionDays: 365, publicKeys: await log.signer.publicKeys(), actor: 'cli:test', exportTo: (l) => void lines.push(l), now: new Date(cutAt.getTime() + YEAR_MS), ...o });
  return { report, lines };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof PruneRefused ? e.reason : e),
  );

describe('gateway audit prune', () => {
  it('refuses to delete batches still within retention, from the CLI too, and deletes nothing', async () => {
    const before = await counts();
    expect(await refusal(prune({ now: new Date() }))).toBe('not-old-enough');
    expect(await refusal(prune({ retentionDays: 30, now: new Date(cutAt.getTime() + 31 * 86_400_000) }))).toBe('retention-too-short');
    const out = path.join(log.dir, 'refused-export.jsonl');
    const env = { PATH: process.env.PATH, GATEWAY_PROFILE: 'production', GATEWAY_AUDIT_ADMIN_DATABASE_URL: adminUrl };
    const cli = await run(process.execPath, ['gateway/bin/gateway.js', 'audit', 'prune', '--before', cutAt.toISOString(), '--out', out, '--public-keys', keysFile], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('not-old-enough');
    expect(await counts()).toEqual(before);
  });

  it('is impossible for the runtime and sealer roles', async () => {
    expect(await refusal(prune({ db: log.db.runtime }))).toBe('not-audit-admin');
    for (const statement of ['DELETE FROM audit_events', 'DELETE FROM audit_checkpoints', 'DELETE FROM audit_sink_copies', `INSERT INTO audit_prunes (through, body, key_version, signature, before) VALUES (1, '', 1, '', now())`, `SET ROLE ${AUDIT_ADMIN_ROLE}`]) {
      await expect(sql.raw(statement).execute(log.db.runtime), statement).rejects.toThrow(/permission denied/);
      const asSealer = log.db.runtime.transaction().execute(async (tx) => {
        await sql`SET LOCAL ROLE gateway_sealer`.execute(tx);
        await sql.raw(statement).execute(tx);
      });
      await expect(asSealer, `sealer: ${statement}`).rejects.toThrow(/permission denied/);
    }
  });

  it('exports then deletes whole sealed batches past retention, records a prune event, and verify still holds against the sink', async () => {
    const before = await counts();
    const { report, lines } = await prune();
    expect(report.through).toBeGreaterThanOrEqual(4); // 40 events, batches of 10
    expect(report.events).toBeGreaterThanOrEqual(40);
    const exported = lines.map((l) => JSON.parse(l) as { type: string; number?: number });
    expect(exported.filter((l) => l.type === 'checkpoint').map((l) => l.number)).toEqual(Array.from({ length: report.through }, (_, i) => i + 1));
    expect(exported.filter((l) => l.type === 'event')).toHaveLength(report.events);
    const { rows } = await sql<{ first: string }>`SELECT min(number)::text AS first FROM audit_checkpoints`.execute(log.db.owner);
    expect(Number(rows[0]?.first)).toBe(report.through + 1);
    expect((await counts())?.checkpoints).toBe((before?.checkpoints as number) - report.through);
    const event = await log.db.owner.selectFrom('audit_events').select(['actor_id', 'object_id', 'reason']).where('action', '=', 'audit.prune').executeTakeFirstOrThrow();
    expect(event).toEqual({ actor_id: 'cli:test', object_id: String(report.through), reason: 'retention' });
    await log.append(5);
    await log.sealed();
    expect((await log.verify()).fault).toBeUndefined();
    expect((await log.verify(log.db.owner, { sink: false })).fault).toBeUndefined();
    // nothing older is left: a second prune finds nothing before the cut
    expect((await prune()).report.through).toBe(0);
  });

  it('names the anchor when it is not a checkpoint, holds another signed checkpoint, or was re-signed unlike the sink copy', async () => {
    const { rows } = await sql<{ through: string; body: string }>`SELECT through::text, body FROM audit_prunes`.execute(log.db.owner);
    const through = Number(rows[0]?.through);
    const setAnchor = (body: string, keyVersion: number, signature: string) => (tx: Transaction<DB>) =>
      sql`UPDATE audit_prunes SET body = ${body}, key_version = ${keyVersion}, signature = ${signature}`.execute(tx);
    const earlier = (await readCheckpointSink(log.sinkFile)).entries.get(through - 1);
    if (!earlier) throw new Error('the sink holds every checkpoint');
    expect(await faultAfter(log, setAnchor(earlier.body, earlier.keyVersion, earlier.signature))).toMatchObject({ kind: 'edited', checkpoint: through, check: 'prune-anchor-signature' });
    expect(await faultAfter(log, (tx) => sql`UPDATE audit_prunes SET body = body || ' '`.execute(tx))).toMatchObject({ kind: 'edited', checkpoint: through, check: 'prune-anchor-signature' });
    const resealed = encodeCheckpoint({ ...(parseCheckpoint(rows[0]?.body as string) as CheckpointBody), sealedAt: new Date().toISOString() });
    const { signature, keyVersion } = await log.signer.sign(Buffer.from(resealed, 'utf8'));
    expect(await faultAfter(log, setAnchor(resealed, keyVersion, signature))).toMatchObject({ kind: 'edited', checkpoint: through, check: 'sink-copy-differs' });
  });

  it('still detects tampering after a prune: an edited event, a forged anchor, a lost anchor, a deleted first retained batch', async () => {
    const { rows } = await sql<{ first: string; seq: string }>`SELECT number::text AS first, (seqs[1])::text AS seq FROM audit_checkpoints ORDER BY number LIMIT 1`.execute(log.db.owner);
    const first = Number(rows[0]?.first);
    const seq = rows[0]?.seq as string;
    await sql`UPDATE audit_events SET outcome = 'failure' WHERE seq = ${seq}::bigint`.execute(log.db.owner);
    expect((await log.verify()).fault).toMatchObject({ kind: 'edited', seq, checkpoint: first });
    await sql`UPDATE audit_events SET outcome = 'success' WHERE seq = ${seq}::bigint`.execute(log.db.owner);

    await sql`UPDATE audit_prunes SET body = replace(body, '"size":', '"size":1')`.execute(log.db.owner);
    expect((await log.verify()).fault).toMatchObject({ kind: 'edited', checkpoint: first - 1, check: 'prune-anchor-signature' });
    await sql`UPDATE audit_prunes SET body = replace(body, '"size":1', '"size":')`.execute(log.db.owner);
    expect((await log.verify()).fault).toBeUndefined();

    type Anchor = { through: string; body: string; key_version: number; signature: string; before: Date };
    const a = (await sql<Anchor>`DELETE FROM audit_prunes RETURNING through, body, key_version, signature, before`.execute(log.db.owner)).rows[0] as Anchor;
    expect((await log.verify()).fault).toMatchObject({ kind: 'deleted', check: 'checkpoint-missing' });
    await sql`INSERT INTO audit_prunes (through, body, key_version, signature, before) VALUES (${a.through}, ${a.body}, ${a.key_version}, ${a.signature}, ${a.before})`.execute(log.db.owner);
    expect((await log.verify()).fault).toBeUndefined();

    await sql`DELETE FROM audit_sink_copies WHERE number = ${first}`.execute(log.db.owner);
    await sql`DELETE FROM audit_checkpoints WHERE number = ${first}`.execute(log.db.owner);
    expect((await log.verify()).fault).toMatchObject({ kind: 'deleted', checkpoint: first, check: 'checkpoint-missing' });
    expect(existsSync(log.sinkFile) && (await readFile(log.sinkFile, 'utf8')).includes(`"number":1,`)).toBe(true); // the sink still shows the pruned ones
  });
});
