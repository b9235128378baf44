import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { parseSettings, type SettingsInput } from '../../gateway/src/config/index.js';
import { openLocalCheckpointSigner, openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { ensureDevPki, anssiTlsOptions, type CertificateAuthority, type DevPki } from '../../gateway/src/pki/index.js';
import { startSimulatorProcess, type SimulatorProcess } from '@sidep-gateway/sidep-simulator';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/src/app/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { registerPharmacy } from '@sidep-gateway/demo/pharmacies.js';
import { testDatabase, type TestDatabase } from './test-database.js';

export const PHARMACY_A = '759999907';
export const PHARMACY_B = '759999915';
const RELAY = 'gateway-relay';
const UNREGISTERED = 'unregistered';

export interface Harness {
  db: TestDatabase;
  pki: DevPki;
  dir: string;
  simulator: SimulatorProcess;
  gateway: RunningGateway;
  intakeUrl: string;
  metricsUrl: string;
  metricsToken: string;
  pharmacyIds: Record<string, string>;
  /** Every log line the gateway wrote, for the no-personal-data checks. */
  logs: string[];
  /** An mTLS client presenting the named certificate (a FINESS, or 'unregistered'). */
  client(name: string): Agent;
  call(name: string, method: string, urlPath: string, o?: { body?: unknown; rawBody?: string | Readable; headers?: Record<string, string> }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }>;
  simulatorControl(method: string, urlPath: string, body?: unknown): Promise<any>;
  restartGateway(overrides?: Partial<SettingsInput>): Promise<void>;
  /** Another replica on the same database, keys, signer and simulator (scale-out); the caller stops it. */
  startReplica(overrides?: Partial<SettingsInput>): Promise<RunningGateway>;
  close(): Promise<void>;
}

/**
 * A whole gateway on real parts: a fresh database, a dev PKI, the SI-DEP simulator in its own
 * process, and the gateway's listeners on free ports.
 *
 * @param options.keys - the key manager to run on (e.g. Transit on a real OpenBao);
 *   default a local keyring in the harness directory.
 * @param options.ca - the CA of pharmacy certificates (e.g. PKI on a real OpenBao); default from the settings.
 * @param options.secretIdExpiry - the Vault AppRole secret id's expiry, as `serve` passes it.
 * @param options.receiptSigner - signs delivery receipts (e.g. Transit `gateway-receipts`); default a key file in the harness directory.
 */
export async function startHarness(
  overrides: Partial<SettingsInput> = {},
  options: { keys?: KeyManager; ca?: CertificateAuthority; secretIdExpiry?: GatewayOptions['secretIdExpiry']; receiptSigner?: GatewayOptions['receiptSigner'] } = {},
): Promise<Harness> {
  const db = await testDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-harness-'));
  const pki = await ensureDevPki(path.join(dir, 'pki'), { clients: [PHARMACY_A, PHARMACY_B, RELAY, UNREGISTERED] });
  const pharmacyIds: Record<string, string> = {};
  for (const finess of [PHARMACY_A, PHARMACY_B]) {
    pharmacyIds[finess] = await registerPharmacy(db.owner, { finess, name: `Pharmacie ${finess}`, certPem: (pki.clients[finess] as { certPem: string }).certPem });
  }
  const simulator = await startSimulatorProcess({ caPath: pki.ca.certPath, certPath: pki.server.certPath, keyPath: pki.server.keyPath });
  const metricsToken = 'test-metrics-token-0123456789abcdef0123456789';
  await writeFile(path.join(dir, 'metrics-token'), metricsToken, { mode: 0o600 });
  const keys = options.keys ?? (await openLocalKeyring(path.join(dir, 'keyring.json'), { create: true }));
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const relay = pki.clients[RELAY] as { certPath: string; keyPath: string };
  const base: SettingsInput = {
    profile: 'demo',
    database: { url: db.runtimeUrl, poolSize: 10 },
    intake: { host: '127.0.0.1', port: 0, certFile: pki.server.certPath, keyFile: pki.server.keyPath, clientCaFile: pki.ca.certPath },
    metrics: { host: '127.0.0.1', port: 0, tokenFile: path.join(dir, 'metrics-token') },
    keyManager: { kind: 'local', localKeyringFile: path.join(dir, 'keyring.json') },
    sidep: { url: simulator.url, caFile: pki.ca.certPath, certFile: relay.certPath, keyFile: relay.keyPath, timeoutMs: 3_000 },
    relay: { pollMs: 100, baseDelayMs: 50, maxDelayMs: 200 },
    retention: {},
    validation: {},
    // audit-signing-key.pem and audit-sink.jsonl in the harness dir: audit-* tests verify them
    audit: { sinkFile: path.join(dir, 'audit-sink.jsonl') },
  };
  const signer = await openLocalCheckpointSigner(path.join(dir, 'audit-signing-key.pem'));
  const receiptSigner = options.receiptSigner ?? (await openLocalCheckpointSigner(path.join(dir, 'receipt-signing-key.pem')));
  const settingsWith = (o: Partial<SettingsInput>) =>
    parseSettings(Object.fromEntries(Object.entries({ ...o, ...base }).map(([k, v]) => [k, typeof v === 'object' ? { ...v, ...((o as Record<string, object>)[k] ?? {}) } : ((o as Record<string, unknown>)[k] ?? v)])) as SettingsInput);

  let gateway = await startGateway({ settings: settingsWith(overrides), log, keys, signer, receiptSigner, ca: options.ca, secretIdExpiry: options.secretIdExpiry });
  const agents = new Map<string, Agent>();
  const client = (name: string): Agent => {
    let a = agents.get(name);
    if (!a) {
      const c = pki.clients[name] as { certPem: string; keyPem: string };
      a = new Agent({ connect: { ...anssiTlsOptions(), ca: pki.ca.certPem, cert: c.certPem, key: c.keyPem } });
      agents.set(name, a);
    }
    return a;
  };
  const h: Harness = {
    db,
    pki,
    dir,
    simulator,
    get gateway() {
      return gateway;
    },
    get intakeUrl() {
      return `https://localhost:${gateway.intakePort}`;
    },
    get metricsUrl() {
      return `http://127.0.0.1:${gateway.metricsPort}`;
    },
    metricsToken,
    pharmacyIds,
    logs,
    client,
    async call(name, method, urlPath, o = {}) {
      const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      const res = await request(`${h.intakeUrl}${urlPath}`, {
        method: method as 'GET',
        dispatcher: client(name),
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        body,
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.statusCode, headers: res.headers, body: parsed };
    },
    async simulatorControl(method, urlPath, body) {
      const res = await request(`${simulator.url}${urlPath}`, {
        method: method as 'GET',
        dispatcher: client(RELAY),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      return text ? JSON.parse(text) : undefined;
    },
    async restartGateway(o = {}) {
      await gateway.stop();
      gateway = await startGateway({ settings: settingsWith({ ...overrides, ...o }), log, keys, signer, receiptSigner, ca: options.ca, secretIdExpiry: options.secretIdExpiry });
    },
    startReplica(o = {}) {
      return startGateway({ settings: settingsWith({ ...overrides, ...o }), log, keys, signer, receiptSigner, ca: options.ca, secretIdExpiry: options.secretIdExpiry });
    },
    async close() {
      await gateway.stop();
      await Promise.all([...agents.values()].map((a) => a.close()));
      await simulator.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
