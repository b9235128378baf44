import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

// The dashboard only works if its panels name the datasource Grafana provisions and the files
// sit where compose.yaml mounts them; metric names are checked against a live gateway in
// prometheus-and-grafana-metrics-exist-in-the-gateway-output.test.ts.
const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

interface Panel {
  id: number;
  title: string;
  datasource: { uid: string };
  targets: { expr: string; datasource: { uid: string } }[];
}
const dashboard = JSON.parse(read('deploy/grafana/dashboards/sidep-gateway.json')) as { uid: string; editable: boolean; panels: Panel[] };
const datasources = YAML.parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml')) as { datasources: { uid: string; url: string }[] };
const providers = YAML.parse(read('deploy/grafana/provisioning/dashboards/sidep-gateway.yaml')) as { providers: { options: { path: string } }[] };
const compose = YAML.parse(read('compose.yaml')) as { services: { grafana: { volumes: string[] } } };

describe('the Grafana provisioning', () => {
  it('points every panel and query at the provisioned Prometheus datasource', () => {
    const uids = datasources.datasources.map((d) => d.uid);
    expect(datasources.datasources[0]?.url).toBe('http://prometheus:9090');
    for (const p of dashboard.panels) {
      expect(uids, p.title).toContain(p.datasource.uid);
      for (const t of p.targets) expect(uids, p.title).toContain(t.datasource.uid);
    }
  });

  it('loads the dashboard from the directory compose.yaml mounts', () => {
    const mounts = compose.services.grafana.volumes.map((v) => v.split(':'));
    expect(mounts).toContainEqual(['./deploy/grafana/dashboards', providers.providers[0]?.options.path, 'ro']);
    expect(mounts).toContainEqual(['./deploy/grafana/provisioning', '/etc/grafana/provisioning', 'ro']);
  });

  it('shows intake by outcome, delivery latency percentiles, backlog, oldest age, retries, dead letters and the key manager', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    expect(exprs).toMatch(/sum by \(outcome\) \(rate\(gateway_intake_requests_total/);
    for (const q of ['0.5', '0.95', '0.99']) expect(exprs).toContain(`histogram_quantile(${q}, sum by (le) (rate(gateway_commit_to_delivered_seconds_bucket`);
    for (const m of ['gateway_outbox_backlog', 'gateway_outbox_oldest_pending_age_seconds', 'gateway_delivery_retries_total', 'gateway_dead_letters_total', 'gateway_key_manager_up']) expect(exprs).toContain(m);
  });

  it('has unique panel ids and cannot be edited in place', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.editable).toBe(false);
  });
});
