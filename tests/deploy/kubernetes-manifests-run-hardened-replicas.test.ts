import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseSettings, productionProblems, settingsFromEnv } from '../../gateway/src/config/index.js';
import { createDevCa, issueServerCertificate } from '../../gateway/src/pki/index.js';
import { kubernetesGatewayEnvironment, relocateFiles } from '../support/deploy-environment.js';

// No cluster here: the manifests are rendered the way `kubectl apply -k` reads them (every
// resource of the kustomization, every document of each file) and their hardening is asserted.
const DIR = path.resolve(import.meta.dirname, '../../deploy/kubernetes');

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
}
const kustomization = YAML.parse(readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as { namespace: string; resources: string[] };
const resources: Resource[] = kustomization.resources.flatMap((f) =>
  YAML.parseAllDocuments(readFileSync(path.join(DIR, f), 'utf8')).map((d) => {
    expect(d.errors, f).toEqual([]);
    return d.toJS() as Resource;
  }),
);
const one = (kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name) as Resource;
const podSpecs = resources.filter((r) => ['Deployment', 'Job', 'StatefulSet'].includes(r.kind)).map((r) => [`${r.kind}/${r.metadata.name}`, r.spec.template.spec] as const);

describe('deploy/kubernetes', () => {
  it('renders: every resource has a kind, an apiVersion and a name, in a restricted namespace', () => {
    for (const r of resources) expect(r.apiVersion && r.kind && r.metadata?.name, JSON.stringify(r).slice(0, 80)).toBeTruthy();
    expect(one('Namespace', kustomization.namespace).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it.each(podSpecs)('%s runs non-root, read-only, without privilege escalation or capabilities, with a pinned image', (_name, pod) => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.image).toMatch(/:[0-9][\w.-]*$/);
      for (const e of c.env ?? []) if (/PASSWORD|TOKEN|SECRET|_KEY$|DATABASE_URL$/.test(e.name)) expect(e.name).toMatch(/_FILE$/);
    }
  });

  it('runs several gateway replicas, spread over nodes, with a disruption budget and readiness on /readyz', () => {
    const gateway = one('Deployment', 'gateway');
    expect(gateway.spec.replicas).toBeGreaterThanOrEqual(3);
    expect(gateway.spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(gateway.spec.template.spec.containers[0].readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
    const pdb = one('PodDisruptionBudget', 'gateway');
    expect(pdb.spec.selector.matchLabels).toEqual(gateway.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(gateway.spec.replicas);
  });

  it('gives the gateway Deployment an environment that passes the production rules, audit sink included', async () => {
    const { env, secretFiles } = kubernetesGatewayEnvironment(path.join(DIR, 'gateway-deployment.yaml'));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kubernetes-gateway-env-'));
    try {
      const settings = parseSettings(settingsFromEnv(relocateFiles(env, await writeStandIns(dir, secretFiles))));
      expect(productionProblems(settings)).toEqual([]);
      // several replicas take turns at sealing: one store over HTTPS, not a file per pod
      expect(settings.audit.sinkUrl).toMatch(/^https:\/\//);
      expect(settings.audit.sinkFile).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes intake TLS through to the gateway (a TCP load balancer, no Ingress terminating it)', () => {
    const svc = one('Service', 'gateway');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p: { targetPort: string; protocol: string }) => `${p.targetPort}/${p.protocol}`).sort()).toEqual(['intake/TCP', 'web/TCP']);
    expect(resources.some((r) => r.kind === 'Ingress')).toBe(false);
    expect(one('Service', 'gateway-metrics').spec.type).toBe('ClusterIP');
  });

  it('denies all traffic by default and opens only the flows the gateway needs', () => {
    const deny = one('NetworkPolicy', 'default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const gw = one('NetworkPolicy', 'gateway');
    const egressPorts = gw.spec.egress.flatMap((e: { ports: { port: number }[] }) => e.ports.map((p) => p.port)).sort();
    expect([...new Set(egressPorts)]).toEqual([443, 53, 5432, 8200]);
    const metrics = gw.spec.ingress.find((i: { ports: { port: number }[] }) => i.ports.some((p) => p.port === 9464));
    expect(metrics.from).toBeDefined();
  });

  it('uses an operator-managed Postgres cluster on the Debian client major, TLS and SCRAM only', () => {
    const db = one('Cluster', 'gateway-db');
    expect(db.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(db.spec.instances).toBeGreaterThanOrEqual(3);
    expect(db.spec.imageName).toMatch(/postgresql:15$/);
    expect(db.spec.postgresql.pg_hba).toEqual(['hostssl all all 0.0.0.0/0 scram-sha-256', 'hostnossl all all 0.0.0.0/0 reject']);
  });

  it('runs Vault highly available on raft with TLS', () => {
    const values = YAML.parse(readFileSync(path.join(DIR, 'vault-values.yaml'), 'utf8'));
    expect(values.global.tlsDisable).toBe(false);
    expect(values.server.ha).toMatchObject({ enabled: true, raft: { enabled: true } });
    expect(values.server.ha.replicas).toBeGreaterThanOrEqual(3);
    expect(values.server.ha.raft.config).toContain('tls_min_version = "tls12"');
  });
});

/**
 * A file on this host for each secret file the Deployment names, shaped as its name says (what
 * deploy/guides/install.md, section 7, puts in the `gateway` secret): certificates of a CA other
 * than the demo's, a strong metrics token, a database URL with TLS and a password.
 */
async function writeStandIns(dir: string, secretFiles: string[]): Promise<Record<string, string>> {
  const ca = await createDevCa({ name: 'Chain Internal CA' });
  const server = await issueServerCertificate(ca);
  const content = (name: string): string => {
    if (name === 'database_url') return `postgres://gateway_runtime:${randomBytes(16).toString('hex')}@gateway-db-rw:5432/sidep_gateway?sslmode=verify-full`;
    if (/_(tls|client)_key$/.test(name)) return server.keyPem;
    if (name.endsWith('_cert')) return server.certPem;
    if (name.endsWith('_ca')) return ca.certPem;
    return randomBytes(32).toString('hex'); // metrics token, AppRole ids, the wrapped blind-index key
  };
  const files: Record<string, string> = {};
  for (const file of secretFiles) {
    files[file] = path.join(dir, path.basename(file));
    await writeFile(files[file], content(path.basename(file)), { mode: 0o600 });
  }
  return files;
}
