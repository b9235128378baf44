import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../gateway/src/cli/keys.js';
import { openDocument } from '../../gateway/src/crypto/index.js';
import { dataKeyContext, rewrapStoredDataKeys, type KeyManager } from '../../gateway/src/keys/index.js';
import { DecryptionFailed } from '../../gateway/src/errors.js';
import { purgeExpired } from '../../gateway/src/results/lifecycle/index.js';
import { syntheticResult, SYNTHETIC_NIR } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * Crypto-shredding on a real OpenBao set up by deploy/vault/init.sh: the gateway runs with its
 * AppRole, `gateway keys` with keys-admin's (which rotates, rewraps and retires, and opens
 * nothing), and a dump is opened as an attacker holding it and the gateway's Vault access would.
 */
let bao: GatewayOpenBao;
let h: Harness;
let gateway: KeyManager;
let admin: KeyManager;

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    await bao.issueSecretId('gateway-keys-admin');
    gateway = await bao.transit();
    h = await startHarness({}, { keys: gateway });
    admin = await bao.transit('gateway-keys-admin');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await bao?.stop();
  });

  /** What `pg_dump` would keep of the personal data: sealed rows and the wrapped data keys. */
  async function dump() {
    return {
      results: await h.db.owner.selectFrom('test_results').select(['id', 'pharmacy_id', 'data_key_id', 'sealed']).where('sealed', 'is not', null).execute(),
      dataKeys: await h.db.owner.selectFrom('data_keys').select(['id', 'wrapped']).execute(),
    };
  }

  /** Opens every sealed row of a dump as an attacker holding the dump and the gateway's Vault access would. */
  async function openDump(d: Awaited<ReturnType<typeof dump>>): Promise<unknown[]> {
    return Promise.all(
      d.results.map(async (row) => {
        const wrapped = d.dataKeys.find((k) => k.id === row.data_key_id)?.wrapped as string;
        const key = await gateway.unwrapDataKey(wrapped, dataKeyContext(row.data_key_id as string));
        return openDocument(row.sealed as Buffer, { resultId: row.id, pharmacyId: row.pharmacy_id, keyId: row.data_key_id as string }, key);
      }),
    );
  }

  /** `gateway keys retire <version>` as an operator runs it, with the default 14-day backup retention. */
  const retire = (version: number) =>
    runKeysCommand('retire', [String(version)], {
      db: h.db.owner,
      openKeys: async () => admin,
      actor: { type: 'user', id: 'cli:test' },
      backupRetentionDays: 14,
      out: () => undefined,
      err: () => undefined,
      progress: () => undefined,
    });

  describe('crypto-shredding', () => {
    it('a dump taken before purge opens until the old KEK version is retired, which waits for backup retention, and never after', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const r = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
        expect(r.status).toBe(202);
        ids.push(r.body.id);
      }
      for (const id of ids) await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
      const before = await dump();
      // recorded as deploy/backup/backup records a dump
      await sql`INSERT INTO backup_runs (kind, label, started_at, finished_at, outcome) VALUES ('database', 'before-purge', now(), now(), 'succeeded')`.execute(h.db.owner);
      expect(before.results).toHaveLength(3);
      expect(JSON.stringify(await openDump(before))).toContain(SYNTHETIC_NIR.slice(0, 7));

      // Retention passes: purge, delete the closed windows' data keys, rotate and rewrap.
      const later = new Date(Date.now() + 8 * 86_400_000);
      const purged = await purgeExpired(h.db.owner, { retention: { deliveredDays: 7, deadLetteredDays: 30 }, keyManager: { dataKeyWindowMinutes: 60 } }, later);
      expect(purged.results).toBe(3);
      expect(purged.dataKeys).toBeGreaterThan(0);
      expect(await h.db.owner.selectFrom('data_keys').select('id').where('id', 'in', before.dataKeys.map((k) => k.id)).execute()).toEqual([]);
      const current = await admin.rotate();
      expect(await retire(current)).toBe(1); // stored keys still under the old version
      await rewrapStoredDataKeys(h.db.owner, admin);

      // The boundary: the dump is inside the backup retention window, so `keys retire` refuses
      // and Vault still opens it.
      expect(await retire(current)).toBe(1);
      expect(await openDump(before)).toHaveLength(3);

      // Retention passes (recorded times moved back 15 days): retire proceeds, the dump is shredded.
      await sql`UPDATE backup_runs SET started_at = started_at - interval '15 days', finished_at = finished_at - interval '15 days'`.execute(h.db.owner);
      await sql`UPDATE kek_rewraps SET completed_at = completed_at - interval '15 days'`.execute(h.db.owner);
      expect(await retire(current)).toBe(0);
      expect((await admin.keyVersions()).minDecryption).toBe(current);
      await expect(openDump(before)).rejects.toBeInstanceOf(DecryptionFailed);
      for (const key of before.dataKeys) {
        await expect(gateway.unwrapDataKey(key.wrapped, dataKeyContext(key.id))).rejects.toBeInstanceOf(DecryptionFailed);
      }
    }, 60_000);
  });
} else {
  describe('crypto-shredding on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
