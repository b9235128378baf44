import type { Context } from 'hono';
import type { AuditEvent } from '../audit/index.js';
import { type GatewayError, RateLimited, Unauthenticated } from '../errors.js';
import { errorSummary, type Logger } from '../observability/index.js';
import type { AppEnv } from './env.js';
import { clientAddress, sourceIp } from './middleware.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Why a request failed authentication: `no-session` (no credential at all: the UI asks `/me`
 * before every sign-in), `unauthenticated` (a certificate or session token that names no one),
 * `session-expired`.
 */
export type RefusalReason = 'no-session' | 'unauthenticated' | 'session-expired';

export interface Refusal {
  /** Anonymous (on intake, with our prefix of the certificate's fingerprint), or the user of an expired session. */
  actor: AuditEvent['actor'];
  reason: RefusalReason;
}

/** How many requests one audit event stands for, in its object (`request-count`, decimal). */
export const REQUEST_COUNT_OBJECT = 'request-count';

/** Beyond this many tallies in memory, new sources are counted together (about 300 B each: 3 MB). */
const MAX_TALLIES = 10_000;
/** Closed minutes are written within this long. */
const FLUSH_MS = 5_000;
const MINUTE_MS = 60_000;

interface Tally {
  minute: number;
  event: AuditEvent;
  /** Refusals counted since the event was last written. */
  unwritten: number;
}

/**
 * Requests that fail authentication, on intake and web: each takes a token of its client
 * address's bucket before anything is audited (past it, 429), and they are audited as one event
 * per source, actor, reason and minute, carrying the count: the first refusal writes it at once
 * (count 1), the rest of the minute are written when the minute closes, or on stop. A request
 * without any credential within its address's allowance is not audited (it is a person not yet
 * signed in), only counted by the failures metric. Authenticated traffic never comes here, so
 * many pharmacies behind one address are never throttled by it. Memory is bounded: past
 * `maxTallies`, new sources of a minute share one tally without an address.
 * @example throw await refused.refuse(c, { actor: { type: 'anonymous' }, reason: 'no-session' });
 */
export function createRefusedTraffic(o: {
  /** Per client address: `unauthenticated.perMinute`, `unauthenticated.burst`. */
  limiter: RateLimiter;
  /** Appends audit events, failing closed (`appendAuditNow`). */
  append: (events: AuditEvent[]) => Promise<void>;
  log: Logger;
  maxTallies?: number;
}) {
  const maxTallies = o.maxTallies ?? MAX_TALLIES;
  const tallies = new Map<string, Tally>();
  let timer: NodeJS.Timeout | undefined;

  /** Writes the unwritten counts of closed minutes (every minute when `all`); keeps them on failure for the next try. */
  async function flush(all: boolean): Promise<void> {
    const current = Math.floor(Date.now() / MINUTE_MS);
    const due: [string, Tally][] = [];
    for (const [key, t] of tallies) {
      if (!all && t.minute >= current) continue;
      tallies.delete(key);
      if (t.unwritten > 0) due.push([key, t]);
    }
    if (due.length === 0) return;
    try {
      await o.append(due.map(([, t]) => ({ ...t.event, object: { type: REQUEST_COUNT_OBJECT, id: String(t.unwritten) } })));
    } catch (e) {
      o.log.error({ events: due.length, err: errorSummary(e) }, 'refused requests could not be audited; retrying');
      for (const [key, t] of due) {
        const later = tallies.get(key);
        if (later) later.unwritten += t.unwritten;
        else tallies.set(key, t);
      }
    }
  }

  return {
    /**
     * Records a request refused authentication; gives the error to answer it with (429 past
     * the address's allowance, else 401). Throws `AuditUnavailable` when the minute's first
     * event cannot be written.
     */
    async refuse<E extends AppEnv>(c: Context<E>, refusal: Refusal): Promise<GatewayError> {
      c.set('refusal', refusal.reason);
      const wait = o.limiter.take(clientAddress(c));
      const error = wait > 0 ? new RateLimited(Math.ceil(wait)) : new Unauthenticated();
      if (wait === 0 && refusal.reason === 'no-session') return error;
      const reason = wait > 0 ? 'rate-limited' : refusal.reason;
      const minute = Math.floor(Date.now() / MINUTE_MS);
      const source = sourceIp(c);
      let key = [minute, source, refusal.actor.type, refusal.actor.id ?? '', reason].join(' ');
      let event: AuditEvent = { actor: refusal.actor, action: 'authenticate', outcome: 'denied', reason, sourceIp: source };
      if (!tallies.has(key) && tallies.size >= maxTallies) {
        key = [minute, '*', reason].join(' ');
        event = { actor: { type: 'anonymous' }, action: 'authenticate', outcome: 'denied', reason };
      }
      const tally = tallies.get(key);
      if (tally) {
        tally.unwritten += 1;
        return error;
      }
      tallies.set(key, { minute, event, unwritten: 0 });
      await o.append([{ ...event, object: { type: REQUEST_COUNT_OBJECT, id: '1' }, requestId: c.get('requestId') }]);
      return error;
    },
    /** Tallies held now (tests: the bound). */
    size: (): number => tallies.size,
    start(): void {
      timer = setInterval(() => void flush(false), FLUSH_MS);
      timer.unref();
    },
    /** Writes every count still unwritten, the current minute's included. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await flush(true);
    },
  };
}

export type RefusedTraffic = ReturnType<typeof createRefusedTraffic>;
