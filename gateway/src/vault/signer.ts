import { GatewayError, KeyManagerUnavailable } from '../errors.js';
import type { CheckpointSigner } from '../keys/index.js';
import type { VaultSession } from './session.js';

/**
 * Signs audit checkpoints with a Transit `ed25519` key (not exportable: the private key never
 * leaves Vault). Transit answers `vault:vN:<base64>`; the signer returns the raw base64 and N.
 * Failures are `KeyManagerUnavailable`: no checkpoint is written unsigned.
 *
 * @example
 * const signer = createVaultCheckpointSigner({ vault, keyName: 'gateway-audit-checkpoints' });
 */
export function createVaultCheckpointSigner({ vault, keyName }: { vault: VaultSession; keyName: string }): CheckpointSigner {
  async function through<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw new KeyManagerUnavailable({ cause: new Error(`vault transit ${keyName}: signing or key read failed`) });
    }
  }
  return {
    sign: (data) =>
      through(async () => {
        const answer = await vault.write(`transit/sign/${keyName}`, { input: data.toString('base64') });
        const match = /^vault:v([1-9][0-9]*):([A-Za-z0-9+/]+={0,2})$/.exec(String(answer.data?.signature ?? ''));
        if (!match?.[2]) throw new KeyManagerUnavailable({ cause: new Error('vault sign: unexpected answer') });
        return { signature: match[2], keyVersion: Number(match[1]) };
      }),
    publicKeys: () =>
      through(async () => {
        const answer = await vault.read(`transit/keys/${keyName}`);
        const versions = (answer.data?.keys ?? {}) as Record<string, { public_key?: unknown }>;
        return Object.fromEntries(
          Object.entries(versions).flatMap(([version, key]) => (typeof key.public_key === 'string' ? [[Number(version), key.public_key]] : [])),
        );
      }),
  };
}
