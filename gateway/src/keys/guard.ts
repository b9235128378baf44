import { KeyManagerUnavailable } from '../errors.js';
import type { KeyManager } from './key-manager.js';
import { createProbeLoop } from '../observability/probe-loop.js';

/** The fail-closed switch in front of every use of key material. */
export interface KeyManagerGuard {
  /** Probes now, then every `probeIntervalMs` (the timer does not hold the process open). */
  start(): Promise<void>;
  stop(): void;
  /** One probe; never rejects: a failed probe only leaves the last success to age. */
  probeNow(): Promise<void>;
  /** To be called after every successful key-manager call. */
  recordSuccess(): void;
  isAvailable(): boolean;
  /** Throws `KeyManagerUnavailable` when the last success is older than `maxStalenessMs`. */
  assertAvailable(): void;
}

export interface KeyManagerGuardOptions {
  keys: Pick<KeyManager, 'probe'>;
  /** Milliseconds since the epoch; injectable so tests control time. */
  clock?: () => number;
  probeIntervalMs?: number;
  maxStalenessMs?: number;
}

/**
 * Intake and relay answer 503 `key-manager-unavailable` when the last successful key-manager
 * call or probe is older than 5 s (DESIGN, "Key manager and audit fail closed"), even while
 * cached data keys would still work: a revoked or sealed Vault must stop the gateway within
 * seconds, not when the cache expires.
 *
 * @example
 * const guard = createKeyManagerGuard({ keys });
 * await guard.start();
 * guard.assertAvailable(); // throws KeyManagerUnavailable once probes fail for 5 s
 */
export function createKeyManagerGuard({
  keys,
  clock = Date.now,
  probeIntervalMs = 2_000,
  maxStalenessMs = 5_000,
}: KeyManagerGuardOptions): KeyManagerGuard {
  let lastSuccessAt = Number.NEGATIVE_INFINITY;
  let lastProbeFailure: unknown;

  function recordSuccess(): void {
    lastSuccessAt = clock();
    lastProbeFailure = undefined;
  }

  // A hanging probe is not stacked on: its age alone turns the guard unavailable.
  const loop = createProbeLoop(
    () =>
      keys.probe().then(recordSuccess, (failure: unknown) => {
        lastProbeFailure = failure;
      }),
    probeIntervalMs,
  );

  function isAvailable(): boolean {
    return clock() - lastSuccessAt <= maxStalenessMs;
  }

  return {
    ...loop,
    recordSuccess,
    isAvailable,
    assertAvailable() {
      if (!isAvailable()) throw new KeyManagerUnavailable({ cause: lastProbeFailure });
    },
  };
}
