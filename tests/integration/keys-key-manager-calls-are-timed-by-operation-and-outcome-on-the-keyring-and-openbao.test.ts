import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKeyring, timeKeyManager, type KeyManager, type KeyManagerOperation, type KeyManagerOutcome } from '../../gateway/src/keys/index.js';
import { DecryptionFailed, KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * `gateway_key_manager_request_duration_seconds{operation, outcome}` (issue 8's "key-manager
 * latency" panel): every call through the timed key manager is observed once, with a bounded
 * operation name and the outcome the gateway acts on, on the local keyring and on Transit of a
 * real OpenBao set up by deploy/vault/init.sh (the gateway's AppRole; "gone" is sealed).
 */

const OPENBAO = 'Transit on a real OpenBao';
const hasOpenBao = openBaoBinary() !== undefined;
let dir: string;
let bao: GatewayOpenBao | undefined;
const backends: { name: string; open: () => Promise<KeyManager>; breakIt: () => Promise<void> }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'timed-keys-'));
  const keyringFile = join(dir, 'keyring.json');
  backends.push({ name: 'local keyring', open: () => openLocalKeyring(keyringFile, { create: true }), breakIt: () => rm(keyringFile) });
  if (!hasOpenBao) return;
  const openBao = await startGatewayOpenBao();
  bao = openBao;
  backends.push({
    name: OPENBAO,
    open: () => openBao.transit(),
    // stays sealed: the file ends with it
    breakIt: () => openBao.seal(),
  });
}, 60_000);
afterAll(async () => {
  await bao?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

if (!hasOpenBao) {
  describe(`timed key manager on ${OPENBAO}`, () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}

describe.each(['local keyring', ...(hasOpenBao ? [OPENBAO] : [])])('timed key manager on the %s', (name) => {
  it('observes each call once: ok, decryption_failed for a wrapped key that does not open, unavailable when the backend is gone', async () => {
    const backend = backends.find((b) => b.name === name) as (typeof backends)[number];
    const seen: { operation: KeyManagerOperation; outcome: KeyManagerOutcome; seconds: number }[] = [];
    const keys = timeKeyManager(await backend.open(), (labels, seconds) => seen.push({ ...labels, seconds }));

    const { plaintext, wrapped } = await keys.generateDataKey('ctx-a');
    expect(await keys.unwrapDataKey(wrapped, 'ctx-a')).toEqual(plaintext);
    await expect(keys.unwrapDataKey(wrapped, 'ctx-b')).rejects.toBeInstanceOf(DecryptionFailed);
    await keys.probe();
    await backend.breakIt();
    await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);

    expect(seen.map(({ operation, outcome }) => [operation, outcome])).toEqual([
      ['generate_data_key', 'ok'],
      ['unwrap_data_key', 'ok'],
      ['unwrap_data_key', 'decryption_failed'],
      ['probe', 'ok'],
      ['probe', 'unavailable'],
    ]);
    expect(seen.every((s) => s.seconds >= 0 && Number.isFinite(s.seconds))).toBe(true);
    expect(keys.kind).toBe(name === 'local keyring' ? 'local' : 'vault');
  });
});
