import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../support/child-process.js';
import { REPOSITORY_ROOT } from '../support/openbao.js';

/**
 * deploy/check-host on a checkout laid out as after `deploy/init-secrets` and vault-init: the
 * repository's compose.yaml, the secrets and state it mounts. Each planted file is one a careless
 * install leaves behind; the check names it, never its content, and exits 1.
 */
let root: string;
const at = (relative: string) => path.join(root, relative);

async function put(relative: string, content: string): Promise<void> {
  await mkdir(path.dirname(at(relative)), { recursive: true });
  await writeFile(at(relative), content, { mode: 0o600 });
}

const checkHost = (...args: string[]) => run('bash', [path.join(REPOSITORY_ROOT, 'deploy/check-host'), '--root', root, ...args]);
const token = () => `s.${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x').slice(0, 24)}`;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'check-host-'));
  await copyFile(path.join(REPOSITORY_ROOT, 'compose.yaml'), at('compose.yaml'));
  // what deploy/init-secrets generates: hex passwords and tokens (64 hex digits, like an unseal
  // key's hex form), database URLs, PEM files
  await put('deploy/secrets/metrics_token', `${hex(32)}\n`);
  await put('deploy/secrets/postgres_password', `${hex(24)}\n`);
  await put('deploy/secrets/grafana_admin_password', `${hex(16)}\n`);
  await put('deploy/secrets/database_url', `postgres://gateway_runtime:${hex(24)}@postgres:5432/sidep_gateway?sslmode=verify-full\n`);
  await put('deploy/secrets/internal_ca', `-----BEGIN CERTIFICATE-----\n${randomBytes(300).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`);
  // what vault-init leaves: AppRole ids (UUIDs), the wrapped blind-index key, HMAC'd audit lines
  await put('deploy/state/vault-approle/gateway-role-id', `${randomUUID()}\n`);
  await put('deploy/state/vault-approle/gateway-secret-id', `${randomUUID()}\n`);
  await put('deploy/state/vault-approle/gateway-secret-id.accessor', `${randomUUID()}\n`);
  await put('deploy/state/vault-approle/blind-index-key.wrapped', `vault:v1:${randomBytes(60).toString('base64')}\n`);
  await put('deploy/state/vault-keys-admin/gateway-keys-admin-role-id', `${randomUUID()}\n`);
  await put('deploy/state/vault-audit/audit.log', `${JSON.stringify({ type: 'response', auth: { client_token: `hmac-sha256:${hex(32)}` }, response: { data: { root_token: `hmac-sha256:${hex(32)}` } } })}\n`);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('deploy/check-host', () => {
  it('passes a clean host silently: passwords, ids, certificates and audit lines are no key-manager secret', async () => {
    expect(await checkHost()).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  const shareB64 = () => randomBytes(33).toString('base64');
  it.each([
    ['the former compose init root token', 'deploy/state/vault-unseal/root-token', token],
    ['the former compose init unseal key', 'deploy/state/vault-unseal/unseal-key', () => randomBytes(32).toString('base64')],
    // 64 hex digits are also what a password looks like: the name alone tells
    ['an unseal key kept in hex', 'deploy/state/unseal-key.hex', () => hex(32)],
    ['a token under an innocent name', 'deploy/secrets/notes', token],
    ['a bare base64 key share', 'deploy/state/backup/share-1', shareB64],
    ['a bare hex key share', 'deploy/secrets/k', () => hex(33)],
    ['operator init text output', 'deploy/state/ceremony.log', () => `Unseal Key 1: ${shareB64()}\n\nInitial Root Token: ${token()}\n`],
    ['operator init JSON output', 'deploy/state/init.json', () => `{\n  "unseal_keys_b64": [\n    "${shareB64()}"\n  ],\n  "root_token": "${token()}"\n}\n`],
    ['an encrypted share not handed over yet', 'deploy/state/vault-unseal-shares/alice.share', () => randomBytes(400).toString('base64')],
    ["keys-admin's secret id where the gateway mounts", 'deploy/state/vault-approle/gateway-keys-admin-secret-id', () => randomUUID()],
  ])('fails on %s, naming the file and not its content', async (_what, relative, content) => {
    const secret = content();
    await put(relative, `${secret}\n`);
    const found = await checkHost();
    expect(found.code).toBe(1);
    expect(found.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^check-host: ${at(relative)}: `))]);
    for (const part of secret.split(/\s+/).filter((p) => p.length > 8)) expect(found.stdout).not.toContain(part);
  });

  it('looks in the paths it is given too', async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'check-host-elsewhere-'));
    try {
      await writeFile(path.join(elsewhere, 'init.txt'), `Initial Root Token: ${token()}\n`);
      expect((await checkHost()).code).toBe(0);
      expect(await checkHost(elsewhere)).toMatchObject({ code: 1, stdout: expect.stringContaining(path.join(elsewhere, 'init.txt')) });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("passes deploy/check-images' findings on as warnings without failing", async () => {
    // a stand-in with deploy/check-images' contract: one line per unpinned image, exit 1
    await put('deploy/check-images', '#!/bin/sh\necho "unpinned image: POSTGRES_IMAGE=postgres:15-bookworm"\nexit 1\n');
    await chmod(at('deploy/check-images'), 0o755);
    expect(await checkHost()).toMatchObject({ code: 0, stdout: 'check-host: warning: unpinned image: POSTGRES_IMAGE=postgres:15-bookworm\n' });
  });

  it('refuses an unknown option with exit 2', async () => {
    expect((await checkHost('--frobnicate')).code).toBe(2);
  });
});
