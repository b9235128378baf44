import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';
import { BLIND_INDEX_ADOPT_AFTER_MS, blindIndexSettledAt, createLiveBlindIndex, openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * A blind-index key rotation reaches a running gateway without restart, on the local keyring and
 * on Transit of a real OpenBao set up by deploy/vault/init.sh (the replica with the gateway's
 * AppRole, the operator's `keys rotate-blind-index` with keys-admin's): the replica looks up
 * under the new version as soon as it reads it, indexes under it only once every serving replica
 * must hold it, refuses work when it could not read the versions for 5 s, and forgets a retired
 * version. Time is a clock the test moves, not a wait.
 */

const OPENBAO = 'Transit on a real OpenBao';
const hasOpenBao = openBaoBinary() !== undefined;
const PHARMACY = '0a6c1f5e-3b2d-4c8e-9f10-2a3b4c5d6e7f';
let dir: string;
let bao: GatewayOpenBao | undefined;
/** Per backend: a running replica's key manager, and the operator's. */
const open: Record<string, { replica: () => Promise<KeyManager>; operator: () => Promise<KeyManager> }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'live-blind-index-'));
  const keyringFile = join(dir, 'keyring.json');
  await openLocalKeyring(keyringFile, { create: true });
  open['local keyring'] = { replica: () => openLocalKeyring(keyringFile), operator: () => openLocalKeyring(keyringFile) };
  if (!hasOpenBao) return;
  const openBao = await startGatewayOpenBao();
  bao = openBao;
  await openBao.issueSecretId('gateway-keys-admin');
  // one folder of wrapped versions, shared by the replicas and the operator
  const as = (role: string) => () => openBao.transit(role);
  open[OPENBAO] = { replica: as('gateway'), operator: as('gateway-keys-admin') };
}, 60_000);
afterAll(async () => {
  await bao?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

if (!hasOpenBao) {
  describe(`a running gateway on ${OPENBAO}`, () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}

describe.each(['local keyring', ...(hasOpenBao ? [OPENBAO] : [])])('a running gateway on the %s', (backend) => {
  it('looks up under a rotated version at once, indexes under it after the adoption delay, and forgets a retired one', async () => {
    let offsetMs = 0;
    const clock = () => Date.now() + offsetMs;
    const replica = createLiveBlindIndex({ keys: await open[backend]!.replica(), clock, refreshIntervalMs: 3_600_000 });
    await replica.start();
    const index = replica.blindIndex;
    const before = index.version;
    expect(index.versions.map((v) => v.version)).toEqual([before]);

    // `gateway keys rotate-blind-index`, run elsewhere with its own key manager.
    const operator = await open[backend]!.operator();
    const added = await operator.rotateBlindIndexKey();
    const fresh = createBlindIndex(await operator.blindIndexKeys());
    await replica.refreshNow();
    expect(index.versions.map((v) => v.version)).toEqual([added, before]);
    expect(index.version).toBe(before);
    // a NIR indexed under the new version by a replica that adopted it is found here
    expect(index.versions.map((v) => v.nir(PHARMACY, '180017512345649'))).toContain(fresh.nir(PHARMACY, '180017512345649'));
    expect(index.nir(PHARMACY, '180017512345649')).not.toBe(fresh.nir(PHARMACY, '180017512345649'));

    offsetMs = BLIND_INDEX_ADOPT_AFTER_MS;
    await replica.refreshNow();
    expect(index.version).toBe(added);
    expect(index.nir(PHARMACY, '180017512345649')).toBe(fresh.nir(PHARMACY, '180017512345649'));
    expect(blindIndexSettledAt(await operator.blindIndexKeys())).toBeGreaterThan(Date.now());

    await operator.retireBlindIndexKeys(added);
    await replica.refreshNow();
    expect(index.versions.map((v) => v.version)).toEqual([added]);
    replica.stop();
  });

  it('refuses to index with a view of the versions older than 5 s', async () => {
    let offsetMs = 0;
    const replica = createLiveBlindIndex({ keys: await open[backend]!.replica(), clock: () => Date.now() + offsetMs, refreshIntervalMs: 3_600_000 });
    await replica.start();
    expect(() => replica.blindIndex.nir(PHARMACY, '180017512345649')).not.toThrow();
    expect(replica.isFresh()).toBe(true);
    offsetMs = 5_001;
    expect(replica.isFresh()).toBe(false);
    expect(() => replica.blindIndex.version).toThrow(KeyManagerUnavailable);
    expect(() => replica.blindIndex.nir(PHARMACY, '180017512345649')).toThrow(KeyManagerUnavailable);
    await replica.refreshNow();
    expect(replica.isFresh()).toBe(true);
    expect(() => replica.blindIndex.versions).not.toThrow();
    replica.stop();
  });
});
