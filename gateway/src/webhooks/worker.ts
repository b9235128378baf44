import { randomUUID } from 'node:crypto';
import type { Database } from '../db/index.js';
import { KeyManagerUnavailable } from '../errors.js';
import type { KeyManager } from '../keys/index.js';
import { errorSummary, type Logger } from '../observability/index.js';
import { createWakeableSleep, givesUp, retryDelayMs, type RetryPolicy } from '../outbox/index.js';
import type { OutboundResult, OutboundTarget } from './outbound.js';
import { createSecretCache } from './secret-cache.js';
import { signedHeaders } from './sign.js';
import { claimCallbacks, settleCallback, type CallbackOutcome, type ClaimedCallback } from './store.js';

/** What became of one attempt, per endpoint: `gateway_webhook_deliveries_total{endpoint, outcome}`. */
export type CallbackAttemptOutcome = 'delivered' | 'retry' | 'dead' | 'release';

export interface CallbackWorkerDeps {
  db: Database;
  keys: Pick<KeyManager, 'unwrapDataKey'>;
  /** False while the key manager guard finds it down: nothing is claimed, nothing is sent, no opened secret is kept. */
  keyManagerAvailable: () => boolean;
  client: { send(target: OutboundTarget, request: { headers: Record<string, string>; body: string }): Promise<OutboundResult> };
  policy: RetryPolicy;
  concurrency: number;
  /** Of the `concurrency` sends, at most this many to one endpoint. */
  perEndpoint: number;
  leaseSeconds: number;
  pollMs: number;
  log: Logger;
  onAttempt?: (endpointId: string, outcome: CallbackAttemptOutcome) => void;
  clock?: () => number;
}

/**
 * Delivers status callbacks, apart from the SI-DEP relay (its own claims and concurrency, so a
 * slow endpoint never holds an SI-DEP send): up to `concurrency` sends in flight, at most
 * `perEndpoint` of them to one endpoint, retried with full jitter, dead-lettered after
 * `maxAttempts` or `maxAgeMs`. An endpoint's secrets are opened through the key manager and kept
 * a minute (`secret-cache.ts`), only while its guard passes: when the guard fails, every opened
 * secret is dropped, the claim is given back and nothing is sent.
 */
export function createCallbackWorker(deps: CallbackWorkerDeps) {
  const now = deps.clock ?? Date.now;
  let running = false;
  let loop: Promise<void> | undefined;
  const pause = createWakeableSleep();
  const inFlight = new Set<Promise<void>>();
  const sending = new Map<string, number>();
  const secretCache = createSecretCache({ keys: deps.keys, clock: now });

  /** Fail closed: an opened secret serves only while the guard passes, and is forgotten when it fails. */
  function keyManagerAvailable(): boolean {
    if (deps.keyManagerAvailable()) return true;
    secretCache.clear();
    return false;
  }

  async function outcomeOf(c: ClaimedCallback): Promise<CallbackOutcome> {
    let secrets: Buffer[];
    try {
      if (!keyManagerAvailable()) throw new KeyManagerUnavailable();
      secrets = await secretCache.open(c.endpoint, new Date(now()));
    } catch (error) {
      if (error instanceof KeyManagerUnavailable) return { kind: 'release', code: 'key-manager-unavailable' };
      throw error;
    }
    const body = JSON.stringify(c.payload);
    const target = { url: c.endpoint.url, ...(c.endpoint.ca_pem ? { caPem: c.endpoint.ca_pem } : {}), allowNetworks: c.endpoint.allow_networks };
    const sent = await deps.client.send(target, { headers: signedHeaders(secrets, c.id, new Date(now()), body), body });
    if (sent.kind === 'delivered') return { kind: 'delivered' };
    if (sent.kind === 'refused') return { kind: 'dead', code: sent.code };
    const gaveUp = givesUp(deps.policy, c.attempts, c.createdAt, now());
    if (gaveUp) return { kind: 'dead', code: gaveUp };
    return { kind: 'retry', code: sent.code, delayMs: retryDelayMs(deps.policy, c.attempts, sent.retryAfterMs) };
  }

  async function deliver(c: ClaimedCallback): Promise<void> {
    try {
      const outcome = await outcomeOf(c);
      if (await settleCallback(deps.db, c, outcome)) deps.onAttempt?.(c.endpointId, outcome.kind);
    } catch (error) {
      // The lease runs out and the event is claimed again: at least once, same webhook-id.
      deps.log.error({ err: errorSummary(error), webhookId: c.id }, 'status callback attempt failed');
    }
  }

  async function run(): Promise<void> {
    while (running) {
      const room = deps.concurrency - inFlight.size;
      let claimed: ClaimedCallback[] = [];
      if (room > 0 && keyManagerAvailable()) {
        try {
          claimed = await claimCallbacks(deps.db, { limit: room, perEndpoint: deps.perEndpoint, sending, leaseSeconds: deps.leaseSeconds, leaseToken: randomUUID() });
        } catch (error) {
          deps.log.error({ err: errorSummary(error) }, 'status callbacks could not be claimed');
        }
      }
      for (const c of claimed) {
        sending.set(c.endpointId, (sending.get(c.endpointId) ?? 0) + 1);
        const send = deliver(c).finally(() => {
          const left = (sending.get(c.endpointId) ?? 1) - 1;
          if (left > 0) sending.set(c.endpointId, left);
          else sending.delete(c.endpointId);
          inFlight.delete(send);
          pause.wake();
        });
        inFlight.add(send);
      }
      // full (a finished send wakes it) or nothing more due: wait
      if (running && (room <= 0 || claimed.length < room)) await pause.sleep(deps.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Claims at once instead of at the next poll. */
    wake: pause.wake,
    async stop() {
      running = false;
      pause.wake();
      await loop;
      await Promise.all(inFlight);
    },
  };
}

export type CallbackWorker = ReturnType<typeof createCallbackWorker>;
