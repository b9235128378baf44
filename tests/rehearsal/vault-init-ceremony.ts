import { chown, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createCustodians } from '../support/custodians.js';
import { startLoggedProcess } from './logged-process.js';
import type { ServiceView } from './service-view.js';

/** vault-init's default threshold (VAULT_UNSEAL_THRESHOLD unset in compose.yaml) is 3: as many custodians. */
const CUSTODIANS = ['alice', 'bruno', 'chloe'] as const;

/** Where vault-init.sh reads and writes, as compose mounts them: each variable its script documents for this. */
const VAULT_INIT_PATHS = {
  VAULT_INIT_CONFIG_DIR: '/vault/config',
  GATEWAY_VAULT_OUT_DIR: '/run/vault-approle',
  GATEWAY_VAULT_KEYS_ADMIN_DIR: '/run/vault-keys-admin',
  VAULT_CUSTODIANS_DIR: '/run/vault-custodians',
  VAULT_SHARES_DIR: '/run/vault-unseal-shares',
} as const;

/**
 * Compose's vault-init one-shot for real (its entrypoint, deploy/compose/vault-init.sh), with the
 * rehearsal playing the custodians of deploy/guides/install.md: each makes a PGP key pair in a
 * GnuPG home of their own and places only the public key on the host; vault-init initialises
 * OpenBao and writes each custodian's share encrypted to them; each decrypts theirs and the
 * threshold unseals over HTTP (`bao operator unseal`); vault-init then runs deploy/vault/init.sh
 * and revokes its root token. The shares are then deleted from the host, as the guide says.
 *
 * @returns the custodians' unseal keys, kept in this process only, to unseal OpenBao after a restart
 * @example const unsealKeys = await runVaultInitCeremony(views['vault-init'], { bao, gpg, unseal, homes, logFile });
 */
export async function runVaultInitCeremony(
  view: ServiceView,
  o: { bao: string; gpg: string; unseal(keys: string[]): Promise<void>; homes: string; logFile: string; owner?: { uid: number; gid: number } },
): Promise<string[]> {
  const dirs = Object.fromEntries(Object.entries(VAULT_INIT_PATHS).map(([name, p]) => [name, mounted(view, p)])) as Record<keyof typeof VAULT_INIT_PATHS, string>;
  const custodians = await createCustodians({ gpg: o.gpg, names: CUSTODIANS, homesDir: o.homes, publicKeysDir: dirs.VAULT_CUSTODIANS_DIR });
  try {
    const [program, ...args] = view.service.entrypoint;
    if (!program) throw new Error("compose.yaml's vault-init has no entrypoint");
    // as root: the pip package's bao may sit where vault-init's user cannot reach it; its files are given to that user below
    const vaultInit = startLoggedProcess(program, args.map((a) => view.rewrite(a, 'vault-init entrypoint')), {
      env: { ...view.environment(), ...dirs, VAULT_CLI: o.bao, PATH: process.env.PATH ?? '', HOME: o.homes },
      logFile: o.logFile,
    });
    // said once every share is written (a share seen on disk earlier may be half written)
    await vaultInit.untilOutput(/key shares in/, 120_000);
    // each on their own machine: base64 -d < NAME.share | gpg -d
    const keys: string[] = [];
    for (const c of CUSTODIANS) {
      const decrypted = await custodians.decryptShare(c, await readFile(path.join(dirs.VAULT_SHARES_DIR, `${c}.share`), 'utf8'));
      if (decrypted.code !== 0) throw new Error(`gpg --decrypt for ${c}: ${decrypted.stderr.trim()}`);
      keys.push(decrypted.stdout.trim());
    }
    await o.unseal(keys);
    if ((await vaultInit.exited()) !== 0) throw new Error(`vault-init failed (see ${o.logFile})`);
    // handed over: the custodians keep them, the host does not
    for (const c of CUSTODIANS) await rm(path.join(dirs.VAULT_SHARES_DIR, `${c}.share`));
    if (o.owner) for (const dir of [dirs.GATEWAY_VAULT_OUT_DIR, dirs.GATEWAY_VAULT_KEYS_ADMIN_DIR]) for (const f of await readdir(dir)) await chown(path.join(dir, f), o.owner.uid, o.owner.gid);
    return keys;
  } finally {
    await custodians.close();
  }
}

function mounted(view: ServiceView, containerPath: string): string {
  if (!view.mounts(containerPath)) throw new Error(`compose.yaml's ${view.service.name} mounts nothing at ${containerPath}`);
  return view.hostPath(containerPath);
}
