import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os, { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKeyring } from '../../gateway/src/keys/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
let db: TestDatabase;
let keyring: string;

beforeAll(async () => {
  db = await testDatabase();
  keyring = path.join(await mkdtemp(path.join(os.tmpdir(), 'cli-webhooks-')), 'keyring.json');
  await openLocalKeyring(keyring, { create: true });
  await db.owner.insertInto('pharmacies').values({ finess: '759999907', name: 'A' }).execute();
});
afterAll(() => db.drop());

const gateway = (...args: string[]) =>
  run(process.execPath, ['gateway/bin/gateway.js', ...args, '--database-url', db.ownerUrl], {
    env: { ...process.env, USER: 'tester', GATEWAY_KEY_MANAGER_KIND: 'local', GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE: keyring },
  });

describe('gateway webhooks', () => {
  it('registers an allow-listed endpoint, prints its secret once, and audits each change by endpoint id', async () => {
    const url = 'https://127.0.0.1:8443/pharmacy-hooks';
    const added = await gateway('webhooks', 'add', '759999907', '--url', url, '--allow-network', '127.0.0.0/8', '--events', 'result.delivered,result.dead-lettered');
    const id = /Registered endpoint ([0-9a-f-]{36})/.exec(added.stdout)?.[1] as string;
    const secret = /(whsec_[A-Za-z0-9+/]+={0,2})/.exec(added.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const listed = (await gateway('webhooks', 'list', '759999907')).stdout;
    expect(listed).toContain(`${id}  759999907  ${url}  events=result.delivered,result.dead-lettered  allow=127.0.0.0/8`);
    expect(listed).not.toContain('whsec_');
    const stored = await db.owner.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // sealed by the key manager: neither the secret nor its bytes are stored
    expect(JSON.stringify(stored)).not.toContain(secret.slice('whsec_'.length));
    expect(stored.secret_current).toMatch(/^local:v1:/);

    const rotated = (await gateway('webhooks', 'rotate-secret', id)).stdout;
    expect(/(whsec_[A-Za-z0-9+/]+={0,2})/.exec(rotated)?.[1]).not.toBe(secret);
    await gateway('webhooks', 'test', id);
    await gateway('webhooks', 'remove', id);
    expect((await gateway('webhooks', 'list')).stdout).not.toContain(id);

    const events = await db.owner.selectFrom('audit_events').select(['action', 'actor_id', 'object_type', 'object_id', 'reason']).where('action', 'like', 'webhook.%').orderBy('seq').execute();
    const by = `cli:${userInfo().username}@${hostname()}`;
    expect(events).toEqual(['webhook.add', 'webhook.rotate-secret', 'webhook.test', 'webhook.remove'].map((action) => ({ action, actor_id: by, object_type: 'webhook-endpoint', object_id: id, reason: null })));
  });

  it('refuses a loopback endpoint that no network allow-lists, and stores nothing', async () => {
    await expect(gateway('webhooks', 'add', '759999907', '--url', 'https://127.0.0.1:8443/hooks')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('address-loopback') });
    await expect(gateway('webhooks', 'add', '759999907', '--url', 'http://pharmacy.example/hooks', '--allow-network', '127.0.0.0/8')).rejects.toMatchObject({ code: 2 });
    expect(await db.owner.selectFrom('webhook_endpoints').select('id').where('url', 'like', '%/hooks').execute()).toEqual([]);
  });
});
