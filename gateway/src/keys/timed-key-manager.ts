import { DecryptionFailed, KeyManagerUnavailable } from '../errors.js';
import type { KeyManager } from './key-manager.js';

/** The `operation` label: one per KeyManager method, so the label set stays bounded. */
const OPERATIONS = {
  wrapDataKey: 'wrap_data_key',
  unwrapDataKey: 'unwrap_data_key',
  generateDataKey: 'generate_data_key',
  rewrapDataKey: 'rewrap_data_key',
  rewrapDataKeys: 'rewrap_data_keys',
  rotate: 'rotate',
  advanceMinDecryptionVersion: 'advance_min_decryption_version',
  blindIndexKeys: 'blind_index_keys',
  rotateBlindIndexKey: 'rotate_blind_index_key',
  retireBlindIndexKeys: 'retire_blind_index_keys',
  probe: 'probe',
  keyVersions: 'key_versions',
} as const satisfies Record<Exclude<keyof KeyManager, 'kind'>, string>;

export type KeyManagerOperation = (typeof OPERATIONS)[keyof typeof OPERATIONS];
export type KeyManagerOutcome = 'ok' | 'unavailable' | 'decryption_failed' | 'refused';

/** Receives one observation per key-manager call (the `gateway_key_manager_request_duration_seconds` histogram). */
export type ObserveKeyManagerCall = (labels: { operation: KeyManagerOperation; outcome: KeyManagerOutcome }, seconds: number) => void;

/**
 * The same key manager, timing every call on any backend: one wrapper rather than a timer in
 * each backend, so a new backend or method cannot go unmeasured (the `satisfies` above lists
 * every method). Labels carry no key material, context or ciphertext.
 *
 * @example
 * const keys = timeKeyManager(await openVaultTransit(o), (labels, s) => metrics.keyManagerRequestDuration.observe(labels, s));
 */
export function timeKeyManager(keys: KeyManager, observe: ObserveKeyManagerCall): KeyManager {
  const timed = <A extends unknown[], R>(name: keyof typeof OPERATIONS, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = process.hrtime.bigint();
      const done = (outcome: KeyManagerOutcome) => observe({ operation: OPERATIONS[name], outcome }, Number(process.hrtime.bigint() - start) / 1e9);
      try {
        const result = await call(...args);
        done('ok');
        return result;
      } catch (error) {
        done(error instanceof KeyManagerUnavailable ? 'unavailable' : error instanceof DecryptionFailed ? 'decryption_failed' : 'refused');
        throw error;
      }
    };
  return {
    kind: keys.kind,
    wrapDataKey: timed('wrapDataKey', (plaintext, context) => keys.wrapDataKey(plaintext, context)),
    unwrapDataKey: timed('unwrapDataKey', (wrapped, context) => keys.unwrapDataKey(wrapped, context)),
    generateDataKey: timed('generateDataKey', (context) => keys.generateDataKey(context)),
    rewrapDataKey: timed('rewrapDataKey', (wrapped, context) => keys.rewrapDataKey(wrapped, context)),
    rewrapDataKeys: timed('rewrapDataKeys', (items) => keys.rewrapDataKeys(items)),
    rotate: timed('rotate', () => keys.rotate()),
    advanceMinDecryptionVersion: timed('advanceMinDecryptionVersion', (version) => keys.advanceMinDecryptionVersion(version)),
    blindIndexKeys: timed('blindIndexKeys', () => keys.blindIndexKeys()),
    rotateBlindIndexKey: timed('rotateBlindIndexKey', () => keys.rotateBlindIndexKey()),
    retireBlindIndexKeys: timed('retireBlindIndexKeys', (version) => keys.retireBlindIndexKeys(version)),
    probe: timed('probe', () => keys.probe()),
    keyVersions: timed('keyVersions', () => keys.keyVersions()),
  };
}
