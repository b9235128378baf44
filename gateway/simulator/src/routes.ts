import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseJson } from '@sidep-gateway/gateway/sidep/index.js';
import { checkTransactionBundle } from './message-check.js';
import { faultsSchema, type FaultPlan, type InjectedFailure } from './faults.js';
import type { Journal } from './journal.js';

/** Counters served by `GET /_control/stats`. */
export interface SimulatorStats {
  /** Messages received on `POST /fhir`, resets included. */
  requests: number;
  accepted: number;
  /** Repeats of an accepted message id, answered with its first acknowledgement. */
  replayed: number;
  /** Refused for their content: 400 (not FHIR R4), 415, 422 (SI-DEP's rules, `rejectWhen` included). */
  rejected: number;
  /** Answered by `failNext` or `errorRate`. */
  injectedFailures: number;
  /** Answered 429 above `ratePerSecond`. */
  throttled: number;
  /** Connections reset during an `outageUntil` window. */
  resets: number;
}

export interface SimulatorRouteDeps {
  journal: Journal;
  faults: FaultPlan;
  stats: SimulatorStats;
}

/** Larger than any single result's Bundle; refuses pathological bodies early. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Fixed text on simulated failures, so tests can check that clients drop `diagnostics`. */
const INJECTED = 'Fault injected by the SI-DEP simulator.';

interface Issue {
  code: string;
  expression?: string[];
  diagnostics?: string;
}

/**
 * SI-DEP's FHIR endpoint (`POST /fhir`, a transaction, checked against the contract version
 * staged with the faults) and the simulator's control API
 * (`/_control/faults`, `/_control/journal`, `/_control/stats`), as one Hono app.
 */
export function createSimulatorRoutes(deps: SimulatorRouteDeps): Hono {
  const { journal, faults, stats } = deps;
  const app = new Hono();
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => outcome(413, [{ code: 'too-costly' }]) });

  app.post('/fhir', limit, async (c) => {
    stats.requests += 1;
    await sleep(faults.latencyMs());
    const retryAfterSeconds = faults.throttle();
    if (retryAfterSeconds !== undefined) {
      stats.throttled += 1;
      return injectedFailure({ status: 429, retryAfterSeconds });
    }
    const failure = faults.nextFailure();
    if (failure !== undefined) {
      stats.injectedFailures += 1;
      return injectedFailure(failure);
    }
    if (!/^application\/(fhir\+)?json\b/.test(c.req.header('content-type') ?? '')) {
      stats.rejected += 1;
      return outcome(415, [{ code: 'not-supported' }]);
    }
    const check = checkTransactionBundle(parseJson(await c.req.text()), c.req.header('idempotency-key'), Date.now(), faults.contract());
    if (!check.ok) {
      stats.rejected += 1;
      return outcome(check.kind === 'structure' ? 400 : 422, check.issues);
    }
    const { messageId, observation, entryCount } = check.facts;
    // A repeat replays its first answer even if a rejection rule was staged since.
    const rejection = journal.find(messageId) === undefined ? faults.rejection(observation.loinc) : undefined;
    if (rejection !== undefined) {
      stats.rejected += 1;
      if (rejection.outcome !== undefined) return fhirResponse(rejection.status, rejection.outcome);
      const expression = [`${observation.path}.resource.code`];
      return outcome(rejection.status, [{ code: 'business-rule', expression, diagnostics: INJECTED }]);
    }
    const entry = await journal.record({
      messageId,
      ackId: randomUUID(),
      receivedAt: new Date().toISOString(),
      observationStatus: observation.status,
      contractVersion: contractVersionOf(c.req.header('x-sidep-contract-version')),
    });
    const first = entry.count === 1;
    if (first) stats.accepted += 1;
    else stats.replayed += 1;
    return fhirResponse(first ? 201 : 200, transactionResponse(entry.ackId, entryCount, first));
  });

  app.post('/_control/faults', limit, async (c) => {
    const parsed = faultsSchema.safeParse(parseJson(await c.req.text()));
    if (!parsed.success) {
      return c.json({ error: 'invalid-faults', paths: parsed.error.issues.map((i) => i.path.join('.')) }, 400);
    }
    faults.replace(parsed.data);
    return c.body(null, 204);
  });
  app.get('/_control/journal', (c) => c.json(journal.list()));
  app.delete('/_control/journal', async (c) => {
    await journal.clear();
    return c.body(null, 204);
  });
  app.get('/_control/stats', (c) => c.json({ ...stats, journalEntries: journal.list().length }));

  app.notFound(() => outcome(404, [{ code: 'not-found' }]));
  app.onError((error) => {
    console.error('SI-DEP simulator failed on a request:', error.name, error.message);
    return outcome(500, [{ code: 'exception' }]);
  });
  return app;
}

/** A version token as the journal keeps it: anything else the client sent is dropped. */
function contractVersionOf(header: string | undefined): string | null {
  return header !== undefined && /^[\w.-]{1,32}$/.test(header) ? header : null;
}

function injectedFailure({ status, retryAfterSeconds }: InjectedFailure): Response {
  const code = status === 429 ? 'throttled' : status >= 500 ? 'transient' : 'processing';
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return outcome(status, [{ code, diagnostics: INJECTED }], headers);
}

function outcome(status: number, issues: Issue[], headers: Record<string, string> = {}): Response {
  const issue = issues.map((i) => ({ severity: 'error', ...i }));
  return fhirResponse(status, { resourceType: 'OperationOutcome', issue }, headers);
}

/** FHIR R4 transaction-response: one entry per request entry; its `id` is the acknowledgement. */
function transactionResponse(ackId: string, entryCount: number, created: boolean): object {
  const response = { status: created ? '201 Created' : '200 OK' };
  return { resourceType: 'Bundle', id: ackId, type: 'transaction-response', entry: Array.from({ length: entryCount }, () => ({ response })) };
}

function fhirResponse(status: number, resource: object, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(resource), {
    status,
    headers: { 'content-type': 'application/fhir+json', ...headers },
  });
}
