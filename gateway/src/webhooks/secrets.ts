import { randomBytes } from 'node:crypto';
import type { KeyManager, WrappedKey } from '../keys/index.js';

const SECRET_BYTES = 32;
const PREFIX = 'whsec_';

/** The key-manager context a secret is wrapped under: it unwraps for this endpoint only. */
function secretContext(endpointId: string): string {
  return `sidep-gateway/webhook-secret/v1/${endpointId}`;
}

/**
 * A new signing secret for an endpoint: the Standard Webhooks form `whsec_<base64>`, shown once to
 * whoever registers the endpoint, and the same wrapped by the key manager, which alone is stored.
 * @example const { shown, sealed } = await newSecret(keys, endpointId);
 */
export async function newSecret(keys: Pick<KeyManager, 'wrapDataKey'>, endpointId: string): Promise<{ shown: string; sealed: WrappedKey }> {
  const raw = randomBytes(SECRET_BYTES);
  const sealed = await keys.wrapDataKey(raw, secretContext(endpointId));
  return { shown: PREFIX + raw.toString('base64'), sealed };
}

/**
 * The secrets that sign an endpoint's callbacks now: the current one, and the previous one until
 * its rotation ends. Throws `KeyManagerUnavailable` when the key manager cannot answer (the
 * caller sends nothing), `DecryptionFailed` for a secret wrapped for another endpoint.
 */
export async function openSecrets(
  keys: Pick<KeyManager, 'unwrapDataKey'>,
  endpoint: { id: string; secret_current: string; secret_previous: string | null; previous_until: Date | null },
  now: Date,
): Promise<Buffer[]> {
  const sealed = [endpoint.secret_current];
  if (endpoint.secret_previous && endpoint.previous_until && endpoint.previous_until > now) sealed.push(endpoint.secret_previous);
  return Promise.all(sealed.map((s) => keys.unwrapDataKey(s, secretContext(endpoint.id))));
}
