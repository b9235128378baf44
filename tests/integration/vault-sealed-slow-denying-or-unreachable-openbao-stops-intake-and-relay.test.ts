import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyManager } from '../../gateway/src/keys/index.js';
import { createVaultSession, openVaultTransit } from '../../gateway/src/vault/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { startNetworkRelay, type NetworkRelay } from '../support/network-relay.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * A live gateway whose key manager is Transit on a real OpenBao set up by deploy/vault/init.sh
 * (the gateway's AppRole and policy), reached through a network path the test can slow or cut:
 * sealed, its policy withdrawn, slow or unreachable, OpenBao stops intake (503, nothing written),
 * turns /readyz down and holds the relay; healed, all resume by themselves.
 */
let bao: GatewayOpenBao;
let network: NetworkRelay;
let h: Harness;
/** Every plaintext key the gateway received from Vault, as log text could show it. */
const secrets: string[] = [];

/** The gateway's key manager, noting each plaintext data key and the blind-index key it hands out. */
function recording(keys: KeyManager): KeyManager {
  const note = (key: Buffer) => secrets.push(key.toString('base64'), key.toString('hex'));
  return {
    ...keys,
    async generateDataKey(context) {
      const generated = await keys.generateDataKey(context);
      note(generated.plaintext);
      return generated;
    },
    async unwrapDataKey(wrapped, context) {
      const key = await keys.unwrapDataKey(wrapped, context);
      note(key);
      return key;
    },
    async blindIndexKeys() {
      const held = await keys.blindIndexKeys();
      for (const { key } of held) note(key);
      return held;
    },
  };
}

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    network = await startNetworkRelay(bao.server.address);
    // A per-call timeout below the "slow" delay, with room for a loaded 2-core box (the full suite).
    const connection = { ...bao.connection('gateway', 2_000), address: network.address };
    h = await startHarness({}, { keys: recording(await openVaultTransit({ vault: createVaultSession(connection), blindIndexKeyFile: join(bao.gatewayDir, 'blind-index-key.wrapped') })) });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await network?.close();
    await bao?.stop();
  });

  const nirs: string[] = [];
  function submit() {
    const body = syntheticResult();
    nirs.push(body.patient.nir as string);
    return h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } });
  }
  const count = async () => Number((await h.db.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const ready = async () => (await fetch(`${h.metricsUrl}/readyz`)).status;
  const outboxOf = (resultId: string) =>
    h.db.owner.selectFrom('outbox_messages').select(['id', 'state', 'last_error_code']).where('result_id', '=', resultId).executeTakeFirstOrThrow();

  async function expectRefusedAndNothingWritten(): Promise<void> {
    const refused = await eventually(async () => {
      const r = await submit();
      return r.status === 503 ? r : undefined;
    });
    expect(refused.body).toMatchObject({ code: 'key-manager-unavailable' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const before = await count();
    expect((await submit()).status).toBe(503);
    expect(await count()).toBe(before);
    expect(await ready()).toBe(503);
  }

  /** Healthy: a submission is accepted (once the key-manager probe has answered) and /readyz is up. */
  async function expectAccepted(): Promise<{ id: string }> {
    const accepted = await eventually(async () => {
      const r = await submit();
      return r.status === 202 ? (r.body as { id: string }) : undefined;
    });
    expect(await ready()).toBe(200);
    return accepted;
  }

  describe('with Transit on a real OpenBao failing, the gateway', () => {
    it('when OpenBao is sealed: refuses intake, writes nothing, is not ready, pauses the relay, and resumes by itself', async () => {
      // A result held in retry by SI-DEP, so the relay is working on it when Vault goes away.
      await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 100_000, status: 503 } });
      const held = { body: await expectAccepted() };
      await bao.seal();
      try {
        await expectRefusedAndNothingWritten();
        await eventually(async () => ((await outboxOf(held.body.id)).last_error_code === 'key-manager-unavailable' ? true : undefined));
        // SI-DEP is healthy again, Vault is not: the relay tries, and sends nothing.
        await h.simulatorControl('POST', '/_control/faults', {});
        await h.db.owner.updateTable('outbox_messages').set({ last_error_code: null }).where('result_id', '=', held.body.id).execute();
        await eventually(async () => ((await outboxOf(held.body.id)).last_error_code === 'key-manager-unavailable' ? true : undefined));
        expect((await outboxOf(held.body.id)).state).toBe('pending');
      } finally {
        await bao.unseal();
      }
      await expectAccepted();
      await eventually(async () => ((await outboxOf(held.body.id)).state === 'delivered' ? true : undefined));
    }, 60_000);

    /** Each fault, and what heals it. */
    const faults: [string, () => Promise<() => Promise<void>>][] = [
      ['slower than the per-call timeout (network delay)', async () => {
        network.delay(4_000);
        return async () => network.delay(0);
      }],
      ['denying the gateway (its policy withdrawn: 403)', () => bao.withdrawPolicy('gateway')],
      ['unreachable (network cut)', async () => {
        await network.cut();
        return () => network.restore();
      }],
    ];
    it.each(faults)('when OpenBao is %s: refuses intake with 503, writes nothing, is not ready, and recovers', async (_name, breakIt) => {
      await expectAccepted();
      const heal = await breakIt();
      try {
        await expectRefusedAndNothingWritten();
      } finally {
        await heal();
      }
      await expectAccepted();
    }, 60_000);

    it('through all of it, logged no plaintext data key, blind-index key or NIR', () => {
      const logs = h.logs.join('');
      expect(secrets.length).toBeGreaterThan(0);
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(logs).not.toContain(secret);
      for (const nir of nirs) expect(logs).not.toContain(nir);
    });
  });
} else {
  describe('with Transit on a real OpenBao failing, the gateway', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
