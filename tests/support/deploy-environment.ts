import { readFileSync } from 'node:fs';
import YAML from 'yaml';

/**
 * The gateway container's environment as a deployment file gives it, read without a container
 * engine or a cluster: what `gateway serve` would get there, minus the image's own `ENV` lines.
 */
export interface DeployEnvironment {
  /** Variable → value (compose values interpolated). */
  env: Record<string, string>;
  /** The `/run/secrets/…` files the variables name, each once, in order of appearance. */
  secretFiles: string[];
}

const SECRETS_DIR = '/run/secrets/';

/**
 * The `gateway` service of a compose file: its environment (anchors and merge keys resolved,
 * `${NAME}`, `${NAME:-default}`, `${NAME-default}` and `$$` interpolated from `variables`, as
 * `docker compose` does from its shell and `--env-file`), and the secret files it names. Throws
 * when a variable names a secret the service does not mount.
 * @example const { env, secretFiles } = composeGatewayEnvironment('compose.yaml', { SIDEP_URL: 'https://sidep.test' });
 */
export function composeGatewayEnvironment(composeYamlPath: string, variables: Record<string, string | undefined> = {}): DeployEnvironment {
  const compose = YAML.parse(readFileSync(composeYamlPath, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const service = compose.services.gateway;
  if (!service) throw new Error(`${composeYamlPath}: no gateway service`);
  const entries: [string, string][] = Array.isArray(service.environment)
    ? service.environment.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, String(value ?? '')]);
  const env = Object.fromEntries(entries.map(([name, value]) => [name, interpolate(value, variables)]));
  // short syntax and long syntax without a target both mount at /run/secrets/<source>
  const mounted = (service.secrets ?? []).map((s) => (typeof s === 'string' ? SECRETS_DIR + s : s.target?.startsWith('/') ? s.target : SECRETS_DIR + (s.target ?? s.source)));
  return { env, secretFiles: secretFilesOf(env, mounted, composeYamlPath) };
}

/**
 * The `gateway` container of the Deployment in a manifest file: its `env` values, and the secret
 * files they name. Throws on `valueFrom`/`envFrom` (not readable without a cluster) and when a
 * variable names a file under /run/secrets/ that no secret volume mounts.
 * @example const { env, secretFiles } = kubernetesGatewayEnvironment('deploy/kubernetes/gateway-deployment.yaml');
 */
export function kubernetesGatewayEnvironment(deploymentPath: string): DeployEnvironment {
  const documents = YAML.parseAllDocuments(readFileSync(deploymentPath, 'utf8')).map((d) => d.toJS() as KubernetesResource);
  const pod = documents.find((d) => d.kind === 'Deployment')?.spec.template.spec;
  const container = pod?.containers.find((c) => c.name === 'gateway');
  if (!pod || !container) throw new Error(`${deploymentPath}: no Deployment with a gateway container`);
  if (container.envFrom) throw new Error(`${deploymentPath}: envFrom cannot be read without a cluster`);
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value === undefined) throw new Error(`${deploymentPath}: ${e.name} comes from valueFrom, which cannot be read without a cluster`);
    env[e.name] = String(e.value);
  }
  const secretVolumes = new Set(pod.volumes?.filter((v) => v.secret).map((v) => v.name));
  const mounted = (container.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => m.mountPath.replace(/\/?$/, '/'));
  return { env, secretFiles: secretFilesOf(env, mounted, deploymentPath) };
}

/**
 * The environment with each file path of the container replaced by a file on this host: values
 * equal to a key of `files` take its value. Throws naming any `/run/…` path left without one, so a
 * run never reads a file the deployment did not intend.
 * @example settingsFromEnv(relocateFiles(env, { '/run/secrets/metrics_token': '/tmp/x/metrics_token' }))
 */
export function relocateFiles(env: Record<string, string>, files: Record<string, string>): Record<string, string> {
  const unmapped = Object.entries(env).filter(([, value]) => value.startsWith('/run/') && files[value] === undefined);
  if (unmapped.length) throw new Error(`no host file for ${unmapped.map(([name, value]) => `${name}=${value}`).join(', ')}`);
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, files[value] ?? value]));
}

/** `mounted`: file paths (compose) or directory paths ending in `/` (Kubernetes). */
function secretFilesOf(env: Record<string, string>, mounted: string[], source: string): string[] {
  const files = [...new Set(Object.values(env).filter((v) => v.startsWith(SECRETS_DIR)))];
  const unmounted = files.filter((f) => !mounted.some((m) => (m.endsWith('/') ? f.startsWith(m) : f === m)));
  if (unmounted.length) throw new Error(`${source}: the gateway's environment names ${unmounted.join(', ')}, which no secret mounts`);
  return files;
}

// Compose interpolation (compose-spec, "Interpolation"): the forms our files use; others are refused.
function interpolate(value: string, variables: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$/g, (match, name: string | undefined, operator: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    if (name === undefined) throw new Error(`unsupported interpolation in ${JSON.stringify(value)}`);
    const set = variables[name];
    if (operator === ':-') return set ? set : (fallback ?? '');
    if (operator === '-') return set ?? fallback ?? '';
    return set ?? '';
  });
}

interface ComposeService {
  environment?: Record<string, string | number | null> | string[];
  secrets?: (string | { source: string; target?: string })[];
}

interface KubernetesResource {
  kind: string;
  spec: {
    template: {
      spec: {
        containers: { name: string; env?: { name: string; value?: unknown }[]; envFrom?: unknown; volumeMounts?: { name: string; mountPath: string }[] }[];
        volumes?: { name: string; secret?: unknown }[];
      };
    };
  };
}
