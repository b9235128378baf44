import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { startLoggedProcess } from './logged-process.js';
import { runAs, type AddressRewrites, type ServiceView } from './service-view.js';

/** Debian's Prometheus, run from compose's prometheus service, and what the rehearsal asks of its HTTP API. */
export interface RehearsalPrometheus {
  url: string;
  /** Alerts pending or firing now, by name. */
  alerts(): Promise<{ name: string; state: 'pending' | 'firing' }[]>;
  /** Each alerting rule loaded, with its `for:` in seconds. */
  alertRules(): Promise<Map<string, number>>;
  /** The value of a query with one result, or undefined when it has none. */
  query(expr: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

interface ScrapeConfig {
  dns_sd_configs?: { names: string[]; port: number }[];
  static_configs?: { targets: string[] }[];
  authorization?: { credentials_file?: string };
  tls_config?: { ca_file?: string };
}

/**
 * Starts Prometheus with compose's command line and deploy/prometheus/prometheus.yml, changing only
 * what cannot hold here: the targets (the gateway's DNS name → its metrics address), the secret
 * paths (into the service's view) and the scrape and evaluation intervals (`intervalSeconds`, so
 * that alerts are seen in minutes, not quarter hours). Everything else — TLS, server name, the
 * bearer token file, the alert rules — is the deploy file's.
 *
 * @example
 * const prom = await startComposePrometheus(views.prometheus, { binary, listen: '127.0.0.1:9090', targets: { gateway: '127.0.0.1:9464' }, … });
 */
export async function startComposePrometheus(
  view: ServiceView,
  o: { binary: string; listen: string; targets: Record<string, string>; intervalSeconds: number; configFile: string; logFile: string; rewrites: AddressRewrites },
): Promise<RehearsalPrometheus> {
  const flags = new Map(view.service.command.map((a) => [a.split('=')[0] as string, a.slice(a.indexOf('=') + 1)]));
  const configPath = view.hostPath(required(flags, '--config.file'));
  const config = YAML.parse(await readFile(configPath, 'utf8')) as { global?: Record<string, unknown>; rule_files?: string[]; scrape_configs: ScrapeConfig[] };
  config.global = { ...config.global, scrape_interval: `${o.intervalSeconds}s`, evaluation_interval: `${o.intervalSeconds}s` };
  // rule files are relative to the configuration file, which is written elsewhere
  config.rule_files = (config.rule_files ?? []).map((f) => path.resolve(path.dirname(configPath), f));
  for (const job of config.scrape_configs) {
    const targets = (job.dns_sd_configs ?? []).flatMap((sd) =>
      sd.names.map((name) => {
        const to = o.targets[name];
        if (!to) throw new Error(`prometheus.yml discovers ${name}, which the rehearsal does not run`);
        o.rewrites.record('prometheus.yml dns_sd_configs', `${name}:${sd.port}`, to);
        return to;
      }),
    );
    delete job.dns_sd_configs;
    job.static_configs = [...(job.static_configs ?? []), ...(targets.length ? [{ targets }] : [])];
    if (job.authorization?.credentials_file) job.authorization.credentials_file = view.hostPath(job.authorization.credentials_file);
    if (job.tls_config?.ca_file) job.tls_config.ca_file = view.hostPath(job.tls_config.ca_file);
  }
  // read by Prometheus's own user: no secret in it (the token stays in its file)
  await writeFile(o.configFile, YAML.stringify(config), { mode: 0o644 });
  o.rewrites.record('prometheus --web.listen-address', '0.0.0.0:9090', o.listen);
  const args = [...flags].map(([flag, value]) => (flag === '--config.file' ? `${flag}=${o.configFile}` : `${flag}=${view.hostPath(value)}`));
  const user = runAs(view.service);
  const server = startLoggedProcess(o.binary, [...args, `--web.listen-address=${o.listen}`], { env: { PATH: process.env.PATH ?? '' }, logFile: o.logFile, ...(user ? { user } : {}) });
  const url = `http://${o.listen}`;
  const api = async (apiPath: string): Promise<any> => {
    const res = await fetch(`${url}${apiPath}`);
    const body = (await res.json()) as { status: string; data: unknown };
    if (body.status !== 'success') throw new Error(`Prometheus ${apiPath}: ${res.status}`);
    return body.data;
  };
  try {
    await server.untilOutput(/Server is ready to receive web requests/, 30_000);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    url,
    async alerts() {
      const data = (await api('/api/v1/alerts')) as { alerts: { labels: { alertname: string }; state: 'pending' | 'firing' }[] };
      return data.alerts.map((a) => ({ name: a.labels.alertname, state: a.state }));
    },
    async alertRules() {
      const data = (await api('/api/v1/rules?type=alert')) as { groups: { rules: { name: string; duration: number }[] }[] };
      return new Map(data.groups.flatMap((g) => g.rules.map((r) => [r.name, r.duration] as const)));
    },
    async query(expr) {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { result: { value: [number, string] }[] };
      const value = data.result[0]?.value[1];
      return value === undefined ? undefined : Number(value);
    },
    stop: () => server.stop(),
  };
}

function required(flags: Map<string, string>, flag: string): string {
  const value = flags.get(flag);
  if (!value) throw new Error(`compose.yaml's prometheus command has no ${flag}`);
  return value;
}
