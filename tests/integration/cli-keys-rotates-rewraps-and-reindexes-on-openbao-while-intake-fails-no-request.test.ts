import { randomUUID } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kekVersionsInUse, rewrapStoredDataKeys, type KeyManager } from '../../gateway/src/keys/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { runKeysCommand } from '../../gateway/src/cli/keys.js';
import type { KeysCliDeps } from '../../gateway/src/cli/keys-deps.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * `gateway keys rotate|rewrap|retire|status|rotate-blind-index` with keys-admin's AppRole on a
 * real OpenBao set up by deploy/vault/init.sh, while a gateway with its own AppRole takes intake;
 * `keys reindex`, which opens results, with the gateway's (keys-admin opens none).
 */
let bao: GatewayOpenBao;
let h: Harness;
let admin: KeyManager;
/** The gateway's own AppRole (gateway.hcl), as the web process's keys page uses it. */
let gateway: KeyManager;

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    await bao.issueSecretId('gateway-keys-admin');
    // One-minute windows: a run that crosses a minute stores more than one data key.
    // Purge loop every second: it also refreshes the records-per-key-version metric.
    gateway = await bao.transit();
    h = await startHarness({ keyManager: { kind: 'local', dataKeyWindowMinutes: 1 }, retention: { purgeIntervalSeconds: 1 } }, { keys: gateway });
    admin = await bao.transit('gateway-keys-admin');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await bao?.stop();
  });

  function cli(): { deps: KeysCliDeps; out: string[]; err: string[]; progress: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const progress: string[] = [];
    return {
      out,
      err,
      progress,
      deps: {
        db: h.db.owner,
        openKeys: async () => admin,
        actor: { type: 'user', id: 'cli:test' },
        backupRetentionDays: 14,
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        progress: (t) => progress.push(t),
      },
    };
  }

  const submit = () =>
    h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });

  describe('gateway keys on a real OpenBao', () => {
    it('move every stored data key to the newest KEK version while intake goes on, and no request fails', async () => {
      for (let i = 0; i < 2; i += 1) expect((await submit()).status).toBe(202);
      let stop = false;
      const statuses: number[] = [];
      const load = (async () => {
        while (!stop) statuses.push(...(await Promise.all([submit(), submit()])).map((r) => r.status));
      })();

      const rotate = cli();
      expect(await runKeysCommand('rotate', [], rotate.deps)).toBe(0);
      const { current } = await admin.keyVersions();
      const rewrap = cli();
      expect(await runKeysCommand('rewrap', [], rewrap.deps)).toBe(0);
      await eventually(async () => (statuses.length >= 20 ? true : undefined));
      stop = true;
      await load;

      expect(statuses.filter((s) => s !== 202)).toEqual([]);
      expect(rewrap.progress.at(-1)).toMatch(/100% (\d+)\/\1 data keys/);
      const uses = await kekVersionsInUse(h.db.owner);
      expect(uses.filter((u) => u.version < current)).toEqual([]);
      expect(uses.reduce((n, u) => n + u.records, 0)).toBe(statuses.length + 2);

      const status = cli();
      expect(await runKeysCommand('status', [], status.deps)).toBe(0);
      expect(status.out.join('\n')).toContain(`Oldest KEK version in use: ${current}`);
      const metric = new RegExp(`^gateway_records_per_key_version\\{version="${current}"\\} ${statuses.length + 2}$`, 'm');
      await eventually(async () => {
        const res = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } });
        return metric.test(await res.text()) ? true : undefined;
      });
      const audited = await h.db.owner.selectFrom('audit_events').select(['action', 'reason']).where('action', 'like', 'keys.%').execute();
      expect(audited).toEqual(expect.arrayContaining([{ action: 'keys.rotate', reason: `v${current}` }, { action: 'keys.rewrap', reason: `v${current}` }]));
    }, 60_000);

    it('rewrap is resumable: a second run finds nothing left and a status shows no finding', async () => {
      const again = cli();
      expect(await runKeysCommand('rewrap', [], again.deps)).toBe(0);
      expect(again.out.join('\n')).toMatch(/Rewrapped 0 data key/);
    });

    it('retire refuses while data keys are still wrapped under an older version, and says to rewrap', async () => {
      await admin.rotate();
      const { current } = await admin.keyVersions();
      expect((await submit()).status).toBe(202);
      const refused = cli();
      expect(await runKeysCommand('retire', [String(current)], refused.deps)).toBe(1);
      expect(refused.out.join('\n')).toMatch(/rewrap/);
      expect((await admin.keyVersions()).minDecryption).toBeLessThan(current);
      const status = cli();
      expect(await runKeysCommand('status', [], status.deps)).toBe(1);
    });

    it("the gateway's own policy and database role rotate and rewrap, as the keys page does, but cannot retire a version", async () => {
      const current = await gateway.rotate();
      expect(await rewrapStoredDataKeys(h.db.runtime, gateway, { recordCompletion: false })).toMatchObject({ current, remaining: 0 });
      expect((await kekVersionsInUse(h.db.owner)).filter((u) => u.version < current)).toEqual([]);
      // min_decryption_version (crypto-shredding) stays with keys-admin.hcl
      await expect(gateway.advanceMinDecryptionVersion(current)).rejects.toThrow(KeyManagerUnavailable);
      expect((await admin.keyVersions()).minDecryption).toBeLessThan(current);
    });

    it("reindex opens every result, so it runs with the gateway's AppRole: keys-admin's is refused and moves nothing", async () => {
      expect(await runKeysCommand('rotate-blind-index', [], cli().deps)).toBe(0);
      // as if added a minute ago: every replica indexes under it already, reindex need not wait
      const minuteAgo = new Date(Date.now() - 60_000);
      await utimes(join(bao.gatewayDir, 'blind-index-key.wrapped.v2'), minuteAgo, minuteAgo);
      const underV1 = async () => Number((await h.db.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).where('blind_index_version', '<', 2).executeTakeFirstOrThrow()).n);
      const before = await underV1();
      expect(before).toBeGreaterThan(0);

      await expect(runKeysCommand('reindex', [], cli().deps)).rejects.toBeInstanceOf(KeyManagerUnavailable);
      expect(await underV1()).toBe(before);

      const asGateway = cli();
      asGateway.deps.openKeys = async () => gateway;
      expect(await runKeysCommand('reindex', [], asGateway.deps)).toBe(0);
      expect(asGateway.out.join('\n')).toContain(`Reindexed ${before} result(s) under blind-index key version 2`);
      expect(await underV1()).toBe(0);
    });

    it('answers a usage error with exit code 2 on stderr, before opening the key manager', async () => {
      for (const [sub, args] of [['retire', ['zero']], ['unknown', []], [undefined, []]] as const) {
        const run = cli();
        run.deps.openKeys = () => Promise.reject(new Error('must not be opened'));
        expect(await runKeysCommand(sub, [...args], run.deps)).toBe(2);
        expect(run.err.join('\n')).toMatch(/keys status/);
        expect(run.out).toEqual([]);
      }
    });
  });
} else {
  describe('gateway keys on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
