import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCheckpointSignature, type KeyManager } from '../../gateway/src/keys/index.js';
import { DecryptionFailed } from '../../gateway/src/errors.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * Wrapped keys read from a tampered database go to a real OpenBao's Transit (set up by
 * deploy/vault/init.sh, the gateway's AppRole): whatever the text, the answer is DecryptionFailed,
 * never a key and never KeyManagerUnavailable.
 */
const hasOpenBao = openBaoBinary() !== undefined;
let bao: GatewayOpenBao | undefined;
let keys: KeyManager;

beforeAll(async () => {
  if (!hasOpenBao) return;
  bao = await startGatewayOpenBao();
  keys = await bao.transit();
}, 60_000);
afterAll(() => bao?.stop());

const refused = async (wrapped: string) => {
  const outcome = await keys.unwrapDataKey(wrapped, 'sidep-gateway/data-key/v1/fuzz').then(
    () => 'opened',
    (error: unknown) => (error instanceof DecryptionFailed ? 'refused' : error),
  );
  expect(outcome).toBe('refused');
};

describe.skipIf(!hasOpenBao)('the Vault key manager on a real OpenBao, given wrapped keys from a tampered database', () => {
  it('refuses any string with DecryptionFailed', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), refused), { numRuns: 100 });
  });

  it('refuses any well-formed vault:vN: text it did not wrap (forged payloads, other versions)', async () => {
    const forged = fc
      .tuple(fc.integer({ min: 1, max: 1_000 }), fc.uint8Array({ minLength: 1, maxLength: 120 }))
      .map(([version, payload]) => `vault:v${version}:${Buffer.from(payload).toString('base64')}`);
    await fc.assert(fc.asyncProperty(forged, refused), { numRuns: 100 });
  });

  it('refuses a genuine wrapped key moved to another row (other context), and local-keyring text', async () => {
    const { wrapped } = await keys.generateDataKey('sidep-gateway/data-key/v1/row-a');
    await refused(wrapped);
    await refused(wrapped.replace(/^vault:/, 'local:'));
  });
});

if (!hasOpenBao) {
  describe('the Vault key manager on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}

describe('checkpoint signature verification', () => {
  it('answers false, never throws, for any key and signature text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'))), fc.string(), fc.uint8Array(), (publicKey, signature, data) => {
        expect(verifyCheckpointSignature(publicKey, Buffer.from(data), signature)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
