import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { systemTool } from '../support/system-tool.js';

// Checked without a container engine: docker-compose 1.29 validates and renders compose.yaml,
// and the assertions read the rendered file (what an engine would run), not our source text.
const compose = systemTool('docker-compose');

interface Service {
  user?: string;
  read_only?: boolean;
  security_opt?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  privileged?: boolean;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  ports?: (string | { target: number; published?: number | string; host_ip?: string })[];
  networks?: Record<string, unknown> | string[];
  environment?: Record<string, string | null>;
  secrets?: ({ source: string } | string)[];
  profiles?: string[];
  logging?: { options?: Record<string, string> };
  network_mode?: string;
  pid?: string;
  volumes?: ({ type: string; source?: string; target: string; read_only?: boolean } | string)[];
}
interface Rendered {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  secrets: Record<string, { file?: string; environment?: string }>;
}

function render(...args: string[]): Rendered {
  return YAML.parse(execFileSync(compose as string, [...args, 'config'], { encoding: 'utf8' })) as Rendered;
}

const ONE_SHOT = new Set(['migrate', 'vault-init']);
const networksOf = (s: Service) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));
const portsOf = (s: Service) =>
  (s.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.replace(/\/tcp$/, '').split(':').at(-1)) : p.target));

describe.skipIf(!compose)('compose.yaml', () => {
  it('validates with docker-compose 1.29 under every profile', () => {
    execFileSync(compose as string, ['config', '-q']);
    execFileSync(compose as string, ['--profile', 'demo', 'config', '-q']);
  });

  const stack = compose ? render() : ({ services: {}, networks: {}, secrets: {} } as Rendered);
  const services = Object.entries(stack.services);

  it('has the gateway, postgres, vault and its init, prometheus and grafana', () => {
    expect(Object.keys(stack.services)).toEqual(expect.arrayContaining(['gateway', 'migrate', 'postgres', 'vault', 'vault-init', 'prometheus', 'grafana']));
  });

  it.each(services)('runs %s as a non-root user, read-only, without new privileges or any capability', (_name, s) => {
    expect(s.user).toMatch(/^[1-9]\d*:\d+$/);
    expect(s.read_only).toBe(true);
    expect(s.security_opt).toContain('no-new-privileges:true');
    expect(s.cap_drop).toEqual(['ALL']);
    expect(s.cap_add ?? []).toEqual([]);
    expect(s.privileged ?? false).toBe(false);
    expect(s.network_mode).toBeUndefined();
    expect(s.pid).toBeUndefined();
    expect(s.logging?.options?.['max-size']).toBeDefined();
  });

  it.each(services)('gives %s a healthcheck, or makes it a one-shot that is never restarted', (name, s) => {
    if (ONE_SHOT.has(name)) {
      expect(s.restart).toBe('no');
    } else {
      expect(s.healthcheck?.test?.[0]).toMatch(/^CMD/);
      expect(s.healthcheck?.disable ?? false).toBe(false);
    }
  });

  it('publishes only the intake (8443) and web (8444) ports, both from the gateway', () => {
    const published = services.flatMap(([name, s]) => portsOf(s).map((p) => `${name}:${p}`));
    expect(published.sort()).toEqual(['gateway:8443', 'gateway:8444']);
  });

  it('keeps Postgres, Vault and metrics on internal networks', () => {
    expect(stack.networks.backend?.internal).toBe(true);
    expect(stack.networks.metrics?.internal).toBe(true);
    for (const name of ['postgres', 'vault', 'vault-init', 'migrate', 'prometheus', 'grafana']) {
      const nets = networksOf(stack.services[name] as Service);
      expect(nets.length, name).toBeGreaterThan(0);
      for (const n of nets) expect(stack.networks[n]?.internal, `${name} on ${n}`).toBe(true);
    }
  });

  it('hands secrets over as files from the git-ignored deploy/secrets, never as environment values', () => {
    for (const [name, secret] of Object.entries(stack.secrets)) {
      expect(secret.file, name).toMatch(/\/deploy\/secrets\/[a-z_]+$/);
    }
    for (const ignored of ['deploy/secrets/postgres_password', 'deploy/state/vault-unseal']) {
      expect(execFileSync('git', ['check-ignore', ignored], { encoding: 'utf8' }).trim()).toBe(ignored);
    }
    // host directories mounted into services: configuration read-only, state only under deploy/state
    for (const [name, s] of services) {
      for (const v of s.volumes ?? []) {
        const [source, , mode] = typeof v === 'string' ? v.split(':') : [v.source, v.target, v.read_only ? 'ro' : 'rw'];
        if (!source?.startsWith('/')) continue;
        if (!source.includes('/deploy/state/')) expect(mode, `${name} ${source}`).toBe('ro');
      }
    }
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        // a variable naming a secret must point at a file; its value is never inline
        if (/PASSWORD|TOKEN|SECRET|_KEY$|DATABASE_URL$/.test(key)) expect(key, `${name} ${key}`).toMatch(/_FILE$/);
        if (/PASSWORD|TOKEN|SECRET|KEY|DATABASE_URL|CERT|_CA_/.test(key) && key.endsWith('_FILE')) expect(value, `${name} ${key}`).toMatch(/^\/run\//);
      }
    }
  });

  it('runs the gateway with TLS to Postgres and its metrics listener, and the production profile', () => {
    const env = stack.services.gateway?.environment ?? {};
    expect(env.GATEWAY_PROFILE).toBe('production');
    expect(env.GATEWAY_METRICS_CERT_FILE).toBeTruthy();
    expect(env.GATEWAY_KEY_MANAGER_KIND).toBe('vault');
    const postgres = (stack.services.postgres?.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(postgres.some((v) => /^postgres-data:\/var\/lib\/postgresql\/data(:rw)?$/.test(v))).toBe(true);
    expect(JSON.stringify(stack.services.postgres)).toContain('ssl=on');
  });

  it('starts the SI-DEP simulator only under the demo profile', () => {
    expect(stack.services['sidep-simulator']?.profiles ?? ['absent']).toEqual(['demo']);
    for (const [name, s] of services) if (name !== 'sidep-simulator') expect(s.profiles, name).toBeUndefined();
  });
});
