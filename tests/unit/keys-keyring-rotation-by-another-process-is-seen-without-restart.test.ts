import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalKeyring, parseWrappedKey } from '../../gateway/src/keys/index.js';
import { useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();

describe('a rotation by `gateway keys rotate` (another handle on the same file)', () => {
  it('is used by the running gateway for its next wrap, and its keys unwrap there', async () => {
    const file = join(directory(), 'keyring.json');
    const running = await openLocalKeyring(file, { create: true });
    const cli = await openLocalKeyring(file);

    const version = await cli.rotate();
    const wrappedByCli = await cli.generateDataKey('ctx');

    expect(parseWrappedKey(await running.wrapDataKey(Buffer.alloc(32), 'ctx')).version).toBe(version);
    expect(await running.unwrapDataKey(wrappedByCli.wrapped, 'ctx')).toEqual(wrappedByCli.plaintext);
  });

  it('never hands out one version twice when rotations overlap in one process', async () => {
    const keys = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
    const versions = await Promise.all([keys.rotate(), keys.rotate(), keys.rotate()]);
    expect(versions.sort()).toEqual([2, 3, 4]);
    expect(await keys.keyVersions()).toEqual({ current: 4, minDecryption: 1 });
  });
});
