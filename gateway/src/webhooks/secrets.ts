import { webhookSecretContext, type KeyManager, type WrappedKey } from '../keys/index.js';

const PREFIX = 'whsec_';

/**
 * A new signing secret for an endpoint: the Standard Webhooks form `whsec_<base64>`, shown once to
 * whoever registers the endpoint, and the same wrapped by the key manager, which alone is stored.
 * Drawn by the key manager as a data key (Transit `datakey`): the gateway's policy grants no
 * `encrypt` of chosen plaintext.
 * @example const { shown, sealed } = await newSecret(keys, endpointId);
 */
export async function newSecret(keys: Pick<KeyManager, 'generateDataKey'>, endpointId: string): Promise<{ shown: string; sealed: WrappedKey }> {
  const { plaintext, wrapped } = await keys.generateDataKey(webhookSecretContext(endpointId));
  return { shown: PREFIX + plaintext.toString('base64'), sealed: wrapped };
}

/** An endpoint's sealed secrets as stored. */
export interface SealedSecrets {
  id: string;
  secret_current: string;
  secret_previous: string | null;
  previous_until: Date | null;
}

/** The sealed secrets that sign now: the current one, and the previous one until its rotation ends. */
export function sealedInUse(endpoint: SealedSecrets, now: Date): string[] {
  const sealed = [endpoint.secret_current];
  if (endpoint.secret_previous && endpoint.previous_until && endpoint.previous_until > now) sealed.push(endpoint.secret_previous);
  return sealed;
}

/**
 * Opens sealed secrets of an endpoint (`sealedInUse`). Throws `KeyManagerUnavailable` when the
 * key manager cannot answer (the caller sends nothing), `DecryptionFailed` for a secret wrapped
 * for another endpoint.
 */
export function openSecrets(keys: Pick<KeyManager, 'unwrapDataKey'>, endpointId: string, sealed: readonly string[]): Promise<Buffer[]> {
  return Promise.all(sealed.map((s) => keys.unwrapDataKey(s, webhookSecretContext(endpointId))));
}
