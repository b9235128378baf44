import { KeyManagerUnavailable } from '../errors.js';

/** Lets calls through while the backend answers; fails fast for a while once it does not. */
export interface CircuitBreaker {
  /** Runs `call`, or throws `KeyManagerUnavailable` at once while the circuit is open. */
  run<T>(call: () => Promise<T>): Promise<T>;
  state(): 'closed' | 'open' | 'half-open';
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit; default 3. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call; default 1 s. */
  openMs?: number;
  /** Which errors are the backend failing (others, e.g. a bad ciphertext, pass untouched). */
  isFailure: (error: unknown) => boolean;
  clock?: () => number;
}

/**
 * A dead Vault must not be hammered by every request and relay worker (each would wait for its
 * own timeout): after `failureThreshold` consecutive backend failures, calls fail fast for
 * `openMs`; then one trial call decides. The availability guard probes every 2 s, so with the
 * default 1 s the probe is the trial and recovery is seen within one probe interval.
 *
 * @example
 * const breaker = createCircuitBreaker({ isFailure: (e) => e instanceof KeyManagerUnavailable });
 * const data = await breaker.run(() => vault.read('transit/keys/gateway-data'));
 */
export function createCircuitBreaker({
  failureThreshold = 3,
  openMs = 1_000,
  isFailure,
  clock = Date.now,
}: CircuitBreakerOptions): CircuitBreaker {
  let failures = 0;
  let openedAt: number | undefined;
  let trialPending = false;

  function state(): 'closed' | 'open' | 'half-open' {
    if (openedAt === undefined) return 'closed';
    return clock() - openedAt >= openMs && !trialPending ? 'half-open' : 'open';
  }

  return {
    state,
    async run(call) {
      const now = state();
      if (now === 'open') throw new KeyManagerUnavailable({ cause: new Error('circuit open: key manager failing') });
      if (now === 'half-open') trialPending = true;
      try {
        const result = await call();
        failures = 0;
        openedAt = undefined;
        return result;
      } catch (error) {
        if (isFailure(error)) {
          failures += 1;
          if (now === 'half-open' || failures >= failureThreshold) openedAt = clock();
        } else {
          // The backend answered (e.g. "cannot decrypt"): it is up.
          failures = 0;
          openedAt = undefined;
        }
        throw error;
      } finally {
        if (now === 'half-open') trialPending = false;
      }
    },
  };
}
