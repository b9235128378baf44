import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { REQUEST_COUNT_OBJECT } from '../../gateway/src/http/index.js';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/**
 * Requests failing authentication, through the real listeners (TLS, mTLS, PostgreSQL): each
 * flood comes from its own loopback address, so each starts with a full allowance (default 60
 * a minute, burst 120) and its audit rows are told apart by source address.
 */
let w: WebHarness;
const agents: Agent[] = [];
beforeAll(async () => {
  w = await startWebHarness();
}, 60_000);
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await w?.close();
});

/** A client connecting from `from` (a loopback address), with a client certificate when named. */
function clientFrom(from: string, certificate?: string): Agent {
  const c = certificate ? (w.h.pki.clients[certificate] as { certPem: string; keyPem: string }) : undefined;
  const agent = new Agent({ localAddress: from, connect: { ...anssiTlsOptions(), ca: w.h.pki.ca.certPem, servername: 'localhost', ...(c ? { cert: c.certPem, key: c.keyPem } : {}) } });
  agents.push(agent);
  return agent;
}

async function get(agent: Agent, port: number, path: string): Promise<number> {
  const res = await request(`https://127.0.0.1:${port}${path}`, { dispatcher: agent, headers: { 'user-agent': 'scanner/1.0 NIR-185036912345609' } });
  await res.body.dump();
  return res.statusCode;
}

/** Sends `n` requests one after the other; the statuses in order. */
async function flood(agent: Agent, port: number, path: string, n = 300): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push(await get(agent, port, path));
  return statuses;
}

/** The audit rows about requests from `address` (the socket's address, IPv4 or mapped). */
const rowsFrom = (address: string) =>
  w.h.db.owner
    .selectFrom('audit_events')
    .selectAll()
    .where((eb) => eb.or([eb('source_ip', '=', address), eb('source_ip', '=', `::ffff:${address}`)]))
    .orderBy('seq')
    .execute();

type Row = Awaited<ReturnType<typeof rowsFrom>>[number];
/** Requests the rows of one reason stand for (each carries its count as a `request-count` object). */
const countOf = (rows: Row[], reason: string) => rows.filter((r) => r.reason === reason).reduce((n, r) => n + Number(r.object_id), 0);

async function metric(name: string, labels: string): Promise<number> {
  const res = await request(`${w.h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${w.h.metricsToken}` } });
  const line = (await res.body.text()).split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('traffic failing authentication', () => {
  it("counts a signed-in person's 403 under its problem code, and audits it on its own with the person", async () => {
    const { browser } = await w.signIn('pharmacien1');
    const before = await metric('gateway_authorization_failures_total', 'listener="web",reason="forbidden"');
    expect((await browser.fetch('GET', `${w.webUrl}/api/web/v1/outbox/dead-letters`)).status).toBe(403);
    expect(await metric('gateway_authorization_failures_total', 'listener="web",reason="forbidden"')).toBe(before + 1);
    const denied = await w.h.db.owner.selectFrom('audit_events').select(['actor_id', 'reason']).where('action', '=', 'GET /api/web/v1/outbox/dead-letters').execute();
    expect(denied).toEqual([{ actor_id: `dev:${w.person('pharmacien1').subject}`, reason: 'forbidden' }]);
  });

  it('answers 429 before the 300th anonymous GET /api/web/v1/me, and audits the flood in at most 30 rows carrying its count', async () => {
    const statuses = await flood(clientFrom('127.0.0.2'), w.h.gateway.webPort as number, '/api/web/v1/me');
    expect(statuses.slice(0, 120).every((s) => s === 401)).toBe(true);
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
    expect(statuses.indexOf(429)).toBeLessThan(299);
    expect(await metric('gateway_authorization_failures_total', 'listener="web",reason="no-session"')).toBeGreaterThanOrEqual(300);

    // the minute's first refusal past the allowance is audited at once; the rest when the minute
    // closes, or on stop (the restart leaves the web listener off: the web tests come first)
    expect((await rowsFrom('127.0.0.2')).length).toBeGreaterThan(0);
    await w.h.restartGateway();
    const rows = await rowsFrom('127.0.0.2');
    expect(rows.length).toBeLessThanOrEqual(30);
    // no credential within the allowance is a person not yet signed in: only what the limit turned away is audited
    expect(countOf(rows, 'rate-limited')).toBe(statuses.filter((s) => s === 429).length);
    expect(rows.every((r) => r.action === 'authenticate' && r.outcome === 'denied' && r.actor_type === 'anonymous' && r.reason === 'rate-limited' && r.object_type === REQUEST_COUNT_OBJECT)).toBe(true);
    expect(JSON.stringify(rows)).not.toMatch(/\/api|scanner|NIR/i);
  });

  it('answers 429 before the 300th request of a CA-valid unknown certificate on intake, and audits it in at most 30 rows carrying its count', async () => {
    const statuses = await flood(clientFrom('127.0.0.3', 'unregistered'), w.h.gateway.intakePort, '/api/v1/test-results');
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
    expect(statuses.indexOf(429)).toBeLessThan(299);
    expect(await metric('gateway_authorization_failures_total', 'listener="intake",reason="unauthenticated"')).toBe(300);

    await w.h.restartGateway();
    const rows = await rowsFrom('127.0.0.3');
    expect(rows.length).toBeLessThanOrEqual(30);
    expect(countOf(rows, 'unauthenticated')).toBe(statuses.filter((s) => s === 401).length);
    expect(countOf(rows, 'rate-limited')).toBe(statuses.filter((s) => s === 429).length);
    // the certificate is named by our fingerprint prefix, never by anything the client sent
    expect(new Set(rows.map((r) => r.actor_id))).toEqual(new Set([expect.stringMatching(/^[0-9a-f]{16}$/)]));
    expect(JSON.stringify(rows)).not.toMatch(/test-results|scanner|NIR/i);
  });

  it('never throttles authenticated pharmacies sending from an address the limit turns away', async () => {
    const from = '127.0.0.4';
    const refused = await flood(clientFrom(from, 'unregistered'), w.h.gateway.intakePort, '/api/v1/test-results', 150);
    expect(refused.at(-1)).toBe(429);
    // two pharmacies behind the same address, each past the address's whole burst
    const [a, b] = [clientFrom(from, PHARMACY_A), clientFrom(from, PHARMACY_B)];
    const statuses = [...(await flood(a, w.h.gateway.intakePort, '/api/v1/test-results', 150)), ...(await flood(b, w.h.gateway.intakePort, '/api/v1/test-results', 150))];
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

});
