import { beforeEach, describe, expect, it } from 'vitest';
import { DecryptionFailed } from '../../gateway/src/errors.js';
import { parseWrappedKey, type KeyManager, type WrappedKey } from '../../gateway/src/keys/index.js';

const CONTEXT = 'sidep-gateway/data-key/v1/contract';

/**
 * The behaviour every KeyManager backend owes its callers: the local keyring, and Transit on a
 * real OpenBao set up by deploy/vault/init.sh. Assertions are relative to the backend's current
 * state (a real Vault key may already be at version 7).
 *
 * @param makeManager - a key manager on fresh or shared state; called before each case.
 * @example
 * runKeyManagerContract('local keyring', () => openLocalKeyring(join(dir(), 'keyring.json'), { create: true }));
 */
export function runKeyManagerContract(name: string, makeManager: () => Promise<KeyManager>): void {
  describe(`KeyManager contract: ${name}`, () => {
    let keys: KeyManager;
    beforeEach(async () => {
      keys = await makeManager();
    });

    it('unwraps what it wrapped, under the same context', async () => {
      const plaintext = Buffer.from('0123456789abcdef0123456789abcdef');
      const wrapped = await keys.wrapDataKey(plaintext, CONTEXT);
      expect(await keys.unwrapDataKey(wrapped, CONTEXT)).toEqual(plaintext);
    });

    it('writes wrapped keys as <kind>:v<current version>:<base64>', async () => {
      const wrapped = await keys.wrapDataKey(Buffer.alloc(32, 7), CONTEXT);
      const { current } = await keys.keyVersions();
      expect(wrapped.startsWith(`${keys.kind}:v${current}:`)).toBe(true);
      expect(parseWrappedKey(wrapped)).toMatchObject({ kind: keys.kind, version: current });
    });

    it('never wraps the same key to the same text twice (random nonce)', async () => {
      const plaintext = Buffer.alloc(32, 1);
      expect(await keys.wrapDataKey(plaintext, CONTEXT)).not.toBe(await keys.wrapDataKey(plaintext, CONTEXT));
    });

    it('generates distinct 32-byte data keys that unwrap under their context', async () => {
      const first = await keys.generateDataKey(CONTEXT);
      const second = await keys.generateDataKey(CONTEXT);
      expect(first.plaintext).toHaveLength(32);
      expect(first.plaintext).not.toEqual(second.plaintext);
      expect(await keys.unwrapDataKey(first.wrapped, CONTEXT)).toEqual(first.plaintext);
    });

    it('refuses to unwrap under another context with DecryptionFailed', async () => {
      const { wrapped } = await keys.generateDataKey(CONTEXT);
      await expect(keys.unwrapDataKey(wrapped, `${CONTEXT}-other`)).rejects.toBeInstanceOf(DecryptionFailed);
    });

    it('refuses a wrapped key with any changed byte with DecryptionFailed', async () => {
      const { wrapped } = await keys.generateDataKey(CONTEXT);
      const { length } = parseWrappedKey(wrapped).payload;
      for (const position of [0, Math.floor(length / 2), length - 1]) {
        await expect(keys.unwrapDataKey(withFlippedByte(wrapped, position), CONTEXT)).rejects.toBeInstanceOf(
          DecryptionFailed,
        );
      }
    });

    it('refuses malformed wrapped keys and unknown versions with DecryptionFailed', async () => {
      const { wrapped } = await keys.generateDataKey(CONTEXT);
      const { current } = await keys.keyVersions();
      const unknownVersion = wrapped.replace(`:v${current}:`, `:v${current + 1000}:`);
      for (const bad of ['', 'not-a-wrapped-key', `${keys.kind}:v1:`, unknownVersion]) {
        await expect(keys.unwrapDataKey(bad, CONTEXT)).rejects.toBeInstanceOf(DecryptionFailed);
      }
    });

    it('after rotation, wraps under the new version and still unwraps the old', async () => {
      const before = await keys.keyVersions();
      const old = await keys.generateDataKey(CONTEXT);

      expect(await keys.rotate()).toBe(before.current + 1);

      expect(await keys.keyVersions()).toMatchObject({ current: before.current + 1 });
      expect(parseWrappedKey(await keys.wrapDataKey(old.plaintext, CONTEXT)).version).toBe(before.current + 1);
      expect(await keys.unwrapDataKey(old.wrapped, CONTEXT)).toEqual(old.plaintext);
    });

    it('rewraps an old wrapped key under the current version, same key, same context', async () => {
      const old = await keys.generateDataKey(CONTEXT);
      const current = await keys.rotate();

      const rewrapped = await keys.rewrapDataKey(old.wrapped, CONTEXT);

      expect(parseWrappedKey(rewrapped).version).toBe(current);
      expect(await keys.unwrapDataKey(rewrapped, CONTEXT)).toEqual(old.plaintext);
      await expect(keys.rewrapDataKey(old.wrapped, `${CONTEXT}-other`)).rejects.toBeInstanceOf(DecryptionFailed);
    });

    it('rewraps a batch in order, each under the current version, refusing any that does not open', async () => {
      const olds = [await keys.generateDataKey(CONTEXT), await keys.generateDataKey(`${CONTEXT}-2`)];
      const current = await keys.rotate();

      const rewrapped = await keys.rewrapDataKeys([
        { wrapped: olds[0]!.wrapped, context: CONTEXT },
        { wrapped: olds[1]!.wrapped, context: `${CONTEXT}-2` },
      ]);

      expect(rewrapped.map((w) => parseWrappedKey(w).version)).toEqual([current, current]);
      expect(await keys.unwrapDataKey(rewrapped[1]!, `${CONTEXT}-2`)).toEqual(olds[1]!.plaintext);
      await expect(
        keys.rewrapDataKeys([
          { wrapped: olds[0]!.wrapped, context: CONTEXT },
          { wrapped: olds[1]!.wrapped, context: CONTEXT },
        ]),
      ).rejects.toBeInstanceOf(DecryptionFailed);
      expect(await keys.rewrapDataKeys([])).toEqual([]);
    });

    it('no longer unwraps keys below an advanced minimum decryption version (crypto-shredding)', async () => {
      const old = await keys.generateDataKey(CONTEXT);
      const current = await keys.rotate();
      const rewrapped = await keys.rewrapDataKey(old.wrapped, CONTEXT);

      await keys.advanceMinDecryptionVersion(current);

      expect(await keys.keyVersions()).toEqual({ current, minDecryption: current });
      await expect(keys.unwrapDataKey(old.wrapped, CONTEXT)).rejects.toBeInstanceOf(DecryptionFailed);
      await expect(keys.rewrapDataKey(old.wrapped, CONTEXT)).rejects.toBeInstanceOf(DecryptionFailed);
      expect(await keys.unwrapDataKey(rewrapped, CONTEXT)).toEqual(old.plaintext);
      await expect(keys.advanceMinDecryptionVersion(current + 1)).rejects.toBeInstanceOf(RangeError);
    });

    it('reports a minimum decryption version between 1 and the current version', async () => {
      const { current, minDecryption } = await keys.keyVersions();
      expect(minDecryption).toBeGreaterThanOrEqual(1);
      expect(minDecryption).toBeLessThanOrEqual(current);
    });

    it('keeps its blind-index keys of at least 32 bytes, unchanged by KEK rotation', async () => {
      const before = await keys.blindIndexKeys();
      await keys.rotate();
      expect(before.length).toBeGreaterThanOrEqual(1);
      for (const { key } of before) expect(key.length).toBeGreaterThanOrEqual(32);
      expect(await keys.blindIndexKeys()).toEqual(before);
    });

    it('adds a new blind-index key version, keeps the older ones until retired, and refuses to retire past the newest', async () => {
      const byVersion = <T extends { version: number }>(held: T[]) => [...held].sort((a, b) => a.version - b.version);
      const before = byVersion(await keys.blindIndexKeys());
      const version = await keys.rotateBlindIndexKey();
      expect(version).toBe(Math.max(...before.map((held) => held.version)) + 1);
      const after = byVersion(await keys.blindIndexKeys());
      expect(after.slice(0, -1)).toEqual(before);
      // Kept where the next process finds it (a restarted gateway, the next CLI run).
      expect(byVersion(await (await makeManager()).blindIndexKeys())).toEqual(after);
      expect(after.at(-1)?.key.length).toBeGreaterThanOrEqual(32);
      expect(before.map((held) => held.key)).not.toContainEqual(after.at(-1)?.key);
      await expect(keys.retireBlindIndexKeys(version + 1)).rejects.toBeInstanceOf(RangeError);
      await keys.retireBlindIndexKeys(version);
      expect(await keys.blindIndexKeys()).toEqual([after.at(-1)]);
      expect(await (await makeManager()).blindIndexKeys()).toEqual([after.at(-1)]);
    });

    it('answers a probe while healthy', async () => {
      await expect(keys.probe()).resolves.toBeUndefined();
    });
  });
}

function withFlippedByte(wrapped: WrappedKey, position: number): WrappedKey {
  const { kind, version, payload } = parseWrappedKey(wrapped);
  const tampered = Buffer.from(payload);
  tampered[position] = (tampered[position] ?? 0) ^ 0x01;
  return `${kind}:v${version}:${tampered.toString('base64')}`;
}
