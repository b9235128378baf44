import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pkiSchema, settingsSchema, type SettingsInput } from '@sidep-gateway/gateway/config/index.js';
import { openLocalCheckpointSigner, openLocalKeyring, type CheckpointSigner, type KeyManager } from '@sidep-gateway/gateway/keys/index.js';
import { openConfiguredCa, openVaultKeys } from '@sidep-gateway/gateway/vault/index.js';
import type { CertificateAuthority, DevPki } from '@sidep-gateway/gateway/pki/index.js';
import { DEMO_AUDIT_SIGNING_KEY, DEMO_AUDIT_SINK, DEMO_RECEIPT_SIGNING_KEY } from '@sidep-gateway/gateway/repository-root.js';
import { initGatewayVault, startOpenBaoDevServer } from './openbao.js';

/** `gateway demo --key-manager local|openbao`. */
export const DEMO_KEY_MANAGERS = ['local', 'openbao'] as const;
export type DemoKeyManagerKind = (typeof DEMO_KEY_MANAGERS)[number];

export function isDemoKeyManagerKind(value: string): value is DemoKeyManagerKind {
  return (DEMO_KEY_MANAGERS as readonly string[]).includes(value);
}

/**
 * The database each mode seals into. OpenBao's dev server keeps its keys in memory, so what one
 * run sealed cannot be opened by the next: its database is emptied at each start, and the local
 * keyring's is left alone.
 */
export const DEMO_DATABASES: Record<DemoKeyManagerKind, { name: string; recreate: boolean }> = {
  local: { name: 'sidep_gateway', recreate: false },
  openbao: { name: 'sidep_gateway_openbao', recreate: true },
};

/** `demo.json`'s `keyManager`: what holds the demo's keys. Paths relative to the repository root. */
export type DemoKeyManagerFile =
  | { kind: 'local'; keyringFile: string }
  /** `auditLog`: OpenBao's own audit device, one JSON line per request (Transit and PKI use shows there). */
  | { kind: 'openbao'; address: string; caCert: string; auditLog: string };

/** The keys and pharmacy certificates the demo's gateway runs on, and the settings naming them. */
export interface DemoKeys {
  file: DemoKeyManagerFile;
  settings: { keyManager: SettingsInput['keyManager']; pki: SettingsInput['pki']; clientCaFile: string; auditSinkFile: string };
  keys: KeyManager;
  signer: CheckpointSigner;
  receiptSigner: CheckpointSigner;
  /** Unset: the gateway opens the dev CA of `settings.pki`. */
  ca?: CertificateAuthority;
  /** The client certificate and key files a demo pharmacy submits with (curl's `--cert`/`--key`). */
  pharmacyCertificate(finess: string): Promise<{ certPem: string; certPath: string; keyPath: string }>;
  stop(): Promise<void>;
}

export interface DemoKeysOptions {
  dataDir: string;
  pki: DevPki;
  repositoryRoot: string;
  rel: (p: string) => string;
}

/**
 * `local`: the keyring and checkpoint key files in `.data/`, reused across starts, and the dev CA.
 * `openbao`: a real OpenBao dev server set up by deploy/vault/init.sh, reached exactly as `serve`
 * reaches Vault (AppRole, pinned CA, Transit, Vault PKI).
 *
 * @example
 * const keys = await openDemoKeys('openbao', { dataDir, pki, repositoryRoot, rel });
 */
export function openDemoKeys(kind: DemoKeyManagerKind, o: DemoKeysOptions): Promise<DemoKeys> {
  return kind === 'openbao' ? openOpenBaoKeys(o) : openLocalKeys(o);
}

async function openLocalKeys(o: DemoKeysOptions): Promise<DemoKeys> {
  const keyringFile = path.join(o.dataDir, 'keyring.json');
  return {
    file: { kind: 'local', keyringFile: o.rel(keyringFile) },
    settings: {
      keyManager: { kind: 'local', localKeyringFile: keyringFile },
      // the admin UI issues and revokes pharmacy certificates with the demo's dev CA
      pki: { caKind: 'dev', caCertFile: o.pki.ca.certPath, caKeyFile: o.pki.ca.keyPath },
      clientCaFile: o.pki.ca.certPath,
      auditSinkFile: path.join(o.dataDir, DEMO_AUDIT_SINK),
    },
    keys: await openLocalKeyring(keyringFile, { create: true }),
    signer: await openLocalCheckpointSigner(path.join(o.dataDir, DEMO_AUDIT_SIGNING_KEY)),
    receiptSigner: await openLocalCheckpointSigner(path.join(o.dataDir, DEMO_RECEIPT_SIGNING_KEY)),
    async pharmacyCertificate(finess) {
      const cert = o.pki.clients[finess];
      if (!cert) throw new Error('demo client certificate missing');
      return cert;
    },
    stop: () => Promise.resolve(),
  };
}

/**
 * Pharmacy certificates come from OpenBao PKI here, as in production: the demo's two pharmacies
 * get theirs through the gateway's own AppRole and role `pharmacy-client`, and the admin UI
 * issues and revokes there too. The server certificates stay on the dev CA (`demo.json`'s
 * `caCert`), so curl's `--cacert` is the same in both modes.
 */
async function openOpenBaoKeys(o: DemoKeysOptions): Promise<DemoKeys> {
  // The dev server keeps everything in memory: files left by an earlier run describe dead keys.
  const dir = path.join(o.dataDir, 'openbao');
  await rm(dir, { recursive: true, force: true });
  const server = await startOpenBaoDevServer({ dir: path.join(dir, 'server') });
  try {
    const gatewayDir = path.join(dir, 'gateway');
    await initGatewayVault(server, { repositoryRoot: o.repositoryRoot, gatewayDir, keysAdminDir: path.join(dir, 'keys-admin') });
    // The root token shows in the server's command line (`ps`) and its HOME's .vault-token: once
    // init.sh is done it is revoked, as production's init does, and only the AppRoles remain.
    const revoked = await server.api('POST', '/v1/auth/token/revoke-self');
    if (revoked.status !== 204) throw new Error(`OpenBao did not revoke its root token (HTTP ${revoked.status})`);

    const keyManager = {
      kind: 'vault' as const,
      vaultAddress: server.address,
      vaultCaFile: server.caFile,
      vaultRoleIdFile: path.join(gatewayDir, 'gateway-role-id'),
      vaultSecretIdFile: path.join(gatewayDir, 'gateway-secret-id'),
      blindIndexKeyFile: path.join(gatewayDir, 'blind-index-key.wrapped'),
    };
    const pki = { caKind: 'vault-pki' as const };
    const { keys, checkpointSigner, receiptSigner, vault } = await openVaultKeys(settingsSchema.shape.keyManager.parse(keyManager));
    const ca = await openConfiguredCa(pkiSchema.parse(pki), { vault });
    const pharmaciesDir = path.join(dir, 'pharmacies');
    await mkdir(pharmaciesDir, { mode: 0o700 });
    return {
      file: { kind: 'openbao', address: server.address, caCert: o.rel(server.caFile), auditLog: o.rel(path.join(dir, 'server', 'audit.log')) },
      // init.sh writes the CA of pki-pharmacies where production's GATEWAY_INTAKE_CLIENT_CA_FILE points
      settings: { keyManager, pki, clientCaFile: path.join(gatewayDir, 'pharmacies-ca.pem'), auditSinkFile: path.join(dir, DEMO_AUDIT_SINK) },
      keys,
      signer: checkpointSigner,
      receiptSigner,
      ca,
      async pharmacyCertificate(finess) {
        const issued = await ca.issueClientCertificate({ commonName: finess });
        const certPath = path.join(pharmaciesDir, `${finess}.pem`);
        const keyPath = path.join(pharmaciesDir, `${finess}-key.pem`);
        await writeFile(certPath, issued.certPem);
        await writeFile(keyPath, issued.keyPem, { mode: 0o600 });
        return { certPem: issued.certPem, certPath, keyPath };
      },
      stop: () => server.stop(),
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
