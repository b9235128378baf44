import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from '@sidep-gateway/demo/openbao.js';
import { startLoggedProcess, type LoggedProcess } from './logged-process.js';
import type { ServiceView } from './service-view.js';

/**
 * OpenBao run from compose's key-manager service: its configuration file (raft storage, TLS with
 * init-secrets' certificate, the file audit device). Not a dev server: its state lives in raft
 * storage on disk, so it can be stopped and started again without losing keys, sealed as after
 * any restart until the custodians unseal it.
 */
export interface ComposeOpenBao {
  address: string;
  /** Each custodian's key in turn, until it is unsealed and active. */
  unseal(keys: string[]): Promise<void>;
  /** Stops the server process; the storage stays. The gateway sees connections refused. */
  down(): Promise<void>;
  /** Starts it again from its storage; resolves once it answers, sealed. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * @param view the service that runs `server -config=…` (compose's `vault`); its listener and
 *   cluster addresses must already be in the address rewrites, so that the config follows `o.address`
 * @example
 * const bao = await startComposeOpenBao(views.vault, { binary, configFile, logFile, address: 'https://127.0.0.1:41234' });
 */
export async function startComposeOpenBao(view: ServiceView, o: { binary: string; address: string; configFile: string; logFile: string }): Promise<ComposeOpenBao> {
  const config = configArgument(view.service.command);
  // the deploy file itself, only its addresses and container paths changed (openbao.hcl declares the audit device)
  const text = view.rewrite(await readFile(view.hostPath(config), 'utf8'), `${view.service.name} ${path.basename(config)}`);
  await writeFile(o.configFile, text, { mode: 0o600 });
  const caPem = await readFile(view.hostPath(view.service.environment.VAULT_CACERT ?? '/run/secrets/internal_ca'), 'utf8');
  const api = (method: string, apiPath: string, body?: unknown) => request({ address: o.address, caPem, method, apiPath, body });
  // as root: the pip package's bao may sit where compose's user 100 cannot reach it
  const start = () => startLoggedProcess(o.binary, ['server', `-config=${o.configFile}`], { env: { PATH: process.env.PATH ?? '', HOME: path.dirname(o.configFile) }, logFile: o.logFile });
  let server: LoggedProcess = start();
  // any HTTP answer: listening, sealed or not, initialised or not
  const answering = () => untilHealth(api, server, (status) => status !== 0);
  try {
    await answering();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    address: o.address,
    async unseal(keys) {
      for (const key of keys) await api('PUT', '/v1/sys/unseal', { key });
      // 200: unsealed and active (raft elects its leader a moment after the unseal)
      await untilHealth(api, server, (status) => status === 200);
    },
    down: () => server.stop(),
    async up() {
      server = start();
      await answering();
    },
    stop: () => server.stop(),
  };
}

function configArgument(command: string[]): string {
  const i = command.findIndex((a) => a === '-config' || a.startsWith('-config='));
  const value = command[i]?.startsWith('-config=') ? command[i]?.slice('-config='.length) : command[i + 1];
  if (i < 0 || !value) throw new Error(`the key-manager service's command names no -config: ${command.join(' ')}`);
  return value;
}

async function untilHealth(api: (method: string, apiPath: string) => Promise<{ status: number }>, server: LoggedProcess, ok: (status: number) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!server.running()) throw new Error('OpenBao exited');
    const status = await api('GET', '/v1/sys/health').then((r) => r.status, () => 0);
    if (ok(status)) return;
    if (Date.now() > deadline) throw new Error(`OpenBao health ${status} after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
