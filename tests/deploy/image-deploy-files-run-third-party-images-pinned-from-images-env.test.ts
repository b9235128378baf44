import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { checkImages } from '../../gateway/src/doctor/images-check.js';
import { systemTool } from '../support/system-tool.js';

// compose.yaml (with or without the HashiCorp Vault override) and deploy/kustomization.yaml read
// deploy/images.env. Rendered here with a copy pinned to made-up digests (never written to the
// repository): every third-party image must come out pinned, and what the gateway reports to
// `gateway doctor` must be exactly what runs.
const ROOT = path.resolve(import.meta.dirname, '../..');
const IMAGES_ENV = path.join(ROOT, 'deploy/images.env');
const COMPOSE = path.join(ROOT, 'compose.yaml');
const HASHICORP = path.join(ROOT, 'deploy/compose/hashicorp-vault.yaml');
const PINNED = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

const tags: Record<string, string> = Object.fromEntries(
  readFileSync(IMAGES_ENV, 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z]/.test(l))
    .map((l) => l.split('=') as [string, string]),
);
const pin = (tag: string) => `${tag}@sha256:${createHash('sha256').update(tag).digest('hex')}`;

let dir: string;
let pinnedEnv: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pinned-images-'));
  pinnedEnv = path.join(dir, 'images.env');
  await writeFile(pinnedEnv, Object.entries(tags).map(([name, tag]) => `${name}=${pin(tag)}\n`).join(''));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('compose files', () => {
  it('fall back to exactly the tags of deploy/images.env, for every image but the ones built here', async () => {
    for (const file of [COMPOSE, HASHICORP]) {
      const uses = [...(await readFile(file, 'utf8')).matchAll(/\$\{([A-Z0-9_]+_IMAGE)(:-)?([^}]*)\}/g)];
      expect(uses.length, file).toBeGreaterThan(0);
      for (const [use, name, operator, fallback] of uses) {
        if (name === 'GATEWAY_IMAGE') continue; // ours, built from the Dockerfile
        expect(`${use} ${operator}`, file).toBe(`${use} :-`);
        expect(fallback, `${file} ${use}`).toBe(tags[name as string]);
      }
    }
    const services = Object.values((YAML.parse(await readFile(COMPOSE, 'utf8'), { merge: true }) as { services: Record<string, { image: string; build?: unknown }> }).services);
    for (const s of services.filter((s) => !s.build && !s.image.startsWith('${GATEWAY_IMAGE:-'))) expect(s.image).toMatch(/^\$\{[A-Z0-9_]+_IMAGE:-/);
  });
});

const compose = systemTool('docker-compose');
describe.skipIf(!compose)('compose rendered by docker-compose 1.29 with --env-file deploy/images.env', () => {
  interface Rendered {
    services: Record<string, { image: string; build?: { args?: Record<string, string> }; command?: string[]; environment?: Record<string, string> }>;
  }
  const render = (...files: string[]) =>
    YAML.parse(execFileSync(compose as string, [...files.flatMap((f) => ['-f', f]), '--env-file', pinnedEnv, '--profile', 'demo', 'config'], { cwd: ROOT, encoding: 'utf8' })) as Rendered;

  it.each([
    ['OpenBao (default)', [COMPOSE], 'openbao.hcl'],
    ['HashiCorp Vault (override)', [COMPOSE, HASHICORP], 'vault.hcl'],
  ])('runs every third-party image pinned, and tells the gateway exactly those: %s', (_name, files, config) => {
    const { services } = render(...files);
    // ours: built here (gateway, simulator), and the gateway image reused by `migrate`
    const ours = new Set(Object.values(services).filter((s) => s.build).map((s) => s.image));
    const thirdParty = [...new Set(Object.values(services).map((s) => s.image))].filter((image) => !ours.has(image));
    for (const image of thirdParty) expect(image).toMatch(PINNED);
    for (const s of Object.values(services).filter((s) => s.build)) expect(s.build?.args?.NODE_IMAGE).toBe(pin(tags.NODE_IMAGE as string));
    expect(services.vault?.command?.join(' ')).toMatch(new RegExp(`server -config=/vault/config/${config}$`));
    expect(services['vault-init']?.image).toBe(services.vault?.image);

    const reported = services.gateway?.environment?.GATEWAY_DEPLOYMENT_IMAGES ?? '';
    expect(reported.split(',').sort()).toEqual(thirdParty.sort());
    expect(checkImages(reported).map((c) => c.status)).toEqual(thirdParty.map(() => 'ok'));
  });

  it('without the file, runs the tags, and the gateway reports each one to doctor as unpinned', () => {
    const { services } = YAML.parse(execFileSync(compose as string, ['config'], { cwd: ROOT, encoding: 'utf8' })) as Rendered;
    const checks = checkImages(services.gateway?.environment?.GATEWAY_DEPLOYMENT_IMAGES);
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) expect(c).toMatchObject({ status: 'warn', hint: expect.stringMatching(/deploy\/pin-images/) });
  });
});

interface Kustomization {
  resources: string[];
  configMapGenerator: { name: string; envs: string[]; options: { annotations: Record<string, string> } }[];
  replacements: { source: { kind: string; name: string; fieldPath: string }; targets: { select: { kind: string; name: string }; fieldPaths: string[] }[] }[];
}
interface Resource {
  kind: string;
  metadata: { name: string };
}

describe('deploy/kustomization.yaml', () => {
  const kustomization = YAML.parse(readFileSync(path.join(ROOT, 'deploy/kustomization.yaml'), 'utf8')) as Kustomization;
  const base = YAML.parse(readFileSync(path.join(ROOT, 'deploy/kubernetes/kustomization.yaml'), 'utf8')) as { resources: string[] };

  it('reads deploy/images.env into a local-only ConfigMap, never applied to the cluster', () => {
    expect(kustomization.resources).toEqual(['kubernetes']);
    const [generator] = kustomization.configMapGenerator;
    expect(generator?.envs).toEqual(['images.env']);
    expect(generator?.options.annotations['config.kubernetes.io/local-config']).toBe('true');
  });

  it('sets each image field of the manifests from an entry of images.env, whose tag the manifest already carries', async () => {
    const resources = (
      await Promise.all(base.resources.map(async (f) => YAML.parseAllDocuments(await readFile(path.join(ROOT, 'deploy/kubernetes', f), 'utf8')).map((d) => d.toJS() as Resource)))
    ).flat();
    expect(kustomization.replacements.length).toBeGreaterThan(0);
    for (const { source, targets } of kustomization.replacements) {
      expect(source).toMatchObject({ kind: 'ConfigMap', name: kustomization.configMapGenerator[0]?.name });
      const tag = tags[source.fieldPath.replace(/^data\./, '')];
      expect(tag, source.fieldPath).toBeDefined();
      for (const { select, fieldPaths } of targets) {
        const resource = resources.find((r) => r.kind === select.kind && r.metadata.name === select.name);
        expect(resource, `${select.kind}/${select.name}`).toBeDefined();
        for (const fieldPath of fieldPaths) expect(field(resource, fieldPath), fieldPath).toBe(tag);
      }
    }
  });

  const kubectl = (() => {
    try {
      return execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  })();
  // kubectl is no Debian package: .ci/run does not install it, so this one skips there.
  it.skipIf(!kubectl)('renders with kubectl kustomize: the Postgres operand and what the gateway reports come out pinned', async () => {
    const copy = path.join(dir, 'deploy');
    await cp(path.join(ROOT, 'deploy/kubernetes'), path.join(copy, 'kubernetes'), { recursive: true });
    await cp(path.join(ROOT, 'deploy/kustomization.yaml'), path.join(copy, 'kustomization.yaml'));
    await cp(pinnedEnv, path.join(copy, 'images.env'));
    const rendered = YAML.parseAllDocuments(execFileSync(kubectl as string, ['kustomize', copy], { encoding: 'utf8' })).map((d) => d.toJS() as Resource & { spec: any });
    expect(rendered.some((r) => r.kind === 'ConfigMap')).toBe(false);
    expect(rendered.find((r) => r.kind === 'Cluster')?.spec.imageName).toBe(pin(tags.CNPG_POSTGRES_IMAGE as string));
    const gateway = rendered.find((r) => r.kind === 'Deployment' && r.metadata.name === 'gateway')?.spec.template.spec.containers[0];
    const reported = gateway.env.find((e: { name: string }) => e.name === 'GATEWAY_DEPLOYMENT_IMAGES').value;
    expect(checkImages(reported).map((c) => c.status)).toEqual(['ok']);
  });
});

/** A kustomize field path (`spec.imageName`, `spec.template.spec.containers.[name=gateway].env.[name=X].value`). */
function field(resource: unknown, fieldPath: string): unknown {
  return fieldPath.split(/\.(?![^[]*\])/).reduce<any>((node, step) => {
    const match = /^\[(\w+)=(.+)\]$/.exec(step);
    return match ? node?.find((item: Record<string, unknown>) => item[match[1] as string] === match[2]) : node?.[step];
  }, resource);
}
