import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { settingsSchema } from '../../gateway/src/config/index.js';
import { freshFiness } from '../support/fresh-finess.js';
import { until, type CheckList } from './checks.js';
import { readyz, runGatewayCommand } from './gateway-process.js';
import { pharmacyClient, type PharmacyClient } from './pharmacy-client.js';
import { KEY_MANAGER_ALERT, SIDEP_ALERT, type Stack } from './stack.js';

/** Beyond an alert's `for:`: its expression's own window, plus scrape and evaluation. */
const ALERT_MARGIN_MS = 150_000;
/** The relay's longest backoff (production default): a message failed during the outage waits up to this long. */
const RELAY_MAX_DELAY_MS = settingsSchema.shape.relay.parse({}).maxDelayMs;
/** Enough results to see a backlog grow, few enough to keep intake's per-pharmacy rate limit far away. */
const RESULTS_PER_STEP = 3;
/** SI-DEP's acceptances as Prometheus has scraped them. */
const ACCEPTED = 'sum(gateway_sidep_request_duration_seconds_count{outcome="accepted"})';
/** What the intake transaction writes; none may change while the key manager is away. */
const STORED_TABLES = ['test_results', 'outbox_messages', 'idempotency_keys', 'data_keys'] as const;

/**
 * The rehearsal's story, one named check per step: a pharmacy certified by OpenBao PKI delivers;
 * SI-DEP goes away and the backlog grows; OpenBao goes away too and intake refuses without storing
 * anything; both come back and everything drains; the certificate is revoked and refused.
 * `quick` leaves out the waits for Prometheus alerts (minutes each).
 *
 * @example await runScenario(stack, checks, { quick: false, pharmacyDir });
 */
export async function runScenario(stack: Stack, checks: CheckList, o: { quick: boolean; pharmacyDir: string }): Promise<void> {
  const finess = freshFiness();
  let pharmacy: PharmacyClient | undefined;
  let fingerprint = '';
  await checks.require('an operator adds a pharmacy (gateway pharmacy add) and issues its certificate through OpenBao PKI (gateway cert issue)', async () => {
    await operator(stack, ['pharmacy', 'add', finess, '--name', 'Pharmacie de la répétition']);
    const issued = await operator(stack, ['cert', 'issue', finess, '--out', o.pharmacyDir]);
    fingerprint = /^Issued ([0-9a-f]{64}) /m.exec(issued)?.[1] ?? '';
    if (!fingerprint) throw new Error('gateway cert issue printed no fingerprint');
    const stem = path.join(o.pharmacyDir, `${finess}-${fingerprint.slice(0, 12)}`);
    const cert = await readFile(`${stem}.pem`, 'utf8');
    if (!new X509Certificate(cert).verify(new X509Certificate(stack.pharmaciesCaPem).publicKey)) throw new Error('the certificate is not signed by OpenBao PKI\'s pharmacies CA');
    pharmacy = pharmacyClient({ port: stack.intake.port, servername: stack.intake.servername, ca: stack.intake.caPem, cert, key: await readFile(`${stem}-key.pem`, 'utf8'), finess });
    return `FINESS ${finess}, certificate ${fingerprint.slice(0, 16)}… signed by OpenBao's pki-pharmacies CA`;
  });
  const client = pharmacy as PharmacyClient;
  try {
    await checks.run('results from that pharmacy are delivered to SI-DEP, and Prometheus counts the acceptances', async () => {
      const delivered: string[] = [];
      // two batches with a scrape between: Prometheus sees the count rise, as under steady traffic
      // (a series first scraped with its value shows no increase, and SidepUnreachable reads one)
      for (const batch of [1, RESULTS_PER_STEP - 1]) {
        const ids = await submitAccepted(client, batch);
        await untilDelivered(client, ids, 30_000);
        delivered.push(...ids);
        await until('Prometheus counting them', 30_000, async () => (((await stack.prometheus.query(ACCEPTED)) ?? 0) >= delivered.length ? true : undefined));
      }
      return `${delivered.length} accepted (202) and delivered; ${ACCEPTED} = ${await stack.prometheus.query(ACCEPTED)}`;
    });

    const waiting: string[] = [];
    await stack.simulator.stop();
    const sidepStopped = Date.now();
    await checks.run('SI-DEP simulator stopped → deliveries fail and the backlog grows', async () => {
      const before = await pendingMessages(stack.ownerUrl);
      waiting.push(...(await submitAccepted(client, RESULTS_PER_STEP)));
      await until('every new result retrying', 30_000, async () => ((await Promise.all(waiting.map((id) => client.status(id)))).every((s) => s === 'retrying') ? true : undefined));
      const after = await pendingMessages(stack.ownerUrl);
      if (after < before + RESULTS_PER_STEP) throw new Error(`backlog ${before} → ${after}`);
      return `backlog ${before} → ${after}, each result retrying`;
    });

    await stack.openbao.down();
    try {
      await checks.run('OpenBao stopped → intake answers 503 key-manager-unavailable and stores nothing', async () => {
        await until('/readyz 503', 20_000, async () => ((await readyz(stack.metrics)) === 503 ? true : undefined));
        const before = await storedRows(stack.ownerUrl);
        const answers = [];
        for (let i = 0; i < RESULTS_PER_STEP; i++) answers.push(await client.submit());
        const refused = answers.filter((a) => a.status === 503 && a.code === 'key-manager-unavailable' && a.retryAfter !== undefined);
        if (refused.length !== answers.length) throw new Error(`answers: ${answers.map((a) => `${a.status} ${a.code ?? ''}`).join(', ')}`);
        const after = await storedRows(stack.ownerUrl);
        if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`rows changed: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
        return `${refused.length} × 503 key-manager-unavailable with Retry-After; rows unchanged (${describeRows(after)})`;
      });
      if (!o.quick) await checks.run(`Prometheus fires ${KEY_MANAGER_ALERT}`, () => untilAlert(stack, KEY_MANAGER_ALERT, 'firing'));
    } finally {
      await stack.openbao.up();
      // after a restart OpenBao is sealed until the custodians unseal it (install guide: after each reboot)
      await stack.openbao.unseal(stack.custodianKeys);
    }
    await checks.run('OpenBao started again from its raft storage, unsealed by the custodians → intake accepts again', async () => {
      const id = await until('a 202', 30_000, async () => {
        const a = await client.submit();
        return a.status === 202 ? a.id : undefined;
      });
      waiting.push(id);
      return 'the same keys: results sealed before the stop are still delivered below';
    });
    if (!o.quick) await checks.run(`${KEY_MANAGER_ALERT} resolves`, () => untilAlert(stack, KEY_MANAGER_ALERT, 'resolved'));
    if (!o.quick) {
      await checks.run(`Prometheus fires ${SIDEP_ALERT} while the backlog grows`, async () => {
        const fired = await untilAlert(stack, SIDEP_ALERT, 'firing');
        return `${fired}, ${Math.round((Date.now() - sidepStopped) / 1000)} s after SI-DEP stopped; gateway_outbox_backlog = ${await stack.prometheus.query('max(gateway_outbox_backlog)')}`;
      });
    }

    await stack.simulator.start();
    await checks.run('SI-DEP back → the backlog drains: every result delivered', async () => {
      await untilDelivered(client, waiting, RELAY_MAX_DELAY_MS + 60_000);
      const left = await pendingMessages(stack.ownerUrl);
      if (left !== 0) throw new Error(`${left} message(s) still pending`);
      return `${waiting.length} results delivered (the relay's backoff reaches ${RELAY_MAX_DELAY_MS / 1000} s)`;
    });
    if (!o.quick) await checks.run(`${SIDEP_ALERT} resolves`, () => untilAlert(stack, SIDEP_ALERT, 'resolved'));

    await checks.run('certificate revoked with gateway cert revoke → the next handshake is refused', async () => {
      const before = [await client.handshake(), await client.handshakeTls12()] as const;
      if (!('status' in before[0]) || !('completed' in before[1])) throw new Error(`refused before revocation: ${JSON.stringify(before)}`);
      const said = await operator(stack, ['cert', 'revoke', fingerprint, '--reason', 'keyCompromise']);
      const revoked = Date.now();
      // TLS 1.2: a refusal is the handshake failing, not a connection the revocation watch happened to close
      const refused = await until('a TLS 1.2 handshake refused', 15_000, async () => {
        const outcome = await client.handshakeTls12();
        return 'refused' in outcome ? outcome.refused : undefined;
      }, 100);
      const tls13 = await client.handshake();
      if ('status' in tls13) throw new Error(`a TLS 1.3 connection still got HTTP ${tls13.status}`);
      return `refused ${((Date.now() - revoked) / 1000).toFixed(1)} s after the command (${refused}); the command said: ${said.trim().split('\n').at(-1) ?? ''}`;
    });
  } finally {
    await client.close();
  }
}

/** An operator's command, as the gateway's environment plus the owner's database URL; its output. */
async function operator(stack: Stack, args: string[]): Promise<string> {
  const r = await runGatewayCommand(args, stack.operatorEnvironment);
  if (r.code !== 0) throw new Error(`gateway ${args.slice(0, 2).join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  return r.stdout;
}

async function submitAccepted(client: PharmacyClient, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = await client.submit();
    if (a.status !== 202 || !a.id) throw new Error(`submission answered ${a.status} ${a.code ?? ''}`);
    ids.push(a.id);
  }
  return ids;
}

function untilDelivered(client: PharmacyClient, ids: string[], ms: number): Promise<true> {
  return until(`${ids.length} results delivered`, ms, async () => ((await Promise.all(ids.map((id) => client.status(id)))).every((s) => s === 'delivered') ? true : undefined), 1_000);
}

/** Waits for an alert to fire or to be gone (neither pending nor firing); says after how long. */
async function untilAlert(stack: Stack, name: string, state: 'firing' | 'resolved'): Promise<string> {
  const forSeconds = (await stack.prometheus.alertRules()).get(name) ?? 0;
  const started = Date.now();
  await until(`${name} ${state}`, forSeconds * 1000 + ALERT_MARGIN_MS, async () => {
    const alert = (await stack.prometheus.alerts()).find((a) => a.name === name);
    return (state === 'firing' ? alert?.state === 'firing' : alert === undefined) ? true : undefined;
  }, 1_000);
  return `${state} after ${Math.round((Date.now() - started) / 1000)} s (for: ${forSeconds} s)`;
}

async function withOwner<T>(ownerUrl: string, query: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    return await query(c);
  } finally {
    await c.end();
  }
}

function pendingMessages(ownerUrl: string): Promise<number> {
  return withOwner(ownerUrl, async (c) => Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM outbox_messages WHERE state = 'pending'")).rows[0]?.n));
}

function storedRows(ownerUrl: string): Promise<Record<string, number>> {
  return withOwner(ownerUrl, async (c) => {
    const counts: Record<string, number> = {};
    for (const table of STORED_TABLES) counts[table] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${c.escapeIdentifier(table)}`)).rows[0]?.n);
    return counts;
  });
}

function describeRows(rows: Record<string, number>): string {
  return Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(', ');
}
