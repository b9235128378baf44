import { randomUUID } from 'node:crypto';
import type { Database } from '../db/index.js';
import { KeyManagerUnavailable } from '../errors.js';
import type { SidepAdapter } from '../sidep/index.js';
import { errorSummary, type Logger, type Metrics } from '../observability/index.js';
import { claim, deadLetter, markDelivered, redrive, refusedSince, releaseClaim, scheduleRetry, type ClaimedMessage } from '../results/lifecycle/index.js';
import type { RejectionIssue } from '../sidep/index.js';
import { givesUp, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { createBatcher } from './batcher.js';
import { createSendGate } from './send-gate.js';
import { createWakeableSleep } from './wakeable-sleep.js';
import { closeContractCircuit, endStreak, pausedMsSince, readContractCircuit, recordRefusal, type ContractCircuitState } from './contract-circuit.js';
import { rejectionSignature, supersedesContract, type ContractCircuitSettings } from './contract-streak.js';

const RELAY_ACTOR = { type: 'system', id: 'relay' } as const;
/** A 429 without `Retry-After` holds the sends this long (the shortest delay-seconds). */
const THROTTLE_PAUSE_MS = 1_000;

export interface RelayDeps {
  db: Database;
  sidep: SidepAdapter;
  /** Opens the sealed result and builds the SI-DEP message (FHIR Bundle). */
  buildMessage: (m: ClaimedMessage) => Promise<unknown>;
  /** The keyed digest of a message as sent, kept for its receipt (`receipts/digest.ts`). */
  deliveredDigest: (bundle: unknown) => string;
  policy: RetryPolicy;
  /** When SI-DEP refusing one shape stops the sends (outbox/contract-circuit.ts). */
  contract: ContractCircuitSettings;
  metrics: Metrics;
  log: Logger;
  batchSize: number;
  concurrency: number;
  leaseSeconds: number;
  pollMs: number;
  /** SI-DEP's quota (`relay.maxSendsPerSecond`); unset, only `Retry-After` paces the sends. */
  maxSendsPerSecond?: number | undefined;
  /** The longest `Retry-After` held (`relay.maxRetryAfterSeconds`). */
  maxRetryAfterMs: number;
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
  // SI-DEP's Retry-After and quota: while it says wait, claimed messages wait in `ready`
  const gate = createSendGate({ ratePerSecond: deps.maxSendsPerSecond, clock: now });
  let gateTimer: NodeJS.Timeout | undefined;
  // a wake that arrives while the loop is busy claiming is kept for its next sleep
  const pause = createWakeableSleep();
  let loop: Promise<void> | undefined;
  const settled = new Set<Promise<void>>();
  // The contract circuit as last read, at most every `pollMs`: while open, nothing is sent.
  let circuit: ContractCircuitState = { open: undefined, streaking: false };
  let circuitReadAt = -Infinity;
  // ≤ 10 ms more latency buys one round trip per batch of deliveries instead of one transaction each
  const acknowledged = createBatcher<{ m: ClaimedMessage; ackId: string; digest: string }>(
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

  /** Reads the shared circuit (closing it if this gateway speaks a later contract version); whether it is open. */
  async function contractPaused(): Promise<boolean> {
    if (now() - circuitReadAt < deps.pollMs) return circuit.open !== undefined;
    circuitReadAt = now();
    try {
      circuit = await readContractCircuit(deps.db);
      if (circuit.open !== undefined && supersedesContract(deps.sidep.contractVersion, circuit.open.contractVersion)) {
        // a gateway of a later contract version runs: the fix the circuit waited for is deployed
        await closeContractCircuit(deps.db, { reason: 'redeploy', actor: RELAY_ACTOR });
        deps.log.info({ contractVersion: deps.sidep.contractVersion }, 'SI-DEP contract circuit closed by a later contract version');
        circuit = { open: undefined, streaking: false };
      }
    } catch (e) {
      deps.log.warn({ err: errorSummary(e) }, 'SI-DEP contract circuit not read; keeping its last state');
    }
    deps.metrics.sidepContractCircuitOpen.set(circuit.open === undefined ? 0 : 1);
    return circuit.open !== undefined;
  }

  /**
   * A refusal, counted towards the contract circuit first. Once the circuit is open for its
   * signature the message is held in the queue rather than dead-lettered, and the streak's
   * dead letters go back there too: they are the contract's doing, not their results'. A refusal
   * of another shape stays an isolated dead letter.
   */
  async function refused(m: ClaimedMessage, httpStatus: number, issues: RejectionIssue[]): Promise<void> {
    const signature = rejectionSignature(httpStatus, issues);
    const refusal = await recordRefusal(deps.db, { signature, contractVersion: deps.sidep.contractVersion, settings: deps.contract });
    circuit = { open: refusal.open, streaking: true };
    if (refusal.opened) {
      deps.metrics.sidepContractCircuitOpen.set(1);
      deps.log.error({ signature, contractVersion: deps.sidep.contractVersion }, 'SI-DEP refuses a whole message shape: sends stop until `gateway outbox resume` or a later contract version');
    }
    if (refusal.open?.signature === signature) {
      await scheduleRetry(deps.db, m, 'sidep-contract-rejected', 0);
      deps.metrics.deliveries.inc({ outcome: 'retry' });
      if (refusal.opened) await requeueStreak(signature, refusal.streakStartedAt);
      return;
    }
    await deadLetter(deps.db, m, { code: 'sidep-rejected', httpStatus, issues });
    deps.metrics.deliveries.inc({ outcome: 'dead-lettered' });
    deps.metrics.deadLetters.inc({ reason: 'sidep-rejected' });
    // another replica may have opened the circuit since, without seeing this dead letter
    const open = (await readContractCircuit(deps.db)).open;
    if (open?.signature === signature) await requeueStreak(signature, refusal.streakStartedAt);
  }

  /** Puts the streak's dead letters (counted from `since`, before each was dead-lettered) back in the queue. */
  async function requeueStreak(signature: string, since: Date): Promise<void> {
    const streak = (await refusedSince(deps.db, since)).filter(
      ({ deadReason: r }) => r?.httpStatus !== undefined && rejectionSignature(r.httpStatus, r.issues ?? []) === signature,
    );
    if (streak.length > 0) await redrive(deps.db, { ids: streak.map((d) => d.id), actor: RELAY_ACTOR });
  }

  /** `givesUp`, not counting the time the contract circuit held the queue against `relay.maxAge`. */
  async function giveUpReason(m: ClaimedMessage): Promise<ReturnType<typeof givesUp>> {
    const reason = givesUp(deps.policy, m.attempts, m.createdAt, now());
    if (reason !== 'max-age') return reason;
    const paused = await pausedMsSince(deps.db, m.createdAt);
    return givesUp(deps.policy, m.attempts, new Date(m.createdAt.getTime() + paused), now());
  }

  async function deliver(m: ClaimedMessage): Promise<void> {
    if (circuit.open !== undefined) {
      // claimed ahead before the circuit opened: back to the queue, attempt not counted
      await releaseClaim(deps.db, m, 'sidep-contract-rejected');
      return;
    }
    let bundle: unknown;
    let digest: string;
    try {
      bundle = await deps.buildMessage(m);
      // before the send: without the key, nothing is sent that its receipt could not state
      digest = deps.deliveredDigest(bundle);
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
        track(acknowledged.add({ m, ackId: outcome.ackId, digest }), () => pendingAcks--, 'acknowledgement not written; the lease will expire');
        pendingAcks++;
        if (circuit.streaking) {
          // refusals interleaved with acceptances are not a contract change
          circuit = { ...circuit, streaking: false };
          track(endStreak(deps.db), () => undefined, 'refusal streak not ended');
        }
        return;
      }
      case 'retryable': {
        // SI-DEP's Retry-After (a quota, an overload) holds every send, not only this message's
        const throttled = outcome.code === 'http-429';
        if (throttled) deps.metrics.sidepThrottled.inc();
        // asked again after `maxRetryAfterMs` at most, SI-DEP throttles again if it meant longer
        const retryAfterMs = outcome.retryAfterMs === undefined ? undefined : Math.min(outcome.retryAfterMs, deps.maxRetryAfterMs);
        if (throttled || retryAfterMs !== undefined) gate.pauseUntil(now() + (retryAfterMs ?? THROTTLE_PAUSE_MS));
        const gaveUp = await giveUpReason(m);
        if (gaveUp) {
          await deadLetter(deps.db, m, { code: gaveUp });
          deps.metrics.deliveries.inc({ outcome: 'dead-lettered' });
          deps.metrics.deadLetters.inc({ reason: gaveUp });
          return;
        }
        await scheduleRetry(deps.db, m, outcome.code, retryDelayMs(deps.policy, m.attempts, retryAfterMs), throttled ? 'throttled' : 'counted');
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
    while (inFlight < deps.concurrency && ready.length > 0) {
      const waitMs = gate.take();
      // held past half their lease, they would be claimed again elsewhere: back to the queue
      if (waitMs > (deps.leaseSeconds * 1000) / 2) return giveBack('sidep-retry-after');
      if (waitMs > 0) {
        gateTimer ??= setTimeout(() => {
          gateTimer = undefined;
          pump();
        }, waitMs);
        return;
      }
      dispatch(ready.shift() as ClaimedMessage);
    }
  }

  /** Gives the claimed-ahead messages back to the queue, attempt not counted. */
  function giveBack(code: string): void {
    for (const m of ready.splice(0)) track(releaseClaim(deps.db, m, code).then(() => undefined), () => undefined, 'claim not given back; the lease will expire', m.id);
  }

  function wake(): void {
    pause.wake();
  }

  // Refill by batches: a claim for each freed slot would cost one claim statement per message.
  const refill = Math.max(1, Math.floor(Math.min(deps.batchSize, deps.concurrency) / 4));

  async function run(): Promise<void> {
    while (running) {
      const waiting = inFlight + ready.length;
      const room = Math.min(deps.batchSize, deps.concurrency + refill - waiting, 2 * deps.concurrency - waiting - pendingAcks);
      if (room < refill) {
        await pause.sleep(deps.pollMs);
        continue;
      }
      if (gate.pausedForMs() > 0) {
        // no claim while SI-DEP's Retry-After holds the sends
        await pause.sleep(Math.min(gate.pausedForMs(), deps.pollMs));
        continue;
      }
      if (await contractPaused()) {
        await pause.sleep(deps.pollMs);
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
      if (claimed.length < room) await pause.sleep(deps.pollMs);
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops claiming, sends what it has claimed (gives back what SI-DEP's `Retry-After` holds) and waits for every send and acknowledgement to settle. */
    async stop(): Promise<void> {
      running = false;
      wake();
      await loop;
      // each settled send dispatches a claimed-ahead message in its place
      while (settled.size > 0) await Promise.allSettled([...settled]);
      // held back by SI-DEP's Retry-After or quota: back to the queue rather than left to their lease
      clearTimeout(gateTimer);
      giveBack('relay-stopped');
      while (settled.size > 0) await Promise.allSettled([...settled]);
    },
    /** After a local commit: look for work now rather than at the next poll. */
    wake,
  };
}

export type Relay = ReturnType<typeof createRelay>;
