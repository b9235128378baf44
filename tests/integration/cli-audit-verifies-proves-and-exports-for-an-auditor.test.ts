import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSealedLog, type SealedLog } from './audit-kit.js';

const run = promisify(execFile);
let log: SealedLog;
let keysFile: string;
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 10 });
  await log.appendThenSeal(35);
  keysFile = path.join(log.dir, 'public-keys.json');
  await writeFile(keysFile, JSON.stringify(await log.signer.publicKeys()));
});
afterAll(() => log.close());

/** Runs `gateway audit …` as an auditor would; resolves with the exit code and output. */
async function gateway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, GATEWAY_PROFILE: 'production' };
  return run(process.execPath, ['gateway/bin/gateway.js', 'audit', ...args, '--database-url', log.db.ownerUrl], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('gateway audit', () => {
  it('verify exits 0 on an intact log and 1 naming the fault and sequence after a change', async () => {
    const ok = await gateway('verify', '--public-keys', keysFile, '--sink', log.sinkFile);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining('OK: ') });
    const { rows } = await sql<{ seq: string }>`SELECT (seqs[3])::text AS seq FROM audit_checkpoints WHERE number = 2`.execute(log.db.owner);
    const seq = rows[0]?.seq as string;
    await sql`UPDATE audit_events SET outcome = 'failure' WHERE seq = ${seq}::bigint`.execute(log.db.owner);
    try {
      const bad = await gateway('verify', '--public-keys', keysFile, '--sink', log.sinkFile);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(`FAULT edited at sequence ${seq} (checkpoint 2)`);
    } finally {
      await sql`UPDATE audit_events SET outcome = 'success' WHERE seq = ${seq}::bigint`.execute(log.db.owner);
    }
  });

  it('verify refuses a time that is not RFC 3339 with exit code 2', async () => {
    expect((await gateway('verify', '--public-keys', keysFile, '--since', 'yesterday')).code).toBe(2);
  });

  it('prove gives a proof that check-proof verifies offline with the exported key, and refuses once the event changes', async () => {
    const event = await log.db.owner.selectFrom('audit_events').select('id').orderBy('seq').offset(17).limit(1).executeTakeFirstOrThrow();
    const proved = await gateway('prove', event.id);
    expect(proved.code).toBe(0);
    const proofFile = path.join(log.dir, 'proof.json');
    await writeFile(proofFile, proved.stdout);
    expect(await gateway('check-proof', proofFile, '--public-keys', keysFile)).toMatchObject({ code: 0 });
    const forged = JSON.parse(proved.stdout) as { event: { action: string } };
    forged.event.action = 'result.purge';
    await writeFile(proofFile, JSON.stringify(forged));
    expect(await gateway('check-proof', proofFile, '--public-keys', keysFile)).toMatchObject({ code: 1 });
  });

  it('export writes the keys, every checkpoint and every event with its proof as JSON Lines', async () => {
    const out = await gateway('export', '--public-keys', keysFile, '--since', '2000-01-01T00:00:00Z');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines[0]).toEqual({ type: 'public-keys', keys: await log.signer.publicKeys() });
    const checkpoints = await log.db.owner.selectFrom('audit_checkpoints').select('number').execute();
    expect(lines.filter((l) => l.type === 'checkpoint')).toHaveLength(checkpoints.length);
    expect(lines.filter((l) => l.type === 'event')).toHaveLength(35);
  });
});
