import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { eventually, PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

// Every metric the alert rules and the dashboard read must be in a real gateway's /metrics, with
// the labels documented here, and no label may be able to carry personal data.
const DEPLOY = path.resolve(import.meta.dirname, '../../deploy');

/** The documented labels of each gateway metric family (deploy/guides/operations.md#metrics). */
const DOCUMENTED_LABELS: Record<string, string[]> = {
  gateway_intake_requests_total: ['route', 'outcome'],
  gateway_validation_failures_total: ['rule'],
  gateway_http_request_duration_seconds: ['listener', 'status_class'],
  gateway_outbox_backlog: [],
  gateway_outbox_oldest_pending_age_seconds: [],
  gateway_deliveries_total: ['outcome'],
  gateway_delivery_retries_total: ['reason'],
  gateway_dead_letters_total: ['reason'],
  gateway_commit_to_delivered_seconds: [],
  // outcome = accepted, retryable, rejected (the SI-DEP adapter's answer kinds)
  gateway_sidep_request_duration_seconds: ['outcome'],
  gateway_sidep_contract_circuit_open: [],
  gateway_sidep_throttled_total: [],
  gateway_key_manager_up: [],
  // 0 on the local keyring: the alert reads only positive values
  gateway_key_manager_secret_id_expiry_timestamp_seconds: [],
  gateway_key_manager_calls_total: [],
  // operation = a KeyManager method (bounded list), outcome = ok, unavailable, decryption_failed, refused
  gateway_key_manager_request_duration_seconds: ['operation', 'outcome'],
  gateway_results_purged_total: ['status'],
  gateway_db_pool_max_connections: [],
  gateway_db_pool_connections: ['state'],
  gateway_db_pool_waiting_requests: [],
  gateway_audit_seal_lag_seconds: [],
  // pharmacy = the pharmacy's id (a UUID), bounded by the pharmacies configured
  gateway_certificate_expiry_days: ['pharmacy'],
  // kind = which file or pharmacy certificate; pharmacy = the pharmacy's id for kind pharmacy, else empty
  gateway_certificate_expiry_timestamp_seconds: ['kind', 'pharmacy'],
  gateway_tls_reloads_total: ['kind', 'outcome'],
  // pharmacy = the pharmacy's id for the first metrics.pharmacyLabelLimit pharmacies, "other" beyond
  gateway_pharmacy_results_total: ['pharmacy'],
  // endpoint = the webhook endpoint's id for the first metrics.pharmacyLabelLimit endpoints, "other" beyond
  gateway_webhook_attempts_total: ['endpoint', 'outcome'],
  gateway_log_records_forwarded_total: ['kind'],
  gateway_log_records_dropped_total: ['kind'],
  // outcome = success, or the problem code of a failed reveal
  gateway_reveals_total: ['outcome'],
  // listener = intake or web, reason = the refusal code
  gateway_authorization_failures_total: ['listener', 'reason'],
  gateway_dead_letter_next_purge_timestamp_seconds: [],
  gateway_admin_enrolments_unused: [],
  gateway_subject_requests_due_soon: [],
  gateway_backup_last_success_timestamp_seconds: [],
  gateway_backup_max_age_seconds: [],
};

/** Label names that hold codes, states or bounded ids, never a submitted value. */
const SAFE_LABELS = new Set(['route', 'operation', 'outcome', 'rule', 'listener', 'status_class', 'reason', 'status', 'state', 'pharmacy', 'endpoint', 'kind', 'le', 'quantile', 'version', 'major', 'minor', 'patch', 'space', 'type']);
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

function referencedExpressions(): string[] {
  const rules = YAML.parse(readFileSync(path.join(DEPLOY, 'prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  const dashboard = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana/dashboards/sidep-gateway.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return [...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)), ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
}

const familyOf = (name: string) => (DOCUMENTED_LABELS[name] ? name : name.replace(HISTOGRAM_SUFFIX, '').replace(/_total$/, '_total'));

interface Sample {
  family: string;
  labels: Record<string, string>;
}

/** Families (from `# TYPE`) and samples of a Prometheus text exposition. */
function parseExposition(text: string): { families: Set<string>; samples: Sample[] } {
  const families = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) families.add(type[1] as string);
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] as string] = m[2] as string;
    const name = sample[1] as string;
    samples.push({ family: families.has(name) ? name : name.replace(HISTOGRAM_SUFFIX, ''), labels });
  }
  return { families, samples };
}

let h: Harness;
let text: string;
let exposition: { families: Set<string>; samples: Sample[] };
let submitted: ReturnType<typeof syntheticResult>;

beforeAll(async () => {
  // one pharmacy labelled: the second one's results count as "other"
  h = await startHarness({ metrics: { pharmacyLabelLimit: 1 } as never });
  // one delivered result and one retried once, so labelled counters have samples
  await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 1, status: 503 } });
  submitted = syntheticResult();
  const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: submitted, headers: { 'idempotency-key': crypto.randomUUID() } });
  expect(res.status).toBe(202);
  await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: { ...submitted, patient: { ...submitted.patient, nir: '123' } }, headers: { 'idempotency-key': crypto.randomUUID() } });
  await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${res.body.id}`)).body.status === 'delivered' ? true : undefined));
  for (const idempotencyKey of [crypto.randomUUID(), crypto.randomUUID()]) {
    expect((await h.call(PHARMACY_B, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_B }), headers: { 'idempotency-key': idempotencyKey } })).status).toBe(202);
  }
  const scrape = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } });
  text = await scrape.text();
  exposition = parseExposition(text);
});
afterAll(() => h?.close());

describe("SI-DEP's answer time", () => {
  it('is observed for each message sent, by outcome: the one 503 as retryable, deliveries as accepted', () => {
    expect(text).toMatch(/^gateway_sidep_request_duration_seconds_count\{outcome="retryable"\} 1$/m);
    // the second pharmacy's results may be sent before the scrape too
    expect(text).toMatch(/^gateway_sidep_request_duration_seconds_count\{outcome="accepted"\} [1-3]$/m);
  });
});

describe('per-pharmacy volumes', () => {
  it('label each pharmacy up to metrics.pharmacyLabelLimit and count the rest as other', () => {
    const volumes = exposition.samples.filter((s) => s.family === 'gateway_pharmacy_results_total');
    expect(volumes.map((s) => s.labels.pharmacy).sort()).toEqual([h.pharmacyIds[PHARMACY_A], 'other'].sort());
  });

  it('are read by a dashboard panel', () => {
    expect(referencedExpressions().some((e) => e.includes('gateway_pharmacy_results_total') && e.includes('by (pharmacy)'))).toBe(true);
  });
});

describe('metrics read by the alert rules and the dashboard', () => {
  const names = [...new Set(referencedExpressions().flatMap((e) => e.match(/\bgateway_[a-z0-9_]+/g) ?? []))].map(familyOf);

  it('are all documented', () => {
    for (const name of names) expect(Object.keys(DOCUMENTED_LABELS), name).toContain(name);
  });

  it.each([...new Set(names)])('%s is exported by a real gateway', (name) => {
    expect(exposition.families.has(name)).toBe(true);
  });

  it('carry exactly their documented labels', () => {
    for (const { family, labels } of exposition.samples) {
      const documented = DOCUMENTED_LABELS[family];
      if (!documented) continue;
      expect(Object.keys(labels).filter((l) => l !== 'le').sort(), family).toEqual([...documented].sort());
    }
    for (const expr of referencedExpressions()) {
      const used = [...expr.matchAll(/(?:by|without) \(([^)]*)\)|\{([^}]*)\}/g)].flatMap((m) => (m[1] ?? (m[2] as string).replace(/=~?"[^"]*"|!=~?"[^"]*"/g, '')).split(',').map((s) => s.trim()).filter(Boolean));
      const allowed = new Set(['job', 'instance', 'le', ...(expr.match(/\bgateway_[a-z0-9_]+/g) ?? []).flatMap((n) => DOCUMENTED_LABELS[familyOf(n)] ?? [])]);
      for (const label of used) expect([...allowed], `${label} in ${expr}`).toContain(label);
    }
  });

  it('have no label able to carry personal data', () => {
    const { nir, birthDate, birthName, firstNames, email, phone } = submitted.patient;
    const personal = [nir, birthDate, birthName, ...(firstNames ?? []), email, phone].filter((v): v is string => typeof v === 'string' && v.length > 2);
    expect(personal.length).toBeGreaterThan(2);
    const gatewaySamples = exposition.samples.filter((s) => s.family.startsWith('gateway_'));
    expect(gatewaySamples.some((s) => s.family === 'gateway_deliveries_total' && s.labels.outcome === 'retry')).toBe(true);
    for (const { family, labels } of gatewaySamples) {
      for (const [name, value] of Object.entries(labels)) {
        expect(SAFE_LABELS.has(name), `${family} label ${name}`).toBe(true);
        if (name === 'pharmacy') expect(value).toMatch(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|other|)$/);
        else if (!['le', 'version'].includes(name)) expect(value, `${family}{${name}}`).toMatch(/^[a-z0-9_./-]{1,64}$/i);
        for (const p of personal) expect(value.toLowerCase(), `${family}{${name}}`).not.toContain(p.toLowerCase());
      }
    }
  });
});
