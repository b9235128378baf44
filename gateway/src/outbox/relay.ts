import { randomUUID } from 'node:crypto';
import type { Database } from '../db/index.js';
import { KeyManagerUnavailable } from '../errors.js';
import type { SidepAdapter } from '../sidep/index.js';
import { errorSummary, type Logger, type Metrics } from '../observability/index.js';
import { claim, deadLetter, markDelivered, releaseClaim, scheduleRetry, type ClaimedMessage } from '../results/lifecycle/index.js';
import { givesUp, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { createBatcher } from './batcher.js';

export interface RelayDeps {
  db: Database;
  sidep: SidepAdapter;
  /** Opens the sealed result and builds the SI-DEP message (FHIR Bundle). */
  buildMessage: (m: ClaimedMessage) => Promise<unknown>;
  policy: RetryPolicy;
  metrics: Metrics;
  log: Logger;
  batchSize: number;
  concurrency: number;
  leaseSeconds: number;
  pollMs: number;
  clock?: () => number;
}

/**
 * Delivers outbox messages to SI-DEP. Wakes on `wake()` (this replica's commits) and otherwise
 * polls every `pollMs` (other replicas' commits), keeps up to `concurrency` sends in flight,
 * and settles each message under its lease. Any number of replicas can run one.
 */
export function createRelay(deps: RelayDeps) {
  const now = deps.clock ?? Date.now;
  let running = false;
  let inFlight = 0;
  // Claimed ahead, up to one refill: a freed slot takes the next message at once instead of
  // idling through a claim's round trip (a third of the time at 64 sends in flight). Waiting
  // here costs at most one send timeout (10 s), well inside the lease (60 s).
  const ready: ClaimedMessage[] = [];
  // acknowledged by SI-DEP, not yet written: bounded, so a slow database slows the sends
  let pendingAcks = 0;
  let wakeUp: (() => void) | undefined;
  // a wake that arrives while the loop is busy claiming must not be lost
  let woken = false;
  let loop: Promise<void> | undefined;
  const settled = new Set<Promise<void>>();
  // ≤ 10 ms more latency buys one round trip per batch of deliveries instead of one transaction each
  const acknowledged = createBatcher<{ m: ClaimedMessage; ackId: string }>(
    async (acks) => {
      const done = await markDelivered(deps.db, acks);
      for (const { m } of acks) {
        if (!done.has(m.id)) continue;
        deps.metrics.deliveries.inc({ outcome: 'delivered' });
        deps.metrics.commitToDelivered.observe((now() - m.createdAt.getTime()) / 1000);
      }
    },
    { maxSize: 64, maxWaitMs: 10 },
  );

  function sleep(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
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

  async function deliver(m: ClaimedMessage): Promise<void> {
    let bundle: unknown;
    try {
      bundle = await deps.buildMessage(m);
    } catch (e) {
      if (e instanceof KeyManagerUnavailable) {
        // fail closed: nothing is sent without the key manager; the message waits
        await releaseClaim(deps.db, m, 'key-manager-unavailable');
        return;
      }
      deps.log.error({ messageId: m.id, err: errorSummary(e) }, 'message could not be built');
      await deadLetter(deps.db, m, { code: 'message-build-failed' });
      deps.metrics.deadLetters.inc({ reason: 'message-build-failed' });
      return;
    }
    const answered = deps.metrics.sidepRequestDuration.startTimer();
    const outcome = await deps.sidep.send({ messageId: m.id, bundle });
    answered({ outcome: outcome.kind });
    switch (outcome.kind) {
      case 'accepted': {
        // The send's slot frees now, not once the acknowledgement is written with others (a slot
        // held through the batch wait and its write sends nothing). If the write fails, the
        // lease expires and the message is sent again: SI-DEP answers a repeated message id
        // with its first acknowledgement.
        track(acknowledged.add({ m, ackId: outcome.ackId }), () => pendingAcks--, 'acknowledgement not written; the lease will expire');
        pendingAcks++;
        return;
      }
      case 'retryable': {
        const gaveUp = givesUp(deps.policy, m.attempts, m.createdAt, now());
        if (gaveUp) {
          await deadLetter(deps.db, m, { code: gaveUp });
          deps.metrics.deliveries.inc({ outcome: 'dead-lettered' });
          deps.metrics.deadLetters.inc({ reason: gaveUp });
          return;
        }
        await scheduleRetry(deps.db, m, outcome.code, retryDelayMs(deps.policy, m.attempts, outcome.retryAfterMs));
        deps.metrics.deliveries.inc({ outcome: 'retry' });
        deps.metrics.retries.inc({ reason: outcome.code });
        return;
      }
      case 'rejected':
        return refused(m, outcome.httpStatus, outcome.issues);
    }
  }

  /** Keeps `work` for `stop()` to wait on; when it ends, `release` frees its slot and the loop wakes. */
  function track(work: Promise<void>, release: () => void, failure: string, messageId?: string): void {
    const p: Promise<void> = work
      .catch((e) => deps.log.error({ messageId, err: errorSummary(e) }, failure))
      .finally(() => {
        release();
        settled.delete(p);
        wake();
      });
    settled.add(p);
  }

  function dispatch(m: ClaimedMessage): void {
    inFlight++;
    track(deliver(m), () => {
      inFlight--;
      pump();
    }, 'delivery failed; the lease will expire', m.id);
  }

  function pump(): void {
    while (inFlight < deps.concurrency && ready.length > 0) dispatch(ready.shift() as ClaimedMessage);
  }

  function wake(): void {
    if (wakeUp) wakeUp();
    else woken = true;
  }

  // Refill by batches: a claim for each freed slot would cost one claim statement per message.
  const refill = Math.max(1, Math.floor(Math.min(deps.batchSize, deps.concurrency) / 4));

  async function run(): Promise<void> {
    while (running) {
      const waiting = inFlight + ready.length;
      const room = Math.min(deps.batchSize, deps.concurrency + refill - waiting, 2 * deps.concurrency - waiting - pendingAcks);
      if (room < refill) {
        await sleep(deps.pollMs);
        continue;
      }
      let claimed: ClaimedMessage[] = [];
      try {
        claimed = await claim(deps.db, { limit: room, leaseSeconds: deps.leaseSeconds, leaseToken: randomUUID() });
      } catch (e) {
        deps.log.warn({ err: errorSummary(e) }, 'claim failed; retrying');
      }
      ready.push(...claimed);
      pump();
      if (claimed.length < room) await sleep(deps.pollMs);
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops claiming, sends what it has claimed and waits for every send and acknowledgement to settle. */
    async stop(): Promise<void> {
      running = false;
      wake();
      await loop;
      // each settled send dispatches a claimed-ahead message in its place
      while (settled.size > 0) await Promise.allSettled([...settled]);
    },
    /** After a local commit: look for work now rather than at the next poll. */
    wake,
  };
}

export type Relay = ReturnType<typeof createRelay>;
