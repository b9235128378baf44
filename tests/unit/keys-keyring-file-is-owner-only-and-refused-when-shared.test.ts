import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalKeyring } from '../../gateway/src/keys/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();
const keyringFile = () => join(directory(), 'keyring.json');
const permissions = async (file: string) => (await stat(file)).mode & 0o777;

describe('the local keyring file', () => {
  it('is created with mode 0600 on first use', async () => {
    await openLocalKeyring(keyringFile(), { create: true });
    expect(await permissions(keyringFile())).toBe(0o600);
  });

  it('gets an owner-only directory when its directory is missing', async () => {
    const nested = join(directory(), 'data', 'keyring.json');
    await openLocalKeyring(nested, { create: true });
    expect(await permissions(join(directory(), 'data'))).toBe(0o700);
    expect(await permissions(nested)).toBe(0o600);
  });

  it('stays 0600 after a rotation replaces it', async () => {
    const keys = await openLocalKeyring(keyringFile(), { create: true });
    await keys.rotate();
    expect(await permissions(keyringFile())).toBe(0o600);
  });

  it('is not created unless asked: a mistyped path is refused', async () => {
    await expect(openLocalKeyring(keyringFile())).rejects.toBeInstanceOf(KeyManagerUnavailable);
  });

  it('keeps its keys across reopening: what was wrapped still unwraps', async () => {
    const first = await openLocalKeyring(keyringFile(), { create: true });
    const { plaintext, wrapped } = await first.generateDataKey('ctx');

    const reopened = await openLocalKeyring(keyringFile(), { create: true });

    expect(await reopened.unwrapDataKey(wrapped, 'ctx')).toEqual(plaintext);
    expect(await reopened.blindIndexKeys()).toEqual(await first.blindIndexKeys());
  });

  it.each([0o640, 0o604, 0o660, 0o644])('is refused with mode %o (group or others may access it)', async (mode) => {
    await openLocalKeyring(keyringFile(), { create: true });
    await chmod(keyringFile(), mode);
    await expect(openLocalKeyring(keyringFile())).rejects.toBeInstanceOf(KeyManagerUnavailable);
  });

  it('fails closed when its permissions are loosened while open', async () => {
    const keys = await openLocalKeyring(keyringFile(), { create: true });
    await chmod(keyringFile(), 0o640);
    await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
    await expect(keys.generateDataKey('ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
  });

  it('is refused when malformed, without quoting its content', async () => {
    const secret = Buffer.alloc(32, 9).toString('base64');
    await writeFile(keyringFile(), JSON.stringify({ keks: [{ version: 1, key: secret }] }), { mode: 0o600 });

    const failure: unknown = await openLocalKeyring(keyringFile()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(KeyManagerUnavailable);
    expect(String((failure as KeyManagerUnavailable).cause)).not.toContain(secret);
  });
});
