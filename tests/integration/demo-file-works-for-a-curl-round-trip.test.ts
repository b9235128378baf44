import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { eventually } from '../support/gateway-harness.js';
import { createBrowser, signInWithForm } from '../support/web-harness.js';

const run = promisify(execFile);
let dir: string;
let demo: ChildProcess;
let output = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-demo-'));
  await chmod(dir, 0o711); // as root, embedded Postgres runs as its own user and must traverse it
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_DEMO_DATA_DIR: path.join(dir, 'data'), GATEWAY_INTAKE_PORT: '0', GATEWAY_METRICS_PORT: '0', GATEWAY_WEB_PORT: '0', GATEWAY_DEMO_OIDC_PORT: '0', GATEWAY_DEMO_POSTGRES_PORT: String(40000 + Math.floor(Math.random() * 20000)) };
  delete env.DATABASE_URL;
  demo = spawn(process.execPath, ['gateway/bin/gateway.js', 'demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout?.on('data', (d) => (output += d));
  demo.stderr?.on('data', (d) => (output += d));
  await eventually(() => stat(path.join(dir, 'data', 'demo.json')).then(() => true, () => undefined), 60_000);
}, 90_000);
afterAll(async () => {
  if (demo.exitCode === null) {
    demo.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

const curl = (args: string[]) => run('curl', ['-sS', ...args], { cwd: process.cwd() }).then((r) => r.stdout);

describe('npm start (gateway demo)', () => {
  it('writes demo.json with URLs, CA, database URLs, token file and two pharmacies', async () => {
    const d = JSON.parse(await readFile(path.join(dir, 'data', 'demo.json'), 'utf8'));
    expect(d.intakeUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(d.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(d.simulatorUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(d.databaseUrl).toMatch(/^postgres:\/\//);
    expect(d.pharmacies.map((p: { finess: string }) => p.finess)).toEqual(['759999907', '759999915']);
    for (const p of d.pharmacies) expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stat(path.join(process.cwd(), d.pharmacies[0].key))).mode & 0o077).toBe(0);
    expect(output).toContain('curl --cacert');
  });

  it('signs each demo account in at webUrl as demo.json lists it, refusing every account without MFA', async () => {
    const d = JSON.parse(await readFile(path.join(dir, 'data', 'demo.json'), 'utf8'));
    expect(d.webUrl).toMatch(/^https:\/\/localhost:\d+$/);
    const agent = new Agent({ connect: { ca: await readFile(d.caCert, 'utf8') } });
    try {
      for (const u of d.users as { username: string; password: string; roles: string[]; mfa: boolean }[]) {
        const b = createBrowser(agent);
        const page = await signInWithForm(b, `${d.webUrl}/auth/login`, u.username, u.password);
        expect(page.status, u.username).toBe(u.mfa ? 200 : 403);
        if (page.status === 200) expect((await b.fetch('GET', `${d.webUrl}/api/web/v1/me`)).json().roles, u.username).toEqual(u.roles);
      }
    } finally {
      await agent.close();
    }
  });

  it('accepts a synthetic result with curl and delivers it to the simulator', async () => {
    const d = JSON.parse(await readFile(path.join(dir, 'data', 'demo.json'), 'utf8'));
    const p = d.pharmacies[0];
    const tls = ['--cacert', d.caCert, '--cert', p.cert, '--key', p.key];
    const answer = JSON.parse(
      await curl([...tls, '-H', 'content-type: application/json', '-H', `Idempotency-Key: ${randomUUID()}`, '--data', `@${d.sampleResult}`, `${d.intakeUrl}/api/v1/test-results`]),
    );
    expect(answer.status).toBe('received');
    const delivered = await eventually(async () => {
      const s = JSON.parse(await curl([...tls, `${d.intakeUrl}${answer.statusUrl}`]));
      return s.status === 'delivered' ? s : undefined;
    });
    expect(delivered.sidepAckId).toEqual(expect.any(String));
    const token = (await readFile(d.metricsTokenFile, 'utf8')).trim();
    expect(await curl(['-H', `Authorization: Bearer ${token}`, d.metricsUrl])).toContain('gateway_deliveries_total{outcome="delivered"} 1');
  });

  it('lets operator commands reach the running demo without configuration', async () => {
    const env = { PATH: process.env.PATH, GATEWAY_DEMO_DATA_DIR: path.join(dir, 'data') };
    const { stdout } = await run(process.execPath, ['gateway/bin/gateway.js', 'outbox', 'list'], { env });
    expect(stdout).toMatch(/delivered\s+original/);
  });

  it('stops every process cleanly on Ctrl-C', async () => {
    demo.kill('SIGINT');
    const [code] = await once(demo, 'exit');
    // the demo's last words say which part failed to stop
    expect(code, output.slice(-3000)).toBe(0);
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout).not.toContain(path.join(dir, 'data'));
  }, 30_000);
});
