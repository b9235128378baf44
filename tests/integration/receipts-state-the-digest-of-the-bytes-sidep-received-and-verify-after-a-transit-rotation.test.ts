import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { createVaultCheckpointSigner, createVaultSession } from '../../gateway/src/vault/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * A receipt's `deliveredDigest` is the keyed digest of the very bytes SI-DEP received: a
 * recording relay in front of the simulator keeps each request body as it came off the wire,
 * and the digest is recomputed from those bytes and the blind-index key alone. On a real
 * OpenBao (the gateway's AppRole, receipts signed by Transit `gateway-receipts`), a receipt
 * signed before keys-admin rotates that key still verifies with the JWKS, and new ones name the
 * new key. Without the OpenBao binary the digest is checked on the local keyring.
 */
const hasOpenBao = openBaoBinary() !== undefined;
const DELIVERED_CONTENT = 'sidep-gateway/blind-index/v1/delivered-content';
let bao: GatewayOpenBao | undefined;
let h: Harness;
let keys: KeyManager;
let recorder: Awaited<ReturnType<typeof startRecordingRelay>>;

beforeAll(async () => {
  if (hasOpenBao) {
    bao = await startGatewayOpenBao();
    await bao.issueSecretId('gateway-keys-admin');
    const receiptSigner = createVaultCheckpointSigner({ vault: createVaultSession(bao.connection('gateway')), keyName: 'gateway-receipts' });
    keys = await bao.transit();
    h = await startHarness({}, { keys, receiptSigner });
  } else {
    h = await startHarness();
    keys = await openLocalKeyring(path.join(h.dir, 'keyring.json'));
  }
  recorder = await startRecordingRelay(h);
  await h.restartGateway({ sidep: { url: recorder.url } as never });
}, 90_000);
afterAll(async () => {
  await h?.close();
  await recorder?.close();
  await bao?.stop();
});

/**
 * SI-DEP as the gateway reaches it: an mTLS server with SI-DEP's certificate that records each
 * request body (bytes, as received) with its `Idempotency-Key` (the message id), forwards it to
 * the simulator with the relay's certificate, and answers what the simulator answered.
 */
async function startRecordingRelay(harness: Harness) {
  const received: { messageId: string; body: Buffer; status: number }[] = [];
  const relayAgent = harness.client('gateway-relay');
  const server: Server = createServer({ cert: harness.pki.server.certPem, key: harness.pki.server.keyPem, ca: harness.pki.ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))) as Record<string, string>;
      request(`${harness.simulator.url}${req.url}`, { method: req.method as 'POST', headers, body, dispatcher: relayAgent })
        .then(async (answer) => {
          const text = await answer.body.text();
          received.push({ messageId: String(req.headers['idempotency-key']), body, status: answer.statusCode });
          res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/fhir+json') }).end(text);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    /** The body SI-DEP accepted for this message. */
    accepted: (messageId: string) => received.find((r) => r.messageId === messageId && r.status < 300)?.body,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function deliveredReceipt(): Promise<{ id: string; jws: string }> {
  const id = (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
  const res = await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}/receipt`);
  expect(res.status).toBe(200);
  return { id, jws: res.body as string };
}
const jwks = async () => (await h.call(PHARMACY_A, 'GET', '/.well-known/jwks.json')).body as JSONWebKeySet;
const claimsOf = async (jws: string, keys: JSONWebKeySet) => JSON.parse(new TextDecoder().decode((await compactVerify(jws, createLocalJWKSet(keys), { algorithms: ['EdDSA'] })).payload));

describe(`signed delivery receipts${hasOpenBao ? ' on a real OpenBao' : ''}`, () => {
  it('state the HMAC of the exact bytes SI-DEP received, under the blind-index key version they name', async () => {
    const { id, jws } = await deliveredReceipt();
    const { deliveredDigest } = await claimsOf(jws, await jwks());
    const [, version, digest] = /^v(\d+):([0-9a-f]{64})$/.exec(deliveredDigest) ?? [];
    const { id: messageId } = await h.db.owner.selectFrom('outbox_messages').select('id').where('result_id', '=', id).executeTakeFirstOrThrow();
    const bytes = recorder.accepted(messageId);
    expect(bytes).toBeDefined();
    const key = (await keys.blindIndexKeys()).find((k) => k.version === Number(version))?.key as Buffer;
    const subkey = createHmac('sha256', key).update(DELIVERED_CONTENT).digest();
    expect(createHmac('sha256', subkey).update(bytes as Buffer).digest('hex')).toBe(digest);
  });

  it.skipIf(!hasOpenBao)('signed before a Transit rotation of gateway-receipts still verify with the JWKS; new ones carry the new kid', async () => {
    const before = await deliveredReceipt();
    const oldKid = decodeProtectedHeader(before.jws).kid;
    await createVaultSession(bao!.connection('gateway-keys-admin')).write('transit/keys/gateway-receipts/rotate', {});
    const after = await deliveredReceipt();
    const newKid = decodeProtectedHeader(after.jws).kid;
    expect(newKid).not.toBe(oldKid);
    const keys = await jwks();
    expect(keys.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await claimsOf(before.jws, keys)).sub).toBe(before.id);
    expect((await claimsOf(after.jws, keys)).sub).toBe(after.id);
  });
});
