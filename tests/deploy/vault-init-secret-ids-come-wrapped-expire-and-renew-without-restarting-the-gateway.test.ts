import { chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession } from '../../gateway/src/vault/index.js';
import { initGatewayVault } from '@sidep-gateway/demo/openbao.js';
import { run } from '../support/child-process.js';
import { eventually, startHarness } from '../support/gateway-harness.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, REPOSITORY_ROOT, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * The AppRole secret ids of deploy/vault/init.sh on a real OpenBao, handled with
 * deploy/vault/secret-id as deploy/guides/operations.md#vault-approle-secret-ids says: issued
 * wrapped by an administrator, unwrapped once by whoever writes the file, renewed and destroyed
 * while the gateway keeps running, and usable only from the configured addresses.
 */
if (openBaoBinary()) {
  let bao: GatewayOpenBao;
  const secretIdFile = (role: string) => bao.connection(role).secretIdFile;

  /** deploy/vault/secret-id with `token` as VAULT_TOKEN ('' for none) and `input` on stdin. */
  const secretId = (args: string[], o: { token?: string; input?: string } = {}) =>
    run('sh', [path.join(REPOSITORY_ROOT, 'deploy/vault/secret-id'), ...args], { env: { ...bao.server.cliEnv(o.token ?? ''), VAULT_CLI: bao.server.binary }, input: o.input });

  /** A Vault administrator issues, the holder of the directory unwraps: the two steps of the guide. */
  async function issueAndUnwrap(role: string, file = secretIdFile(role)) {
    const issued = await secretId(['issue', role], { token: bao.server.rootToken });
    expect(issued.code, issued.stderr).toBe(0);
    return secretId(['unwrap', role, file], { input: issued.stdout });
  }

  const loginStatus = async (role: string, secret: string) => {
    const roleId = (await readFile(bao.connection(role).roleIdFile, 'utf8')).trim();
    return (await bao.server.api('POST', '/v1/auth/approle/login', { role_id: roleId, secret_id: secret }, '')).status;
  };

  const lookup = async (role: string, secret: string) =>
    (await bao.server.api('POST', `/v1/auth/approle/role/${role}/secret-id/lookup`, { secret_id: secret })).body.data as { secret_id_ttl: number; expiration_time: string };

  beforeAll(async () => {
    bao = await startGatewayOpenBao();
  }, 60_000);
  afterAll(() => bao?.stop());

  describe("keys-admin's secret id, one per operation", () => {
    it('comes wrapped, unwraps into the keys-admin directory, lasts at most an hour, and opens a session', async () => {
      const issued = await secretId(['issue', 'gateway-keys-admin'], { token: bao.server.rootToken });
      expect(issued.stdout.trim()).toMatch(/^s\.[A-Za-z0-9]{24}$/);
      const unwrapped = await secretId(['unwrap', 'gateway-keys-admin', secretIdFile('gateway-keys-admin')], { input: issued.stdout });
      expect(unwrapped, unwrapped.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^secret-id: new secret id of gateway-keys-admin in .* \(accessor [0-9a-f-]{36}\)\n$/) });
      const secret = (await readFile(secretIdFile('gateway-keys-admin'), 'utf8')).trim();
      expect(unwrapped.stdout).not.toContain(secret);
      expect((await stat(secretIdFile('gateway-keys-admin'))).mode & 0o777).toBe(0o440);
      expect((await lookup('gateway-keys-admin', secret)).secret_id_ttl).toBe(3600);
      expect(await createVaultSession(bao.connection('gateway-keys-admin')).read('transit/keys/gateway-data')).toMatchObject({ data: { latest_version: expect.any(Number) } });
    });

    it('reveals interception: once someone else unwrapped the token, unwrapping fails and the file stays as it was', async () => {
      const before = await readFile(secretIdFile('gateway-keys-admin'), 'utf8');
      const issued = await secretId(['issue', 'gateway-keys-admin'], { token: bao.server.rootToken });
      const stolen = await bao.server.api('POST', '/v1/sys/wrapping/unwrap', {}, issued.stdout.trim());
      expect(stolen.status).toBe(200);
      const unwrapped = await secretId(['unwrap', 'gateway-keys-admin', secretIdFile('gateway-keys-admin')], { input: issued.stdout });
      expect(unwrapped.code).toBe(1);
      expect(unwrapped.stderr).toContain('someone else may hold the secret id');
      expect(await readFile(secretIdFile('gateway-keys-admin'), 'utf8')).toBe(before);
    });

    it("refuses a token that wraps another role's secret id without using it up", async () => {
      const issued = await secretId(['issue', 'gateway'], { token: bao.server.rootToken });
      const scratch = path.join(bao.dir, 'scratch-secret-id');
      expect(await secretId(['unwrap', 'gateway-keys-admin', scratch], { input: issued.stdout })).toMatchObject({ code: 1, stderr: expect.stringContaining('wraps no secret id of gateway-keys-admin') });
      expect((await secretId(['unwrap', 'gateway', scratch], { input: issued.stdout })).code).toBe(0);
    });
  });

  describe('the secret-id-issuer policy', () => {
    let issuer: string;
    beforeAll(async () => {
      issuer = ((await bao.server.api('POST', '/v1/auth/token/create', { policies: ['secret-id-issuer'], ttl: '10m' })).body.auth as { client_token: string }).client_token;
    });

    it('issues secret ids only wrapped, lists and destroys them, and reads no role id', async () => {
      expect((await bao.server.api('POST', '/v1/auth/approle/role/gateway/secret-id', {}, issuer)).status).toBe(403);
      expect((await bao.server.api('GET', '/v1/auth/approle/role/gateway/role-id', undefined, issuer)).status).toBe(403);
      const scratch = path.join(bao.dir, 'issuer-secret-id');
      const issued = await secretId(['issue', 'gateway'], { token: issuer });
      expect(issued.code, issued.stderr).toBe(0);
      expect((await secretId(['unwrap', 'gateway', scratch], { input: issued.stdout })).code).toBe(0);
      const accessor = (await readFile(`${scratch}.accessor`, 'utf8')).trim();
      const { keys } = (await bao.server.api('GET', '/v1/auth/approle/role/gateway/secret-id?list=true', undefined, issuer)).body.data as { keys: string[] };
      expect(keys).toContain(accessor);
      expect((await secretId(['destroy', 'gateway', accessor], { token: issuer })).code).toBe(0);
      expect(await loginStatus('gateway', (await readFile(scratch, 'utf8')).trim())).toBe(400);
    });
  });

  describe("the gateway's secret id", () => {
    it('is renewed into its file while the gateway runs: the session goes on, the old one is destroyed and logs in no more', async () => {
      const keys = await bao.transit();
      await keys.generateDataKey('sidep-gateway/data-key/v1/renewal');
      const [oldSecret, oldAccessor] = await Promise.all([readFile(secretIdFile('gateway'), 'utf8'), readFile(`${secretIdFile('gateway')}.accessor`, 'utf8')]);
      // the new file keeps the old one's mode (and group: the gateway's, in compose)
      await chmod(secretIdFile('gateway'), 0o400);
      const renewed = await issueAndUnwrap('gateway');
      expect((await stat(secretIdFile('gateway'))).mode & 0o777).toBe(0o400);
      expect(renewed.stdout).toContain(`replaced accessor ${oldAccessor.trim()}; destroy that one now: secret-id destroy gateway ${oldAccessor.trim()}`);
      expect((await secretId(['destroy', 'gateway', oldAccessor.trim()], { token: bao.server.rootToken })).code).toBe(0);
      expect(await loginStatus('gateway', oldSecret.trim())).toBe(400);
      // its token outlives the destroyed secret id; its next login reads the new file
      await keys.generateDataKey('sidep-gateway/data-key/v1/renewal');
      await (await bao.transit()).generateDataKey('sidep-gateway/data-key/v1/renewal');
    });

    it('expires in 30 days by default, which a running gateway exports for its alert', async () => {
      const vault = createVaultSession(bao.connection('gateway'));
      const expiry = (await vault.secretIdExpiry()) as Date;
      expect(Math.abs(expiry.getTime() - (Date.now() + 30 * 86_400_000))).toBeLessThan(10 * 60_000);
      const h = await startHarness({}, { keys: await bao.transit(), secretIdExpiry: vault.secretIdExpiry });
      try {
        const exported = await eventually(async () => {
          const text = await (await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } })).text();
          const value = Number(/^gateway_key_manager_secret_id_expiry_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
          return value > 0 ? value : undefined;
        });
        expect(exported).toBe(expiry.getTime() / 1000);
      } finally {
        await h.close();
      }
    });

    it('once destroyed, reads as a failed lookup, never as a secret id that does not expire', async () => {
      const scratch = path.join(bao.dir, 'destroyed-secret-id');
      expect((await issueAndUnwrap('gateway', scratch)).code).toBe(0);
      const vault = createVaultSession({ ...bao.connection('gateway'), secretIdFile: scratch });
      expect(await vault.secretIdExpiry()).toBeInstanceOf(Date);
      const accessor = (await readFile(`${scratch}.accessor`, 'utf8')).trim();
      expect((await secretId(['destroy', 'gateway', accessor], { token: bao.server.rootToken })).code).toBe(0);
      await expect(vault.secretIdExpiry()).rejects.toThrow('Vault no longer knows the secret id');
    });

    it('logs in only from GATEWAY_VAULT_GATEWAY_CIDRS', async () => {
      const secret = (await readFile(secretIdFile('gateway'), 'utf8')).trim();
      expect(await loginStatus('gateway', secret)).toBe(200);
      // init.sh again with a network this test does not connect from (TEST-NET-1)
      await initGatewayVault(bao.server, { repositoryRoot: REPOSITORY_ROOT, gatewayDir: bao.gatewayDir, keysAdminDir: bao.keysAdminDir, env: { GATEWAY_VAULT_GATEWAY_CIDRS: '192.0.2.0/24', VAULT_AUDIT_FILE: path.join(bao.dir, 'audit.log') } });
      expect(await loginStatus('gateway', secret)).toBe(400);
    });
  });
} else {
  describe('AppRole secret ids on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
