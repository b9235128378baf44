import { chmod, chown, copyFile, mkdir, readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { REPOSITORY_ROOT } from '../../gateway/src/repository-root.js';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { startSimulatorProcess, type SimulatorProcess } from '@sidep-gateway/sidep-simulator';
import { type CheckList, until } from './checks.js';
import { readComposeFile, type ComposeFile } from './compose-file.js';
import { runOneShotService, startGatewayService, untilReady, type MetricsEndpoint } from './gateway-process.js';
import { runToEnd, type LoggedProcess } from './logged-process.js';
import { startComposeOpenBao, type ComposeOpenBao } from './openbao-server.js';
import { runVaultInitCeremony } from './vault-init-ceremony.js';
import { postgresOwner, startComposePostgres, tlsAndScramEvidence } from './postgres-tls.js';
import { startComposePrometheus, type RehearsalPrometheus } from './prometheus.js';
import { createAddressRewrites, mountService, runAs, type AddressRewrites, type HostLayout, type ServiceView } from './service-view.js';

/** Short enough that alerts are seen within seconds of their `for:`; the deploy file says 15 s. */
const PROMETHEUS_INTERVAL_SECONDS = 2;
/** The compose service names the metrics and intake certificates are issued for (init-secrets: `gateway`). */
const GATEWAY_NAME = 'gateway';
/** The alerts the scenario waits for: they must be loaded. */
export const KEY_MANAGER_ALERT = 'KeyManagerUnavailable';
export const SIDEP_ALERT = 'SidepUnreachable';

/** Everything the scenario drives, started from compose.yaml. */
export interface Stack {
  rewrites: AddressRewrites;
  /** The gateway service's environment as `gateway serve` got it. */
  gatewayEnvironment: Record<string, string>;
  /** The same, with the owner's database URL: what an operator's `gateway pharmacy|cert` commands run with. */
  operatorEnvironment: Record<string, string>;
  /** The owner's database URL (TLS verify-full, SCRAM), for counting rows. */
  ownerUrl: string;
  openbao: ComposeOpenBao;
  /** What the custodians decrypted from their shares: they unseal OpenBao after a restart. */
  custodianKeys: string[];
  simulator: { url: string; start(): Promise<void>; stop(): Promise<void> };
  gateway: LoggedProcess;
  intake: { port: number; servername: string; caPem: string };
  metrics: MetricsEndpoint;
  /** The pharmacies' CA that OpenBao PKI holds (init.sh's pharmacies-ca.pem). */
  pharmaciesCaPem: string;
  prometheus: RehearsalPrometheus;
  /** Where the generated files are: other deploy files (the Kubernetes Deployment) read them too. */
  files: { mountsDir: string; secretsDir: string; approleDir: string };
}

export interface StackDirectories {
  root: string;
  logs: string;
}

/**
 * Starts what compose.yaml runs, each part from its own service definition, as named checks:
 * secrets (deploy/init-secrets), PostgreSQL and the migrate one-shot, OpenBao and the vault-init
 * one-shot (custodians, init.sh), the SI-DEP simulator, `gateway serve`, Prometheus. Each started part is handed to
 * `defer` at once, so that whatever happens it is stopped.
 *
 * @example
 * const stack = await startStack({ root, logs }, checks, (stop) => stops.push(stop), { openbao: 'bao', prometheus: '/usr/bin/prometheus', gpg: '/usr/bin/gpg' });
 */
export async function startStack(dirs: StackDirectories, checks: CheckList, defer: (stop: () => Promise<void>) => void, binaries: { openbao: string; prometheus: string; gpg: string }): Promise<Stack> {
  const secretsDir = path.join(dirs.root, 'secrets');
  const stateDir = path.join(dirs.root, 'state');
  const configDir = path.join(dirs.root, 'config');
  // traversal only: Prometheus, run as its own user, reads its configuration here
  await mkdir(configDir, { mode: 0o711 });
  const layout: HostLayout = {
    redirects: { './deploy/secrets': secretsDir, './deploy/state': stateDir },
    composeDir: REPOSITORY_ROOT,
    volumesDir: path.join(dirs.root, 'volumes'),
    mountsDir: path.join(dirs.root, 'mounts'),
  };
  const ports = { postgres: await freePort(), openbao: await freePort(), openbaoCluster: await freePort(), intake: await freePort(), metrics: await freePort(), prometheus: await freePort(), simulator: await freePort() };
  const simulatorHost = networkAddress();
  const rewrites = createAddressRewrites();
  for (const [from, to] of [
    ['postgres:5432', `127.0.0.1:${ports.postgres}`],
    ['vault:8200', `127.0.0.1:${ports.openbao}`],
    ['0.0.0.0:8200', `127.0.0.1:${ports.openbao}`],
    ['vault:8201', `127.0.0.1:${ports.openbaoCluster}`],
    ['0.0.0.0:8201', `127.0.0.1:${ports.openbaoCluster}`],
    ['sidep-simulator:8443', `${simulatorHost}:${ports.simulator}`],
  ] as const)
    rewrites.table.set(from, to);
  const owner = postgresOwner();

  await checks.require('deploy/init-secrets generates the secrets, with stand-ins for the intake and SI-DEP certificates the operator places', async () => {
    const args = ['--dir', secretsDir, '--demo', '--stand-in-certificates', '--ip-san', simulatorHost, ...(owner ? ['--uid', `postgres=${owner.uid}`] : [])];
    const r = await runToEnd(path.join(REPOSITORY_ROOT, 'deploy/init-secrets'), args, { env: { PATH: process.env.PATH ?? '' } });
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim()}`);
    // compose bind-mounts deploy/state/* one by one; here the services reach them through it: traversal only
    await chmod(stateDir, 0o711);
    return r.stdout.split('\n').find((l) => l.startsWith('Generated'))?.replace(secretsDir, 'secrets/');
  });

  // The install guide's demo profile: SIDEP_URL=https://sidep-simulator:8443 (rewritten to where the simulator listens).
  const compose = await readComposeFile(path.join(REPOSITORY_ROOT, 'compose.yaml'), { SIDEP_URL: 'https://sidep-simulator:8443' });
  // volumes and tmpfs belong to the user the service runs as (compose `user:`, as root)
  const mount = (name: string, as = runAs(service(compose, name))) => mountService(service(compose, name), { layout, rewrites, ...(as ? { owner: as } : {}) });
  const migrate = await mount('migrate');
  const ownerUrl = (await readFile(migrate.hostPath('/run/secrets/owner_database_url'), 'utf8')).trim();

  await checks.require("PostgreSQL 15 runs compose's postgres service: TLS from init-secrets' CA, SCRAM, deploy/postgres/pg_hba.conf", async () => {
    const postgres = await mount('postgres', owner);
    const server = await startComposePostgres(postgres, { port: ports.postgres, ownerUrl, logFile: path.join(dirs.logs, 'postgres.log'), rewrites });
    defer(() => server.stop());
    // not compose's 999: initdb needs a user this host knows
    return asWhom(owner);
  });
  await checks.require("compose's migrate service runs gateway db init-roles && gateway migrate", async () => {
    const out = await runOneShotService(migrate.service, migrate.environment());
    return `${asWhom(runAs(migrate.service))}; ${out.trim().split('\n').at(-1) ?? ''}`;
  });
  await checks.run('PostgreSQL refuses plaintext and holds only SCRAM passwords', async () => {
    const e = await tlsAndScramEvidence(ownerUrl);
    if (!e.ssl) throw new Error('the owner connection is not TLS');
    if (e.passwordEncryption !== 'scram-sha-256') throw new Error(`password_encryption = ${e.passwordEncryption}`);
    if (e.nonScramRoles.length) throw new Error(`roles with non-SCRAM passwords: ${e.nonScramRoles.join(', ')}`);
    if (!e.plaintextRefused) throw new Error('a plaintext connection was let in');
    return `plaintext: ${e.plaintextRefused}`;
  });

  const vault = await mount('vault');
  const vaultInit = await mount('vault-init');
  const approleDir = vaultInit.hostPath('/run/vault-approle');
  let openbao: ComposeOpenBao | undefined;
  let custodianKeys: string[] = [];
  await checks.require("OpenBao runs compose's vault service (deploy/vault/openbao.hcl: raft, TLS from init-secrets); vault-init initialises it, the custodians unseal it, init.sh sets it up", async () => {
    const server = await startComposeOpenBao(vault, { binary: binaries.openbao, address: `https://127.0.0.1:${ports.openbao}`, configFile: path.join(configDir, 'openbao.hcl'), logFile: path.join(dirs.logs, 'openbao.log') });
    defer(() => server.stop());
    custodianKeys = await runVaultInitCeremony(vaultInit, { bao: binaries.openbao, gpg: binaries.gpg, unseal: (keys) => server.unseal(keys), homes: path.join(dirs.root, 'custodians'), logFile: path.join(dirs.logs, 'vault-init.log'), owner: runAs(vaultInit.service) });
    // the operator's step (install guide, section 2): pharmacy_client_ca is the pharmacies-ca.pem init.sh wrote
    const clientCa = path.join(secretsDir, 'pharmacy_client_ca');
    await copyFile(path.join(approleDir, 'pharmacies-ca.pem'), clientCa);
    // as init-secrets gives the gateway its files: to the gateway's user, mode 0400
    const gatewayUser = runAs(service(compose, 'gateway'));
    if (gatewayUser) await chown(clientCa, gatewayUser.uid, 0);
    await chmod(clientCa, 0o400);
    openbao = server;
    return `${custodianKeys.length} custodians' PGP-encrypted shares, deleted from the host once decrypted; root token revoked by vault-init; pharmacy_client_ca = init.sh's pharmacies-ca.pem`;
  });

  const simulatorView = await mount('sidep-simulator');
  const simulator = simulatorOf(simulatorView, simulatorHost, ports.simulator, rewrites);
  await checks.require("the SI-DEP simulator runs compose's sidep-simulator command, mTLS with init-secrets' CA", async () => {
    await simulator.start();
    defer(() => simulator.stop());
    return simulator.url;
  });

  const gatewayView = await mount('gateway');
  const gatewayEnvironment = { ...gatewayView.environment(), GATEWAY_INTAKE_PORT: String(ports.intake), GATEWAY_METRICS_PORT: String(ports.metrics) };
  rewrites.record('gateway GATEWAY_INTAKE_PORT', gatewayView.service.environment.GATEWAY_INTAKE_PORT ?? '8443', String(ports.intake));
  rewrites.record('gateway GATEWAY_METRICS_PORT', gatewayView.service.environment.GATEWAY_METRICS_PORT ?? '9464', String(ports.metrics));
  const internalCaPem = await readFile(path.join(secretsDir, 'internal_ca'), 'utf8');
  const metrics: MetricsEndpoint = { port: ports.metrics, caPem: internalCaPem, servername: GATEWAY_NAME };
  let gateway: LoggedProcess | undefined;
  await checks.require("gateway serve runs compose's gateway service (GATEWAY_PROFILE=production) and answers /readyz", async () => {
    const started = startGatewayService(gatewayView.service, gatewayEnvironment, path.join(dirs.logs, 'gateway.log'));
    defer(() => started.stop());
    await untilReady(started, metrics, 60_000);
    gateway = started;
    return `${asWhom(runAs(gatewayView.service))}; intake 0.0.0.0:${ports.intake}, metrics 0.0.0.0:${ports.metrics} (TLS)`;
  });

  let prometheus: RehearsalPrometheus | undefined;
  await checks.require("Prometheus runs compose's command and deploy/prometheus/prometheus.yml, scrapes the gateway over TLS with the bearer token and loads alerts.yml", async () => {
    const view = await mount('prometheus');
    const started = await startComposePrometheus(view, {
      binary: binaries.prometheus,
      listen: `127.0.0.1:${ports.prometheus}`,
      targets: { [GATEWAY_NAME]: `127.0.0.1:${ports.metrics}` },
      intervalSeconds: PROMETHEUS_INTERVAL_SECONDS,
      configFile: path.join(configDir, 'prometheus.yml'),
      logFile: path.join(dirs.logs, 'prometheus.log'),
      rewrites,
    });
    defer(() => started.stop());
    const rules = await started.alertRules();
    for (const name of [KEY_MANAGER_ALERT, SIDEP_ALERT]) if (!rules.has(name)) throw new Error(`alerts.yml has no ${name}`);
    await until('up{job="sidep-gateway"} == 1', 30_000, async () => ((await started.query('up{job="sidep-gateway"}')) === 1 ? true : undefined));
    prometheus = started;
    return `${asWhom(runAs(view.service))}; up == 1, ${rules.size} alert rules, scrape and evaluation every ${PROMETHEUS_INTERVAL_SECONDS} s`;
  });

  return {
    rewrites,
    gatewayEnvironment,
    operatorEnvironment: { ...gatewayEnvironment, GATEWAY_DATABASE_URL_FILE: migrate.hostPath('/run/secrets/owner_database_url') },
    ownerUrl,
    openbao: openbao as ComposeOpenBao,
    custodianKeys,
    simulator,
    gateway: gateway as LoggedProcess,
    intake: { port: ports.intake, servername: GATEWAY_NAME, caPem: internalCaPem },
    metrics,
    pharmaciesCaPem: await readFile(path.join(secretsDir, 'pharmacy_client_ca'), 'utf8'),
    prometheus: prometheus as RehearsalPrometheus,
    files: { mountsDir: layout.mountsDir, secretsDir, approleDir },
  };
}

function asWhom(user: { uid: number } | undefined): string {
  return user ? `as uid ${user.uid}` : 'as this user';
}

function service(compose: ComposeFile, name: string) {
  const s = compose.services[name];
  if (!s) throw new Error(`compose.yaml has no ${name} service`);
  return s;
}

/**
 * The simulator as compose's sidep-simulator runs it (`--ca --cert --key` from its command), on
 * `host:port`; stopping it makes SI-DEP unreachable, starting it again brings it back there.
 */
function simulatorOf(view: ServiceView, host: string, port: number, rewrites: AddressRewrites) {
  const flag = (name: string): string => {
    const value = view.service.command[view.service.command.indexOf(name) + 1];
    if (!view.service.command.includes(name) || !value) throw new Error(`compose's sidep-simulator command has no ${name}`);
    return value;
  };
  rewrites.record('sidep-simulator command', `${flag('--host')}:${flag('--port')}`, `${host}:${port}`);
  let running: SimulatorProcess | undefined;
  return {
    url: `https://${host}:${port}`,
    async start() {
      running = await startSimulatorProcess({ caPath: view.hostPath(flag('--ca')), certPath: view.hostPath(flag('--cert')), keyPath: view.hostPath(flag('--key')), host, port });
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
}

/**
 * This host's own network address, where the simulator listens: the production profile refuses
 * an SI-DEP URL naming 127.0.0.1 or localhost (the demo's simulator), so the gateway reaches it
 * as it would reach another host. Without a network interface, 127.0.0.2 (loopback all the same).
 */
function networkAddress(): string {
  const address = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  return address ?? '127.0.0.2';
}
