import { chown, copyFile, link, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComposeService, Mount } from './compose-file.js';

/**
 * Compose's network names (`vault:8200`, `postgres:5432`) and what they are on this machine.
 * Only hosts and ports are ever rewritten; each rewrite is recorded for the output.
 */
export interface AddressRewrites {
  /** `host:port` as the deploy files write it → `address:port` here. */
  readonly table: Map<string, string>;
  /** Notes one rewrite (`from` → `to`) made in `where`. */
  record(where: string, from: string, to: string): void;
  /** One line per rewrite: `vault:8200 → 127.0.0.1:41234 in gateway GATEWAY_KEY_MANAGER_VAULT_ADDRESS, …`. */
  lines(): string[];
}

export function createAddressRewrites(): AddressRewrites {
  const table = new Map<string, string>();
  const seen = new Map<string, Set<string>>();
  return {
    table,
    record(where, from, to) {
      const key = `${from} → ${to}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(where));
    },
    lines: () => [...seen].map(([rewrite, places]) => `${rewrite} in ${[...places].join(', ')}`),
  };
}

/**
 * The user compose runs a service as (`user: uid:gid`), when this process can take it (root);
 * otherwise undefined: the service runs as the caller.
 */
export function runAs(service: ComposeService): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0 || !service.user) return undefined;
  const [uid, gid] = service.user.split(':').map(Number) as [number, number | undefined];
  return { uid, gid: gid ?? uid };
}

/** Where the rehearsal keeps what the deploy files take from the host. */
export interface HostLayout {
  /** Relative mount sources (`./deploy/secrets/…`) redirected: compose's own directory → the rehearsal's. */
  redirects: Record<string, string>;
  /** Relative sources not redirected are read from here (the repository). */
  composeDir: string;
  /** Named volumes: one directory each. */
  volumesDir: string;
  /** Each service's view: `<mountsDir>/<service>/<container path>`. */
  mountsDir: string;
}

/** A service's file system as far as its mounts reach, on the host. */
export interface ServiceView {
  service: ComposeService;
  /** The host path standing for a container path: inside the view under a mount, else unchanged. */
  hostPath(containerPath: string): string;
  /** Whether a mount covers the container path. */
  mounts(containerPath: string): boolean;
  /** Container paths under a mount mapped into the view, compose host names rewritten (recorded). */
  rewrite(text: string, where: string): string;
  /** The service's environment, rewritten. */
  environment(): Record<string, string>;
}

/**
 * Builds a service's view the way Compose mounts it: secrets appear at their targets (hard links,
 * or a rewritten copy when the content names a compose host or container path, e.g. a database
 * URL), bind-mounted files are copied, directories and named volumes are symlinked, tmpfs are
 * fresh directories. As root, volumes and tmpfs are given to `owner` (the user the service runs as).
 *
 * @example
 * const gateway = await mountService(compose.services.gateway, { layout, rewrites });
 * gateway.environment().GATEWAY_DATABASE_URL_FILE; // <tmp>/mounts/gateway/run/secrets/database_url
 */
export async function mountService(service: ComposeService, o: { layout: HostLayout; rewrites: AddressRewrites; owner?: { uid: number; gid: number } }): Promise<ServiceView> {
  const root = path.join(o.layout.mountsDir, service.name.replace(/[^\w.-]/g, '-'));
  const targets = service.mounts.map((m) => m.target).sort((a, b) => b.length - a.length);
  const mounts = (p: string): boolean => targets.some((t) => p === t || p.startsWith(`${t}/`));
  const hostPath = (p: string): string => (mounts(p) ? path.join(root, p) : p);
  const pathPattern = targets.length ? new RegExp(`(?<![\\w./-])(?:${targets.map(escape).join('|')})(?=[/"'\\s&?#,;)]|$)[^"'\\s&?#,;)]*`, 'g') : undefined;
  const rewrite = (text: string, where: string): string => rewriteAddresses(pathPattern ? text.replace(pathPattern, hostPath) : text, where, o.rewrites);
  const view: ServiceView = {
    service,
    hostPath,
    mounts,
    rewrite,
    environment: () => Object.fromEntries(Object.entries(service.environment).map(([k, v]) => [k, rewrite(v, `${service.name} ${k}`)])),
  };
  for (const m of service.mounts) await mount(m, path.join(root, m.target), view, o);
  return view;
}

async function mount(m: Mount, at: string, view: ServiceView, o: { layout: HostLayout; owner?: { uid: number; gid: number } }): Promise<void> {
  await mkdir(path.dirname(at), { recursive: true, mode: 0o755 });
  const give = async (dir: string) => {
    if (o.owner && process.getuid?.() === 0) await chown(dir, o.owner.uid, o.owner.gid);
  };
  switch (m.kind) {
    case 'secret': {
      const source = sourcePath(m.source, o.layout);
      const content = await readFile(source, 'utf8');
      const rewritten = view.rewrite(content, `${view.service.name} ${path.basename(m.target)}`);
      if (rewritten === content) return link(source, at);
      const s = await stat(source);
      await writeFile(at, rewritten, { mode: s.mode & 0o777 });
      if (process.getuid?.() === 0) await chown(at, s.uid, s.gid);
      return;
    }
    case 'bind': {
      const source = sourcePath(m.source, o.layout);
      return (await stat(source)).isDirectory() ? symlink(source, at) : copyFile(source, at);
    }
    case 'volume': {
      // the parent open to traversal (a service running as another user reaches its own volume), the volume not
      await mkdir(o.layout.volumesDir, { recursive: true, mode: 0o711 });
      const dir = path.join(o.layout.volumesDir, m.source);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await give(dir);
      return symlink(dir, at);
    }
    case 'tmpfs':
      await mkdir(at, { mode: 0o700 });
      return give(at);
  }
}

function sourcePath(source: string, layout: HostLayout): string {
  for (const [from, to] of Object.entries(layout.redirects)) if (source === from || source.startsWith(`${from}/`)) return path.join(to, source.slice(from.length));
  return path.resolve(layout.composeDir, source);
}

function rewriteAddresses(text: string, where: string, rewrites: AddressRewrites): string {
  if (rewrites.table.size === 0) return text;
  const pattern = new RegExp(`(?<![\\w.-])(?:${[...rewrites.table.keys()].map(escape).join('|')})(?![\\w-]|\\.\\w)`, 'g');
  return text.replace(pattern, (from) => {
    const to = rewrites.table.get(from) as string;
    rewrites.record(where, from, to);
    return to;
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
