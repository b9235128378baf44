import { z } from 'zod';
import { createRateLimiter, type RateLimiter } from '@sidep-gateway/gateway/http/rate-limit.js';

/**
 * The failures the simulator can be told to stage (`POST /_control/faults`). A new set
 * replaces the previous one; `{}` clears them all.
 */
export const faultsSchema = z.strictObject({
  /**
   * The SI-DEP contract version enforced, default `1`; `2` also requires the Observation's
   * `method`, which contract 1 messages do not carry (a contract change on SI-DEP's side).
   */
  contract: z.literal(['1', '2']).optional(),
  /** Share of messages answered 503, 0..1. */
  errorRate: z.number().min(0).max(1).optional(),
  /**
   * SI-DEP's quota: messages beyond this many a second (a bucket one second deep) are answered
   * 429 with `Retry-After`, the seconds until the bucket holds one again.
   */
  ratePerSecond: z.number().int().min(1).max(100_000).optional(),
  /** Delay before every answer. */
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** Until this instant, message connections are reset without an HTTP answer. */
  outageUntil: z.iso.datetime({ offset: true }).optional(),
  /** The next `count` messages get `status`, with `Retry-After` when given. */
  failNext: z
    .strictObject({
      count: z.number().int().min(1).max(100_000),
      status: z.number().int().min(400).max(599),
      retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
    })
    .optional(),
  /**
   * Valid messages (with this Observation LOINC code, if given) are refused; with `outcome`, that
   * body is the answer as given, so that tests can plant values where a client must keep none.
   */
  rejectWhen: z
    .strictObject({
      loinc: z.string().min(1).optional(),
      status: z.literal([400, 422]),
      outcome: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export type Faults = z.infer<typeof faultsSchema>;
export type ContractVersion = NonNullable<Faults['contract']>;

/** How to refuse a valid message: the status, and the body to answer if one was staged. */
export interface StagedRejection {
  status: 400 | 422;
  outcome?: Record<string, unknown>;
}

/** An HTTP failure to answer instead of processing the message. */
export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
}

/** The staged faults and the decisions they lead to, one message at a time. */
export interface FaultPlan {
  replace(faults: Faults): void;
  isOutage(now: number): boolean;
  latencyMs(): number;
  /** Takes one message from the `ratePerSecond` quota: undefined when it fits, else the `Retry-After` seconds. */
  throttle(): number | undefined;
  contract(): ContractVersion;
  /** Consumes one `failNext` if any is left, else rolls `errorRate`. */
  nextFailure(): InjectedFailure | undefined;
  /** How to refuse a valid message, if `rejectWhen` matches it. */
  rejection(loinc: string): StagedRejection | undefined;
}

/**
 * Holds the current fault set.
 *
 * @example
 * const plan = createFaultPlan();
 * plan.replace({ failNext: { count: 3, status: 503 } });
 * plan.nextFailure(); // { status: 503 }
 */
export function createFaultPlan(random: () => number = Math.random, clock: () => number = Date.now): FaultPlan {
  let faults: Faults = {};
  let failNextLeft = 0;
  let quota: RateLimiter | undefined;
  return {
    replace(next) {
      faults = next;
      failNextLeft = next.failNext?.count ?? 0;
      quota = next.ratePerSecond === undefined ? undefined : createRateLimiter({ ratePerSecond: next.ratePerSecond, burst: next.ratePerSecond, clock });
    },
    isOutage: (now) => faults.outageUntil !== undefined && now < Date.parse(faults.outageUntil),
    latencyMs: () => faults.latencyMs ?? 0,
    throttle() {
      const waitS = quota?.take('sidep') ?? 0;
      // delay-seconds is a whole number (RFC 9110 §10.2.3): at least 1, or the client retries at once
      return waitS > 0 ? Math.max(1, Math.ceil(waitS)) : undefined;
    },
    contract: () => faults.contract ?? '1',
    nextFailure() {
      if (faults.failNext !== undefined && failNextLeft > 0) {
        failNextLeft -= 1;
        const { status, retryAfterSeconds } = faults.failNext;
        return retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds };
      }
      return faults.errorRate !== undefined && random() < faults.errorRate ? { status: 503 } : undefined;
    },
    rejection(loinc) {
      const rule = faults.rejectWhen;
      if (rule === undefined || (rule.loinc !== undefined && rule.loinc !== loinc)) return undefined;
      return rule.outcome === undefined ? { status: rule.status } : { status: rule.status, outcome: rule.outcome };
    },
  };
}
