import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { systemTool } from '../support/system-tool.js';

// promtool (Debian's `prometheus` package, installed by .ci/run) checks the configuration and
// runs the rules' unit tests: each alert firing on its condition and silent on healthy series.
const promtool = systemTool('promtool');
const DIR = path.resolve(import.meta.dirname, '../../deploy/prometheus');
const run = (...args: string[]) => execFileSync(promtool as string, args, { cwd: DIR, encoding: 'utf8' });

const alertNames = (YAML.parse(readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert));
const tested = (YAML.parse(readFileSync(path.join(DIR, 'tests/alerts.test.yml'), 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests.flatMap((t) => t.alert_rule_test);

describe('the alert rules', () => {
  it('cover every condition the appliance must page or warn on', () => {
    expect(alertNames).toEqual(
      expect.arrayContaining(['GatewayDown', 'OutboxBacklogGrowing', 'OutboxOldestPendingTooOld', 'DeliveryErrorRatioHigh', 'DeadLetters', 'KeyManagerUnavailable', 'AuditSealingLag', 'CertificateExpiringSoon', 'PostgresPoolSaturated']),
    );
  });

  it.each(alertNames)('%s has a unit test in which it fires', (name) => {
    expect(tested.some((t) => t.alertname === name && t.exp_alerts.length > 0)).toBe(true);
  });

  describe.skipIf(!promtool)('with promtool', () => {
    it('accepts the scrape configuration and the rules', () => {
      expect(run('check', 'config', '--syntax-only', 'prometheus.yml')).toContain('SUCCESS');
      expect(run('check', 'rules', 'alerts.yml')).toContain(`SUCCESS: ${alertNames.length} rules found`);
    });

    // each rule's series span days of evaluations: about 15 s of one core, more on a loaded box
    it('passes the rules unit tests', () => {
      expect(run('test', 'rules', 'tests/alerts.test.yml')).toContain('SUCCESS');
    }, 180_000);
  });

  it('scrape with the bearer token read from a file, over TLS', () => {
    const config = YAML.parse(readFileSync(path.join(DIR, 'prometheus.yml'), 'utf8')) as { scrape_configs: { scheme: string; authorization: { credentials_file: string; credentials?: string }; tls_config: { ca_file: string } }[] };
    for (const job of config.scrape_configs) {
      expect(job.scheme).toBe('https');
      expect(job.authorization.credentials_file).toBe('/run/secrets/metrics_token');
      expect(job.authorization.credentials).toBeUndefined();
      expect(job.tls_config.ca_file).toMatch(/^\/run\/secrets\//);
    }
  });
});
