import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Agent, request } from 'undici';
import type { SettingsInput } from '../../gateway/src/config/index.js';
import { createKeyringFile, newKeyringDocument } from '../../gateway/src/keys/keyring-file.js';
import { createDatabase, migrate, RUNTIME_ROLE, type Database } from '../../gateway/src/db/index.js';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { registerPharmacy } from '@sidep-gateway/demo/pharmacies.js';
import { anssiTlsOptions, ensureDevPki, type DevPki } from '../../gateway/src/pki/index.js';
import { startSimulatorProcess, type SimulatorProcess } from '@sidep-gateway/sidep-simulator';
import type { GatewayProcessConfig } from './serve-gateway-process.js';

export const PHARMACIES = ['759999907', '759999915'] as const;
const RELAY = 'gateway-relay';

/** A gateway process on a fresh database, a dev PKI and the simulator process, restartable at will. */
export interface GatewayStack {
  dir: string;
  pki: DevPki;
  owner: Database;
  ownerUrl: string;
  runtimeUrl: string;
  simulator: SimulatorProcess;
  intakeUrl: string;
  metricsUrl: string;
  metricsToken: string;
  /** The gateway process id (undefined while down). */
  readonly pid: number | undefined;
  /** An mTLS agent presenting a pharmacy's certificate (or the relay's, for the simulator). */
  agent(name: string, connections?: number): Agent;
  /** SIGKILL: no cleanup of any kind. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop (a `--cpu-prof` profile is written). */
  stop(): Promise<void>;
  /**
   * Starts the gateway process, with other relay settings if given (kept for later starts), from
   * `entry` (this start only; default `gateway-process.ts`), e.g. the benchmark's audit-off composition.
   */
  start(relay?: object, entry?: string): Promise<void>;
  /** Exits nobody asked for, with the end of their stderr. */
  crashes: string[];
  /** Whether a gateway process is up (or starting). */
  running(): boolean;
  /** The gateway process's peak resident set (VmHWM), in MB. */
  rssPeakMb(): Promise<number>;
  /** The simulator's journal: message id → receipt count. */
  journal(): Promise<{ messageId: string; count: number }[]>;
  simulatorFaults(faults: object): Promise<void>;
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** A superuser URL on a cluster where `gateway db init-roles` has run with `runtimePassword`. */
  adminUrl: string;
  runtimePassword: string;
  settings?: { intake?: object; relay?: object; database?: object; audit?: object; webhooks?: object; retention?: object };
}

/** Starts the whole stack: database, PKI, pharmacies, simulator, then the gateway process. */
export async function startGatewayStack(o: StackOptions): Promise<GatewayStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-stack-'));
  const { name, ownerUrl, runtimeUrl } = await createMigratedDatabase(o.adminUrl, o.runtimePassword);
  const runtime = new URL(runtimeUrl);
  const owner = createDatabase({ url: ownerUrl, poolSize: 4 });
  const pki = await ensureDevPki(path.join(dir, 'pki'), { clients: [...PHARMACIES, RELAY] });
  for (const finess of PHARMACIES) {
    await registerPharmacy(owner, { finess, name: `Pharmacie ${finess}`, certPem: (pki.clients[finess] as { certPem: string }).certPem });
  }
  const simulator = await startSimulatorProcess({ caPath: pki.ca.certPath, certPath: pki.server.certPath, keyPath: pki.server.keyPath, journalPath: path.join(dir, 'journal.jsonl') });
  const metricsToken = randomBytes(24).toString('hex');
  await writeFile(path.join(dir, 'metrics-token'), metricsToken, { mode: 0o600 });
  await createKeyringFile(path.join(dir, 'keyring.json'), newKeyringDocument());
  const relay = pki.clients[RELAY] as { certPath: string; keyPath: string };
  const s = o.settings ?? {};
  const config: GatewayProcessConfig = {
    settings: {
      profile: 'demo',
      database: { url: runtime.toString(), poolSize: 10, ...s.database },
      // a fixed port, so that clients reconnect to the restarted process
      intake: { host: '127.0.0.1', port: await freePort(), certFile: pki.server.certPath, keyFile: pki.server.keyPath, clientCaFile: pki.ca.certPath, ...s.intake },
      metrics: { host: '127.0.0.1', port: await freePort(), tokenFile: path.join(dir, 'metrics-token') },
      keyManager: { kind: 'local', localKeyringFile: path.join(dir, 'keyring.json') },
      sidep: { url: simulator.url, caFile: pki.ca.certPath, certFile: relay.certPath, keyFile: relay.keyPath, timeoutMs: 3_000 },
      relay: { pollMs: 100, baseDelayMs: 50, maxDelayMs: 500, ...s.relay },
      webhooks: { pollMs: 100, baseDelayMs: 50, maxDelayMs: 500, ...s.webhooks },
      retention: { ...s.retention },
      validation: {},
      audit: { sinkFile: path.join(dir, 'audit-sink.jsonl'), ...s.audit },
    } as SettingsInput,
    keyringFile: path.join(dir, 'keyring.json'),
    signingKeyFile: path.join(dir, 'audit-signing-key.pem'),
    logFile: path.join(dir, 'gateway.log'),
  };
  const configFile = path.join(dir, 'gateway-process.json');
  await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
  const agents = new Map<string, Agent>();
  let child: ChildProcess | undefined;
  let starting: Promise<void> | undefined;
  const crashes: string[] = [];
  const intakePort = (config.settings.intake as { port: number }).port;
  const metricsPort = (config.settings.metrics as { port: number }).port;

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.removeAllListeners('crash');
    child.kill(signal);
    await exited;
    child = undefined;
  };
  const stack: GatewayStack = {
    dir,
    pki,
    owner,
    ownerUrl,
    runtimeUrl: runtime.toString(),
    simulator,
    intakeUrl: `https://localhost:${intakePort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    metricsToken,
    get pid() {
      return child?.pid;
    },
    agent(who, connections = 8) {
      const key = `${who}/${connections}`;
      let a = agents.get(key);
      if (!a) {
        const c = pki.clients[who] as { certPem: string; keyPem: string };
        a = new Agent({ connections, connect: { ...anssiTlsOptions(), ca: pki.ca.certPem, cert: c.certPem, key: c.keyPem } });
        agents.set(key, a);
      }
      return a;
    },
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
    crashes,
    running: () => child !== undefined || starting !== undefined,
    start(relay, entry) {
      starting ??= (async () => {
        if (relay) {
          config.settings.relay = { ...(config.settings.relay as object), ...relay };
          await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
        }
        const started = await spawnGateway(configFile, entry);
        started.once('crash', (why: string) => {
          crashes.push(why);
          if (child === started) child = undefined;
        });
        child = started;
      })().finally(() => (starting = undefined));
      return starting;
    },
    async rssPeakMb() {
      const status = await readFile(`/proc/${child?.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    async journal() {
      const res = await request(`${simulator.url}/_control/journal`, { dispatcher: stack.agent(RELAY, 2) });
      return (await res.body.json()) as { messageId: string; count: number }[];
    },
    async simulatorFaults(faults) {
      const res = await request(`${simulator.url}/_control/faults`, { method: 'POST', dispatcher: stack.agent(RELAY, 2), headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
      await res.body.text();
      if (res.statusCode >= 300) throw new Error(`simulator refused the faults (${res.statusCode})`);
    },
    async metric(metricName) {
      const res = await request(stack.metricsUrl, { headers: { authorization: `Bearer ${metricsToken}` } });
      const text = await res.body.text();
      return text
        .split('\n')
        .filter((l) => l.startsWith(metricName) && /^[a-z_]+(\{[^}]*\})? /.test(l) && l.split(/[ {]/)[0] === metricName)
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    },
    async close() {
      await stack.kill();
      await Promise.all([...agents.values()].map((a) => a.close()));
      await simulator.stop();
      await owner.destroy();
      await dropDatabase(o.adminUrl, name);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await stack.start();
  return stack;
}

/** A new database with every migration applied: its owner's URL and the runtime role's. */
export async function createMigratedDatabase(adminUrl: string, runtimePassword: string): Promise<{ name: string; ownerUrl: string; runtimeUrl: string }> {
  const name = `gw_stack_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const ownerUrl = withDatabase(adminUrl, name);
  await migrate({ url: ownerUrl });
  const runtime = new URL(ownerUrl);
  runtime.username = RUNTIME_ROLE;
  runtime.password = runtimePassword;
  return { name, ownerUrl, runtimeUrl: runtime.toString() };
}

/** Drops a database made by `createMigratedDatabase`. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}

async function spawnGateway(configFile: string, main = fileURLToPath(new URL('./gateway-process.ts', import.meta.url))): Promise<ChildProcess> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, ...(process.env.GATEWAY_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.GATEWAY_CPU_PROF}`] : []), main, configFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2_000)));
  // an exit not caused by kill()/stop() (they remove this listener first)
  child.once('exit', (code, signal) => child.emit('crash', `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway process did not get ready in time')), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway process exited (${code}) before it was ready: ${stderr}`));
    });
    lines.on('line', (line) => {
      if (!line.startsWith('ready ')) return;
      clearTimeout(timer);
      resolve();
    });
  });
  return child;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
