import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { must, run, type Ran } from './child-process.js';

/**
 * The custodians of an OpenBao unseal key, as deploy/guides/install.md has them: each with a PGP
 * key pair in a GnuPG home of their own, only the public key placed on the host
 * (`<publicKeysDir>/<name>.asc`, where compose's vault-init reads it).
 */
export interface Custodians {
  /** What a custodian does with the share handed to them: `base64 -d < NAME.share | gpg -d`. */
  decryptShare(name: string, share: string): Promise<Ran>;
  /** Stops the gpg-agents the decryptions started, one per home. */
  close(): Promise<void>;
}

/**
 * @example const custodians = await createCustodians({ gpg, names: ['alice', 'bob'], homesDir, publicKeysDir });
 */
export async function createCustodians(o: { gpg: string; names: readonly string[]; homesDir: string; publicKeysDir: string }): Promise<Custodians> {
  const gpg = (name: string, args: string[]) => ['--homedir', path.join(o.homesDir, `gnupg-${name}`), '--batch', '--quiet', ...args];
  await Promise.all(
    o.names.map(async (name) => {
      await mkdir(path.join(o.homesDir, `gnupg-${name}`), { recursive: true, mode: 0o700 });
      await must(o.gpg, gpg(name, ['--passphrase', '', '--quick-gen-key', `${name} <${name}@custodians.invalid>`, 'future-default', 'default', 'never']));
      await writeFile(path.join(o.publicKeysDir, `${name}.asc`), await must(o.gpg, gpg(name, ['--armor', '--export', `${name}@custodians.invalid`])));
    }),
  );
  return {
    decryptShare: (name, share) => run(o.gpg, gpg(name, ['--decrypt']), { input: Buffer.from(share.trim(), 'base64') }),
    async close() {
      await Promise.all(o.names.map((name) => run('gpgconf', ['--homedir', path.join(o.homesDir, `gnupg-${name}`), '--kill', 'gpg-agent'])));
    },
  };
}
