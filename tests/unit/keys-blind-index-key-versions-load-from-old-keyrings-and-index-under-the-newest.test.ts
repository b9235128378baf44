import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLocalKeyring } from '../../gateway/src/keys/index.js';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();
const keyringFile = () => join(directory(), 'keyring.json');
const NIR = '180017512345649';
const PHARMACY = '0a6c1f5e-3b2d-4c8e-9f10-2a3b4c5d6e7f';
const key64 = () => randomBytes(32).toString('base64');
const keyring = (fields: Record<string, unknown>) =>
  writeFile(keyringFile(), JSON.stringify({ format: 'sidep-gateway-keyring/v1', keks: [{ version: 1, key: key64() }], ...fields }), { mode: 0o600 });

describe('versioned blind-index keys', () => {
  it('index under the newest version and match under every version held', () => {
    const [v1, v2] = [randomBytes(32), randomBytes(32)];
    const index = createBlindIndex([{ version: 1, key: v1 }, { version: 2, key: v2 }]);
    expect(index.version).toBe(2);
    expect(index.nir(PHARMACY, NIR)).toBe(createBlindIndex([{ version: 2, key: v2 }]).nir(PHARMACY, NIR));
    // A single buffer is version 1, as keyrings from before versions held it.
    expect(index.versions.map((held) => [held.version, held.nir(PHARMACY, NIR)])).toEqual([
      [2, index.nir(PHARMACY, NIR)],
      [1, createBlindIndex(v1).nir(PHARMACY, NIR)],
    ]);
  });

  it('load from a keyring written before versions existed, as version 1, and rotate and retire in the file', async () => {
    const legacy = key64();
    await keyring({ blindIndexKey: legacy });
    const keys = await openLocalKeyring(keyringFile());
    expect(await keys.blindIndexKeys()).toEqual([{ version: 1, key: Buffer.from(legacy, 'base64') }]);
    expect(await keys.rotateBlindIndexKey()).toBe(2);
    await keys.retireBlindIndexKeys(2);
    const written = JSON.parse(await readFile(keyringFile(), 'utf8')) as Record<string, unknown>;
    expect(written.blindIndexKey).toBeUndefined();
    expect((await keys.blindIndexKeys()).map((held) => held.version)).toEqual([2]);
  });

  it('refuse a keyring with no blind-index key or a version held twice, whatever the versions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 2, max: 9 }), { maxLength: 4 }), fc.boolean(), async (versions, legacy) => {
        await keyring({ ...(legacy ? { blindIndexKey: key64() } : {}), blindIndexKeys: versions.map((version) => ({ version, key: key64() })) });
        const valid = (legacy || versions.length > 0) && new Set(versions).size === versions.length;
        const opened = openLocalKeyring(keyringFile());
        if (valid) await expect(opened).resolves.toBeDefined();
        else await expect(opened).rejects.toBeInstanceOf(KeyManagerUnavailable);
      }),
      { numRuns: 40 },
    );
  });
});
