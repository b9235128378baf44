import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { request } from '@sidep-gateway/demo/openbao.js';
import { must, run, type Ran } from './child-process.js';
import { createCustodians, type Custodians } from './custodians.js';
import { REPOSITORY_ROOT } from './openbao.js';

/**
 * A checkout as compose.yaml mounts it for deploy/compose/vault-init.sh: compose.yaml, the TLS files
 * deploy/init-secrets makes (an internal CA, Vault's server certificate) in deploy/secrets/, and the
 * deploy/state/ directories; a real, non-dev OpenBao on them (Raft storage, TLS, the file audit
 * device declared in its configuration); custodians, each with a PGP key pair in a GnuPG home of
 * their own (their own machine), whose public keys alone are on the host.
 */
export interface ComposeInitBench {
  /** Everything, the custodians' homes included, removed by `close`. */
  dir: string;
  /** The checkout: compose.yaml, deploy/secrets/, deploy/state/. */
  root: string;
  state(name: string): string;
  address: string;
  caPem: string;
  api(method: string, apiPath: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** `bao server` on the configuration, plus `extraHcl` (a seal, a listener); resolves once it answers. */
  start(extraHcl?: string): Promise<void>;
  /** Unsealed and active: Raft elects its leader a moment after the unseal. */
  untilActive(): Promise<void>;
  stop(): Promise<void>;
  /** The TLS lines of the server's listener, for another listener of the same server. */
  listenerTls: string;
  /** vault-init.sh as compose runs it: threshold 2, no token of any kind in its environment. */
  vaultInit(o?: { waitSeconds?: number; onStdout?: (text: string) => void }): Promise<Ran>;
  decryptShare: Custodians['decryptShare'];
  /** The encrypted share vault-init wrote for `custodian`. */
  share(custodian: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * @example const bench = await composeInitBench({ bao, gpg, custodians: ['alice', 'bob', 'carol'] }); await bench.start();
 */
export async function composeInitBench(o: { bao: string; gpg: string; custodians: readonly string[] }): Promise<ComposeInitBench> {
  const dir = await mkdtemp(path.join(tmpdir(), 'openbao-compose-'));
  const root = path.join(dir, 'checkout');
  const state = (name: string) => path.join(root, 'deploy/state', name);
  const secrets = path.join(root, 'deploy/secrets');
  for (const d of ['vault-data', 'vault-audit', 'vault-approle', 'vault-keys-admin', 'vault-custodians', 'vault-unseal-shares']) await mkdir(state(d), { recursive: true, mode: 0o700 });
  await mkdir(secrets, { recursive: true, mode: 0o700 });
  await copyFile(path.join(REPOSITORY_ROOT, 'compose.yaml'), path.join(root, 'compose.yaml'));

  const caFile = path.join(secrets, 'internal_ca');
  const openssl = (...args: string[]) => must('openssl', args);
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=test internal CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', path.join(dir, 'ca.key'), '-out', caFile);
  await openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=vault', '-keyout', path.join(secrets, 'vault_tls_key'), '-out', path.join(dir, 'vault.csr'));
  await writeFile(path.join(dir, 'san.ext'), 'subjectAltName=DNS:vault,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await openssl('x509', '-req', '-in', path.join(dir, 'vault.csr'), '-CA', caFile, '-CAkey', path.join(dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', path.join(dir, 'san.ext'), '-out', path.join(secrets, 'vault_tls_cert'));
  const caPem = await readFile(caFile, 'utf8');

  const custodians = await createCustodians({ gpg: o.gpg, names: o.custodians, homesDir: dir, publicKeysDir: state('vault-custodians') });

  const port = await freePort();
  const address = `https://127.0.0.1:${port}`;
  const listenerTls = `  tls_cert_file = "${path.join(secrets, 'vault_tls_cert')}"\n  tls_key_file = "${path.join(secrets, 'vault_tls_key')}"\n  tls_min_version = "tls12"\n`;
  const config =
    `storage "raft" {\n  path = "${state('vault-data')}"\n  node_id = "vault-1"\n}\n` +
    `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  cluster_address = "127.0.0.1:${port + 1}"\n${listenerTls}}\n` +
    `audit "file" "file" {\n  options {\n    file_path = "${state('vault-audit')}/audit.log"\n  }\n}\n` +
    `api_addr = "${address}"\ncluster_addr = "https://127.0.0.1:${port + 1}"\n`;
  const api: ComposeInitBench['api'] = (method, apiPath, body, token) => request({ address, caPem, method, apiPath, body, token });
  let server: ChildProcess | undefined;

  async function until(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`OpenBao: ${what} not within 20 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop(): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }

  return {
    dir,
    root,
    state,
    address,
    caPem,
    api,
    listenerTls,
    async start(extraHcl = '') {
      const file = path.join(dir, 'openbao.hcl');
      await writeFile(file, config + extraHcl);
      server = spawn(o.bao, ['server', `-config=${file}`], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '', HOME: dir } });
      await until('an answer', async () => (await api('GET', '/v1/sys/seal-status').catch(() => ({ status: 0 }))).status === 200);
    },
    untilActive: () => until('active', async () => (await api('GET', '/v1/sys/health')).status === 200),
    stop,
    vaultInit(v = {}) {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        VAULT_ADDR: address,
        VAULT_CACERT: caFile,
        VAULT_CLI: o.bao,
        VAULT_INIT_CONFIG_DIR: path.join(REPOSITORY_ROOT, 'deploy/vault'),
        GATEWAY_VAULT_OUT_DIR: state('vault-approle'),
        GATEWAY_VAULT_KEYS_ADMIN_DIR: state('vault-keys-admin'),
        VAULT_CUSTODIANS_DIR: state('vault-custodians'),
        VAULT_SHARES_DIR: state('vault-unseal-shares'),
        VAULT_UNSEAL_THRESHOLD: '2',
        VAULT_UNSEAL_WAIT_SECONDS: String(v.waitSeconds ?? 60),
      };
      return run('sh', [path.join(REPOSITORY_ROOT, 'deploy/compose/vault-init.sh')], { env, onStdout: v.onStdout });
    },
    decryptShare: custodians.decryptShare,
    share: (custodian) => readFile(path.join(state('vault-unseal-shares'), `${custodian}.share`), 'utf8'),
    async close() {
      await stop();
      await custodians.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
