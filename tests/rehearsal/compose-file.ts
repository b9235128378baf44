import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';

/** A path a container sees, and what stands behind it on the host. */
export type Mount =
  /** `./deploy/…:/target`: a file or directory of the repository (or of the generated state). */
  | { kind: 'bind'; source: string; target: string }
  /** `name:/target`: a named volume, empty at first. */
  | { kind: 'volume'; source: string; target: string }
  /** a secret file (compose: of the top-level `secrets:`, at `/run/secrets/<name>` unless it names a target) */
  | { kind: 'secret'; source: string; target: string }
  /** `/target:size=…`: an empty directory in memory. */
  | { kind: 'tmpfs'; target: string };

/** One service of compose.yaml, after interpolation and YAML merge keys. */
export interface ComposeService {
  name: string;
  environment: Record<string, string>;
  mounts: Mount[];
  command: string[];
  entrypoint: string[];
  /** `uid[:gid]` the container runs as, when compose names one. */
  user?: string;
}

/** compose.yaml as `docker compose config` would resolve what the rehearsal needs of it. */
export interface ComposeFile {
  /** The directory relative bind mounts and secret files are resolved against. */
  dir: string;
  services: Record<string, ComposeService>;
}

/**
 * Reads compose.yaml: services' environment, secrets, volumes and tmpfs, command and entrypoint,
 * with `${VAR:-default}` interpolated from `variables` (as Compose does from the shell).
 *
 * @example
 * const compose = await readComposeFile('compose.yaml', { SIDEP_URL: simulatorUrl });
 * compose.services.gateway.environment.GATEWAY_PROFILE; // 'production'
 */
export async function readComposeFile(file: string, variables: Record<string, string>): Promise<ComposeFile> {
  const raw = YAML.parse(await readFile(file, 'utf8'), { merge: true }) as RawCompose;
  const doc = interpolateAll(raw, variables) as RawCompose;
  const secretFiles = Object.fromEntries(Object.entries(doc.secrets ?? {}).map(([name, s]) => [name, s.file]));
  const services = Object.fromEntries(Object.entries(doc.services).map(([name, s]) => [name, readService(name, s, secretFiles)]));
  return { dir: path.dirname(path.resolve(file)), services };
}

interface RawService {
  environment?: Record<string, string | number | boolean | null> | string[];
  secrets?: (string | { source: string; target?: string })[];
  volumes?: string[];
  tmpfs?: string[];
  command?: string[] | string;
  entrypoint?: string[] | string;
  user?: string;
}
interface RawCompose {
  services: Record<string, RawService>;
  secrets?: Record<string, { file: string }>;
}

function readService(name: string, s: RawService, secretFiles: Record<string, string>): ComposeService {
  const secrets: Mount[] = (s.secrets ?? []).map((x) => {
    const { source, target } = typeof x === 'string' ? { source: x, target: undefined } : x;
    const file = secretFiles[source];
    if (file === undefined) throw new Error(`compose.yaml: service ${name} uses secret ${source}, which the top-level secrets do not declare`);
    return { kind: 'secret', source: file, target: path.posix.resolve('/run/secrets', target ?? source) };
  });
  const volumes: Mount[] = (s.volumes ?? []).map((v) => {
    const [source = '', target = ''] = v.split(':');
    return source.startsWith('.') || source.startsWith('/') ? { kind: 'bind', source, target } : { kind: 'volume', source, target };
  });
  const tmpfs: Mount[] = (s.tmpfs ?? []).map((t) => ({ kind: 'tmpfs', target: t.split(':')[0] ?? t }));
  return { name, environment: environmentOf(s.environment), mounts: [...secrets, ...volumes, ...tmpfs], command: listOf(s.command), entrypoint: listOf(s.entrypoint), ...(s.user ? { user: s.user } : {}) };
}

function environmentOf(e: RawService['environment']): Record<string, string> {
  if (Array.isArray(e)) return Object.fromEntries(e.map((line) => [line.split('=')[0] ?? line, line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e ?? {}).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
}

function listOf(v: string[] | string | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
}

function interpolateAll(node: unknown, variables: Record<string, string>): unknown {
  if (typeof node === 'string') return interpolate(node, variables);
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, variables));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, variables)]));
  return node;
}

/** Compose's interpolation: `$$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`. */
function interpolate(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (_whole, name: string | undefined, colon?: string, op?: string, word?: string) => {
    if (name === undefined) return '$';
    const value = variables[name];
    if (value !== undefined && !(colon === ':' && value === '')) return value;
    if (op === '?') throw new Error(`compose.yaml needs ${name}: ${word ?? ''}`);
    return op === '-' ? (word ?? '') : '';
  });
}
