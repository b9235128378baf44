import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { openLocalKeyring } from '../../gateway/src/keys/index.js';
import { addEndpoint } from '../../gateway/src/webhooks/registry.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { startWebhookReceiver, type ReceivedCallback } from '../support/webhook-receiver.js';
import { PHARMACIES, startGatewayStack, type GatewayStack, type StackOptions } from './gateway-stack.js';

/** What one run came to; the first three must be 0. */
export interface RunOutcome {
  run: number;
  /** Results that got a 202. */
  acked: number;
  kills: number;
  /** Acked, never delivered. */
  lost: number;
  /** Delivered as two different messages, or a retried key answered with a second result id. */
  duplicated: number;
  /** Delivered, never acked. */
  unexpected: number;
  /** Status changes (deliveries) whose `result.delivered` callback the receiving software never got. */
  callbacksLost: number;
  /** Status changes it got under two different `webhook-id`s (the same id twice is at least once, not a duplicate). */
  callbacksDuplicated: number;
  /** Submissions refused with a 4xx (a retry must replay, never be refused). */
  refused: number;
  /** Submissions still without a 202 when the run gave up retrying them. */
  unacked: number;
  /** Gateway exits nobody caused (restarted as a supervisor would). */
  crashes: number;
  /** While the key manager was away: results stored anyway, plus probes not answered 503 (both must be 0). */
  keyManagerBreaches: number;
}

export interface CampaignOptions extends Omit<StackOptions, 'settings'> {
  /** How long clients submit while the gateway is being killed. */
  durationMs: number;
  clients: number;
  /** Restarts Postgres (the CLI owns its server; the test suite's is shared, so it passes none). */
  restartPostgres?: () => Promise<void>;
  /** Takes the key manager away for a while (≈ 9 s: the guard fails closed after 5 s). */
  keyManagerOutage?: boolean;
  log: (line: string) => void;
}

/** The per-pharmacy rate limit the campaign sets, printed by the runners. */
export const CAMPAIGN_RATE = { ratePerSecond: 100_000, rateBurst: 100_000 };
/** Claims of a killed relay come back when their lease ends: short here (over the 3 s send timeout) so a run drains in seconds. */
const LEASE_SECONDS = 5;
const GIVE_UP_MS = 90_000;
const DRAIN_MS = 90_000;
/** Callbacks the receiving software answers 503 (then retried with the same `webhook-id`). */
const RECEIVER_REFUSALS = 0.1;

interface Submission {
  pharmacy: string;
  body: string;
  ids: Set<string>;
  /** The problem code of a 4xx refusal, if any. */
  refused?: string;
}

/**
 * One Jepsen-style run: clients submit unique results with idempotency keys and retry each
 * un-acknowledged one with the same key and body (as a pharmacy would) while the gateway is
 * killed with SIGKILL at random moments (intake and relay in flight) and restarted, the
 * simulator goes down for a while, and Postgres restarts once when the runner can; then the
 * queue drains and the acknowledged set is compared with the simulator's journal. Each pharmacy
 * has a status-callback endpoint on one receiver (which refuses some callbacks): every delivery
 * must reach it under one `webhook-id`.
 */
export async function crashRun(run: number, o: CampaignOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  const stack = await startGatewayStack({ adminUrl: o.adminUrl, runtimePassword: o.runtimePassword, settings: { intake: CAMPAIGN_RATE, relay: { leaseSeconds: LEASE_SECONDS }, webhooks: { leaseSeconds: LEASE_SECONDS } } });
  const receiver = await startWebhookReceiver(stack.pki.server, () => (Math.random() < RECEIVER_REFUSALS ? 503 : 204));
  try {
    await registerEndpoints(stack, receiver.url);
    const submissions = new Map<string, Submission>();
    let submitting = true;
    const clients = Array.from({ length: o.clients }, async (_, i) => {
      const pharmacy = PHARMACIES[i % PHARMACIES.length] as string;
      while (submitting) {
        const key = randomUUID();
        const s: Submission = { pharmacy, body: JSON.stringify(syntheticResult({ pharmacyFiness: pharmacy })), ids: new Set() };
        submissions.set(key, s);
        await submitUntilAcked(stack, key, s);
      }
    });
    o.log(`run ${run}: stack up in ${Date.now() - t0} ms`);
    // a supervisor (systemd, Kubernetes) restarts a gateway that exits on its own; such exits are reported
    let supervising = true;
    const supervisor = (async () => {
      while (supervising) {
        if (!stack.running()) await stack.start().catch(() => undefined);
        await sleep(200);
      }
    })();
    const { kills, keyManagerBreaches } = await chaos(stack, o);
    o.log(`run ${run}: chaos over at ${Date.now() - t0} ms`);
    submitting = false;
    await Promise.all(clients);
    const answered = [...submissions.values()].map((s) => s.ids);
    await drained(stack, new Set(answered.flatMap((ids) => [...ids])).size);
    await callbacksSettled(stack);
    supervising = false;
    await supervisor;
    o.log(`run ${run}: drained at ${Date.now() - t0} ms`);
    const messages = await stack.owner.selectFrom('outbox_messages').select(['id', 'result_id']).execute();
    const outcome: RunOutcome = {
      run,
      kills,
      ...tally(answered, new Map(messages.map((m) => [m.id, m.result_id])), (await stack.journal()).map((e) => e.messageId)),
      ...callbackTally((await stack.owner.selectFrom('test_results').select('id').where('status', '=', 'delivered').execute()).map((r) => r.id), receiver.received.filter((c) => c.status >= 200 && c.status < 300)),
      refused: [...submissions.values()].filter((s) => s.refused !== undefined).length,
      unacked: [...submissions.values()].filter((s) => s.ids.size === 0 && s.refused === undefined).length,
      crashes: stack.crashes.length,
      keyManagerBreaches,
    };
    for (const crash of new Set(stack.crashes)) o.log(`run ${run}: gateway crashed: ${crash}`);
    const refusals = [...submissions.values()].flatMap((s) => (s.refused ? [s.refused] : []));
    o.log(`run ${run}: ${JSON.stringify(outcome)}${refusals.length ? ` refusals: ${[...new Set(refusals)].join(', ')}` : ''}`);
    return outcome;
  } finally {
    await stack.close();
    await receiver.close();
  }
}

/** One endpoint per pharmacy, subscribed to deliveries, on the receiver, as `gateway webhooks add` registers it. */
async function registerEndpoints(stack: GatewayStack, url: string): Promise<void> {
  const keys = await openLocalKeyring(path.join(stack.dir, 'keyring.json'));
  const pharmacies = await stack.owner.selectFrom('pharmacies').select('id').execute();
  for (const { id } of pharmacies) {
    const registration = { pharmacyId: id, url, caPem: stack.pki.ca.certPem, allowNetworks: ['127.0.0.0/8'], events: ['result.delivered' as const] };
    await addEndpoint(stack.owner, keys, registration, { type: 'system', id: 'crash-campaign' }, 'crash-campaign');
  }
}

/**
 * The callbacks check. `delivered`: the results whose status changed to delivered; `received`:
 * the callbacks the receiving software accepted (2xx).
 */
export function callbackTally(delivered: string[], received: Pick<ReceivedCallback, 'headers' | 'body'>[]): Pick<RunOutcome, 'callbacksLost' | 'callbacksDuplicated'> {
  const idsOf = new Map<string, Set<string>>();
  for (const c of received) {
    const { type, data } = JSON.parse(c.body) as { type: string; data: { resultId?: string } };
    if (type !== 'result.delivered' || data.resultId === undefined) continue;
    idsOf.set(data.resultId, (idsOf.get(data.resultId) ?? new Set()).add(c.headers['webhook-id']));
  }
  return {
    callbacksLost: delivered.filter((id) => !idsOf.has(id)).length,
    callbacksDuplicated: delivered.filter((id) => (idsOf.get(id)?.size ?? 0) > 1).length,
  };
}

/**
 * The total-queue check. `answered`: per submitted key, the result ids its 202s named;
 * `resultOf`: message id → result id (the outbox); `journal`: the message ids SI-DEP accepted.
 */
export function tally(answered: Set<string>[], resultOf: Map<string, string>, journal: string[]): Pick<RunOutcome, 'acked' | 'lost' | 'duplicated' | 'unexpected'> {
  const acked = new Set(answered.flatMap((ids) => [...ids]));
  const messagesOf = new Map<string, Set<string>>();
  let unexpected = 0;
  for (const messageId of journal) {
    const resultId = resultOf.get(messageId);
    if (resultId === undefined || !acked.has(resultId)) unexpected += 1;
    else messagesOf.set(resultId, (messagesOf.get(resultId) ?? new Set()).add(messageId));
  }
  return {
    acked: acked.size,
    lost: [...acked].filter((id) => !messagesOf.has(id)).length,
    // two messages for one result, or one key answered with two result ids
    duplicated: [...messagesOf.values()].filter((m) => m.size > 1).length + answered.filter((ids) => ids.size > 1).length,
    unexpected,
  };
}

/** Kills and restarts the gateway at random moments for `durationMs`; the simulator and Postgres go down once each. */
async function chaos(stack: GatewayStack, o: CampaignOptions): Promise<{ kills: number; keyManagerBreaches: number }> {
  const keyManagerBreaches = o.keyManagerOutage ? await keyManagerOutage(stack) : 0;
  const until = Date.now() + o.durationMs;
  let kills = 0;
  let outage = false;
  let postgres = o.restartPostgres === undefined;
  while (Date.now() < until) {
    await sleep(200 + Math.random() * 1_300);
    await stack.kill();
    kills += 1;
    await sleep(Math.random() * 300);
    await stack.kill(); // the supervisor may have restarted it meanwhile
    if (!postgres && Math.random() < 0.5) {
      postgres = true;
      await (o.restartPostgres as () => Promise<void>)();
    }
    if (!stack.running()) await stack.start();
    if (!outage && Date.now() > until - o.durationMs / 2) {
      outage = true;
      await stack.simulatorFaults({ outageUntil: new Date(Date.now() + 2_000).toISOString() });
    }
  }
  if (!postgres) await (o.restartPostgres as () => Promise<void>)();
  return { kills, keyManagerBreaches };
}

/**
 * The keyring file goes away while clients keep submitting. Once the guard's 5 s have passed,
 * a probe submission must answer 503 `key-manager-unavailable`, and no result may be stored
 * until the key manager is back.
 */
async function keyManagerOutage(stack: GatewayStack): Promise<number> {
  const keyring = path.join(stack.dir, 'keyring.json');
  const stored = async () => Number((await stack.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  await rename(keyring, `${keyring}.away`);
  let breaches = 0;
  try {
    await sleep(6_000);
    const before = await stored();
    const probe = await request(`${stack.intakeUrl}/api/v1/test-results`, {
      method: 'POST',
      dispatcher: stack.agent(PHARMACIES[0] as string),
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(syntheticResult({ pharmacyFiness: PHARMACIES[0] as string })),
    }).then(
      async (res) => ({ status: res.statusCode, code: ((await res.body.json().catch(() => ({}))) as { code?: string }).code }),
      () => ({ status: 0, code: 'no-answer' }),
    );
    if (probe.status !== 503 || probe.code !== 'key-manager-unavailable') breaches += 1;
    await sleep(3_000);
    breaches += (await stored()) - before;
  } finally {
    await rename(`${keyring}.away`, keyring);
  }
  return breaches;
}

async function submitUntilAcked(stack: GatewayStack, key: string, s: Submission): Promise<void> {
  const giveUp = Date.now() + GIVE_UP_MS;
  while (Date.now() < giveUp) {
    try {
      const res = await request(`${stack.intakeUrl}/api/v1/test-results`, {
        method: 'POST',
        dispatcher: stack.agent(s.pharmacy),
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: s.body,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const answer = (await res.body.json().catch(() => ({}))) as { id?: string; code?: string };
      if (res.statusCode === 202 && answer.id) {
        s.ids.add(answer.id);
        return;
      }
      // 503 while the key manager, audit or Postgres is away: retry; any other refusal is a finding
      if (res.statusCode < 500 && res.statusCode !== 429) {
        s.refused = `${res.statusCode} ${answer.code}`;
        return;
      }
    } catch {
      // connection reset by the kill, or refused while it restarts: retry with the same key
    }
    await sleep(50 + Math.random() * 100);
  }
}

/** Waits until every acked result is delivered (or the drain time is up: what is left counts as lost). */
async function drained(stack: GatewayStack, acked: number): Promise<void> {
  const until = Date.now() + DRAIN_MS;
  while (Date.now() < until) {
    const { n } = await stack.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow();
    if (Number(n) >= acked) return;
    await sleep(200);
  }
}

/** Waits until no callback is left to send (or the drain time is up: what is left counts as lost). */
async function callbacksSettled(stack: GatewayStack): Promise<void> {
  const until = Date.now() + DRAIN_MS;
  while (Date.now() < until) {
    const { n } = await stack.owner.selectFrom('webhook_events').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    if (Number(n) === 0) return;
    await sleep(200);
  }
}

/** The campaign's table and the fixed closing lines. */
export function campaignReport(runs: RunOutcome[], rate: typeof CAMPAIGN_RATE): string {
  const columns = ['run', 'acked', 'kills', 'crashes', 'lost', 'duplicated', 'unexpected', 'callbacksLost', 'callbacksDuplicated', 'refused', 'unacked', 'keyManagerBreaches'] as const;
  const rows = [columns.join('\t'), ...runs.map((r) => columns.map((c) => r[c]).join('\t'))];
  const sum = (k: keyof RunOutcome) => runs.reduce((n, r) => n + r[k], 0);
  return [
    `rate limit per pharmacy: ${rate.ratePerSecond}/s, burst ${rate.rateBurst}`,
    ...rows,
    `lost: ${sum('lost')}`,
    `duplicated: ${sum('duplicated')}`,
    `unexpected: ${sum('unexpected')}`,
    `callbacks lost: ${sum('callbacksLost')}`,
    `callbacks duplicated: ${sum('callbacksDuplicated')}`,
    `key manager outage breaches: ${sum('keyManagerBreaches')}`,
    `runs: ${runs.length}`,
  ].join('\n');
}

/** A run is clean when nothing acked was lost or duplicated and nothing unexpected was delivered. */
export function violations(runs: RunOutcome[]): number {
  return runs.reduce((n, r) => n + r.lost + r.duplicated + r.unexpected + r.callbacksLost + r.callbacksDuplicated + r.refused + r.keyManagerBreaches, 0);
}
