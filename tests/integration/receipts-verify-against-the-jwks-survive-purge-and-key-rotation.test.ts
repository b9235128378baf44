import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateLocalSigningKey } from '../../gateway/src/keys/index.js';
import { purgeExpired } from '../../gateway/src/results/lifecycle/index.js';
import { eventually, PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function deliveredResult(): Promise<string> {
  const id = (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
  return id;
}
const receiptOf = (id: string, finess = PHARMACY_A) => h.call(finess, 'GET', `/api/v1/test-results/${id}/receipt`);
const jwks = async () => (await h.call(PHARMACY_A, 'GET', '/.well-known/jwks.json')).body as JSONWebKeySet;
/** Verifies as any JOSE library would: the JWKS of the intake listener, the key the header names. */
const verify = async (jws: string, keys?: JSONWebKeySet) => compactVerify(jws, createLocalJWKSet(keys ?? (await jwks())), { algorithms: ['EdDSA'] });

describe('signed delivery receipts', () => {
  it('carry the delivery claims, verify against the JWKS, and fail after one byte changed', async () => {
    const id = await deliveredResult();
    const res = await receiptOf(id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/jose');
    const status = (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body;
    const claims = JSON.parse(new TextDecoder().decode((await verify(res.body)).payload));
    expect(claims).toMatchObject({ sub: id, finess: PHARMACY_A, receivedAt: status.receivedAt, deliveredAt: status.deliveredAt, sidepAckId: status.sidepAckId, contractVersion: '1' });
    // HMAC-SHA256 of the message bytes sent, under blind-index key version 1: no personal value in clear
    expect(claims.deliveredDigest).toMatch(/^v1:[0-9a-f]{64}$/);
    // signed once: a second request answers the same receipt
    expect((await receiptOf(id)).body).toBe(res.body);

    const payloadStart = res.body.indexOf('.') + 1;
    const changed = `${res.body.slice(0, payloadStart)}${res.body[payloadStart] === 'e' ? 'f' : 'e'}${res.body.slice(payloadStart + 1)}`;
    await expect(verify(changed)).rejects.toThrow();
  });

  it('answer 404 to another pharmacy and before delivery', async () => {
    const id = await deliveredResult();
    expect((await receiptOf(id, PHARMACY_B)).status).toBe(404);
    await h.restartGateway({ relay: { enabled: false } as never });
    const pending = (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
    expect((await receiptOf(pending)).status).toBe(404);
    await h.restartGateway();
  });

  it('are still served and verify after the purge', async () => {
    const id = await deliveredResult();
    await h.db.owner.updateTable('test_results').set({ updated_at: sql`now() - interval '8 days'` }).where('id', '=', id).execute();
    expect((await purgeExpired(h.db.runtime, { retention: { deliveredDays: 7, deadLetteredDays: 30 }, keyManager: { dataKeyWindowMinutes: 60 } })).results).toBeGreaterThanOrEqual(1);
    const res = await receiptOf(id);
    expect(res.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode((await verify(res.body)).payload)).sub).toBe(id);
  });

  it('still verify after a key rotation, and new ones carry the new key id', async () => {
    const before = await receiptOf(await deliveredResult());
    const oldKid = decodeProtectedHeader(before.body).kid;
    // the running gateway signs with the new version at once, as with Transit
    await rotateLocalSigningKey(path.join(h.dir, 'receipt-signing-key.pem'));
    const after = await receiptOf(await deliveredResult());
    const newKid = decodeProtectedHeader(after.body).kid;
    expect(newKid).not.toBe(oldKid);
    const keys = await jwks();
    expect(keys.keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    await verify(before.body, keys);
    await verify(after.body, keys);
  });
});

/** Runs `gateway receipt …` as anyone holding a receipt would: no operator identity, no database. */
function gateway(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string }> {
  return promisify(execFile)(process.execPath, ['gateway/bin/gateway.js', 'receipt', ...args], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}

describe('gateway receipt verify', () => {
  it('exits 0 on a receipt, 1 after one byte changed, 2 on a wrong command line: online and offline', async () => {
    const jws = (await receiptOf(await deliveredResult())).body as string;
    const file = path.join(h.dir, 'receipt.jws');
    const tampered = path.join(h.dir, 'tampered.jws');
    await writeFile(file, jws);
    await writeFile(tampered, `${jws.slice(0, -2)}${jws.endsWith('AA') ? 'BB' : 'AA'}`);
    // online: the deployment's keys (here the demo's receipt key file)
    const online = { GATEWAY_DEMO_DATA_DIR: h.dir };
    expect(await gateway(online, 'verify', file)).toMatchObject({ code: 0, stdout: expect.stringContaining(`valid: signed by key ${decodeProtectedHeader(jws).kid}`) });
    expect((await gateway(online, 'verify', tampered)).code).toBe(1);
    // offline: a saved JWKS, in production where there is no demo to fall back on
    const jwksFile = path.join(h.dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify(await jwks()));
    const offline = { GATEWAY_PROFILE: 'production' };
    expect((await gateway(offline, 'verify', file, '--jwks', jwksFile)).code).toBe(0);
    expect((await gateway(offline, 'verify', tampered, '--jwks', jwksFile)).code).toBe(1);
    expect((await gateway(offline, 'verify')).code).toBe(2);
  });
});
