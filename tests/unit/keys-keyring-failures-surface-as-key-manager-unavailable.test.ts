import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalKeyring } from '../../gateway/src/keys/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();

describe('a local keyring whose file is gone', () => {
  it('answers every call with KeyManagerUnavailable, keeping the cause', async () => {
    const file = join(directory(), 'keyring.json');
    const keys = await openLocalKeyring(file, { create: true });
    const { wrapped } = await keys.generateDataKey('ctx');
    await rm(file);

    const calls: (() => Promise<unknown>)[] = [
      () => keys.probe(),
      () => keys.wrapDataKey(Buffer.alloc(32), 'ctx'),
      () => keys.unwrapDataKey(wrapped, 'ctx'),
      () => keys.generateDataKey('ctx'),
      () => keys.rewrapDataKey(wrapped, 'ctx'),
      () => keys.rotate(),
      () => keys.blindIndexKeys(),
      () => keys.rotateBlindIndexKey(),
      () => keys.keyVersions(),
    ];
    for (const call of calls) {
      const failure = await call().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(KeyManagerUnavailable);
      expect(failure).toMatchObject({ cause: { code: 'ENOENT' } });
    }
  });
});
