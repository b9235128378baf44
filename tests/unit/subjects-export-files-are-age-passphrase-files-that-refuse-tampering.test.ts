import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ageDecryptWithPassphrase, ageEncryptWithPassphrase } from '../../gateway/src/subjects/index.js';

// a low work factor keeps the test quick; the export uses age's own (2^18)
const LOG_N = 10;

describe('the export files (age v1, scrypt passphrase recipient)', () => {
  it('start with the age header and open with the passphrase, across 64 KiB chunk boundaries', async () => {
    for (const size of [0, 1, 65_536, 65_537, 200_000]) {
      const plain = randomBytes(size);
      const file = await ageEncryptWithPassphrase(plain, 'one-time', LOG_N);
      expect(file.subarray(0, 31).toString()).toBe('age-encryption.org/v1\n-> scrypt');
      expect((await ageDecryptWithPassphrase(file, 'one-time')).equals(plain)).toBe(true);
    }
  });

  it('refuse a wrong passphrase, an altered header or payload, a truncated file, and a work factor past age’s bound', async () => {
    const file = await ageEncryptWithPassphrase(Buffer.from('{"results":[]}'), 'one-time', LOG_N);
    await expect(ageDecryptWithPassphrase(file, 'other')).rejects.toThrow(/wrong passphrase/);
    const flip = (at: number) => Buffer.concat([file.subarray(0, at), Buffer.from([file[at]! ^ 1]), file.subarray(at + 1)]);
    const macLine = file.indexOf('\n--- ') + 6;
    await expect(ageDecryptWithPassphrase(flip(macLine), 'one-time')).rejects.toThrow(/age:/);
    await expect(ageDecryptWithPassphrase(flip(file.length - 1), 'one-time')).rejects.toThrow(/age:/);
    await expect(ageDecryptWithPassphrase(file.subarray(0, file.length - 20), 'one-time')).rejects.toThrow(/age:/);
    const greedy = Buffer.from(file.toString('latin1').replace(/ 10\n/, ' 30\n'), 'latin1');
    await expect(ageDecryptWithPassphrase(greedy, 'one-time')).rejects.toThrow(/work factor/);
  });
});
