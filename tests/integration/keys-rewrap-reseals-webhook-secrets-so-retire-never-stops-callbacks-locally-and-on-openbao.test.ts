import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../gateway/src/cli/keys.js';
import { DecryptionFailed } from '../../gateway/src/errors.js';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { addEndpoint, rotateSecret } from '../../gateway/src/webhooks/registry.js';
import { openSecrets } from '../../gateway/src/webhooks/secrets.js';
import { openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Webhook endpoint secrets are sealed under the KEK like data keys: `keys rewrap` reseals both
 * slots (current and, during a rotation, previous) under the current version, and `keys retire`
 * refuses while one is still below it, so retiring a version never leaves callbacks unsigned.
 * On the local keyring, and on a real OpenBao where keys-admin rewraps and retires (opening
 * nothing) and the gateway's AppRole opens the secrets.
 */
const OPERATOR = { type: 'user', id: 'cli:test' } as const;
const hasOpenBao = openBaoBinary() !== undefined;
// one database per key manager: each rotates to its own v2
let db: TestDatabase;
let dir: string;
let bao: GatewayOpenBao | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reseal-'));
  if (hasOpenBao) {
    bao = await startGatewayOpenBao();
    await bao.issueSecretId('gateway-keys-admin');
  }
}, 60_000);
afterAll(async () => {
  await bao?.stop();
  await rm(dir, { recursive: true, force: true });
});

function keysCommand(admin: KeyManager, command: string, args: string[] = []) {
  const out: string[] = [];
  const code = runKeysCommand(command, args, { db: db.owner, openKeys: async () => admin, actor: OPERATOR, backupRetentionDays: 14, out: (l) => out.push(l), err: () => undefined, progress: () => undefined });
  return code.then((c) => ({ code: c, out: out.join('\n') }));
}

function runResealContract(name: string, open: () => Promise<{ gateway: KeyManager; admin: KeyManager }>, finess: string): void {
  describe(`keys rewrap and retire with webhook endpoints: ${name}`, () => {
    beforeAll(async () => {
      db = await testDatabase();
    });
    afterAll(() => db.drop());

    it('retire is refused while a secret is below the version; rewrap reseals both slots, which still open to what was shown after retire', async () => {
      const { gateway, admin } = await open();
      const pharmacyId = (await db.owner.insertInto('pharmacies').values({ finess, name: finess }).returning('id').executeTakeFirstOrThrow()).id;
      const { id, secret: first } = await addEndpoint(db.runtime, gateway, { pharmacyId, url: 'https://127.0.0.1:9/hooks', allowNetworks: ['127.0.0.0/8'] }, OPERATOR, 'cli:test');
      const second = await rotateSecret(db.runtime, gateway, id, OPERATOR);
      const stored = () => db.owner.selectFrom('webhook_endpoints').select(['secret_current', 'secret_previous']).where('id', '=', id).executeTakeFirstOrThrow();
      const sealedBefore = await stored();
      const current = await admin.rotate();
      // every data key was moved long ago: only the endpoint's secrets still need the old version
      await db.owner.insertInto('kek_rewraps').values({ version: current, completed_at: sql`now() - interval '15 days'` }).execute();

      const refused = await keysCommand(admin, 'retire', [String(current)]);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/2 webhook secret\(s\) are still wrapped below/);

      const rewrapped = await keysCommand(admin, 'rewrap');
      expect(rewrapped).toMatchObject({ code: 0, out: expect.stringMatching(/and 2 webhook secret\(s\) to KEK version/) });
      const sealedAfter = await stored();
      for (const sealed of [sealedAfter.secret_current, sealedAfter.secret_previous]) expect(sealed).toMatch(new RegExp(`^[a-z]+:v${current}:`));

      expect((await keysCommand(admin, 'retire', [String(current)])).code).toBe(0);
      const opened = await openSecrets(gateway, id, [sealedAfter.secret_current, sealedAfter.secret_previous as string]);
      expect(opened.map((raw) => `whsec_${raw.toString('base64')}`)).toEqual([second, first]);
      // the retirement bites: what was sealed before the rewrap no longer opens
      await expect(openSecrets(gateway, id, [sealedBefore.secret_current])).rejects.toBeInstanceOf(DecryptionFailed);
    }, 60_000);
  });
}

runResealContract(
  'local keyring',
  async () => {
    const keys = await openLocalKeyring(join(dir, 'keyring.json'), { create: true });
    return { gateway: keys, admin: keys };
  },
  '759999907',
);
if (hasOpenBao) runResealContract('Transit on a real OpenBao', async () => ({ gateway: await bao!.transit(), admin: await bao!.transit('gateway-keys-admin') }), '759999915');
