import { randomUUID } from 'node:crypto';
import type { Database } from '../db/index.js';
import { KeyManagerUnavailable } from '../errors.js';
import type { KeyManager } from '../keys/index.js';
import { errorSummary, type Logger } from '../observability/index.js';
import { givesUp, retryDelayMs, type RetryPolicy } from '../outbox/index.js';
import type { OutboundResult, OutboundTarget } from './outbound.js';
import { openSecrets } from './secrets.js';
import { signedHeaders } from './sign.js';
import { claimCallbacks, settleCallback, type CallbackOutcome, type ClaimedCallback } from './store.js';

/** What became of one attempt, per endpoint: `gateway_webhook_deliveries_total{endpoint, outcome}`. */
export type CallbackAttemptOutcome = 'delivered' | 'retry' | 'dead' | 'release';

export interface CallbackWorkerDeps {
  db: Database;
  keys: Pick<KeyManager, 'unwrapDataKey'>;
  /** False while the key manager guard finds it down: nothing is claimed, nothing is sent. */
  keyManagerAvailable: () => boolean;
  client: { send(target: OutboundTarget, request: { headers: Record<string, string>; body: string }): Promise<OutboundResult> };
  policy: RetryPolicy;
  concurrency: number;
  leaseSeconds: number;
  pollMs: number;
  log: Logger;
  onAttempt?: (endpointId: string, outcome: CallbackAttemptOutcome) => void;
  clock?: () => number;
}

/**
 * Delivers status callbacks, apart from the SI-DEP relay (its own claims and concurrency, so a
 * slow endpoint never holds an SI-DEP send): up to `concurrency` sends in flight, retried with
 * full jitter, dead-lettered after `maxAttempts` or `maxAgeMs`. Secrets are opened through the
 * key manager at each send: when it cannot answer, the claim is given back and nothing is sent.
 */
export function createCallbackWorker(deps: CallbackWorkerDeps) {
  const now = deps.clock ?? Date.now;
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function outcomeOf(c: ClaimedCallback): Promise<CallbackOutcome> {
    let secrets: Buffer[];
    try {
      secrets = await openSecrets(deps.keys, c.endpoint, new Date(now()));
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
      if (room > 0 && deps.keyManagerAvailable()) {
        try {
          claimed = await claimCallbacks(deps.db, { limit: room, leaseSeconds: deps.leaseSeconds, leaseToken: randomUUID() });
        } catch (error) {
          deps.log.error({ err: errorSummary(error) }, 'status callbacks could not be claimed');
        }
      }
      for (const c of claimed) {
        const sending = deliver(c).finally(() => {
          inFlight.delete(sending);
          wakeUp?.();
        });
        inFlight.add(sending);
      }
      // full (a finished send wakes it) or nothing more due: wait
      if (running && (room <= 0 || claimed.length < room)) await sleep(deps.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Claims at once instead of at the next poll. */
    wake() {
      wakeUp?.();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      await Promise.all(inFlight);
    },
  };
}

export type CallbackWorker = ReturnType<typeof createCallbackWorker>;
