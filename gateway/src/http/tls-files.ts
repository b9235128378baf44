import { createHash, createPrivateKey, type X509Certificate } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseCertificates } from '../pki/index.js';
import { errorSummary, type Logger, type Metrics } from '../observability/index.js';

/** The PEM files of one TLS endpoint: the certificate chain and key it presents, and/or the CAs it trusts. */
export interface TlsFiles {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
}

/** The contents of `TlsFiles`, checked, with the expiries the metrics publish. */
export interface TlsMaterial {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
  /** notAfter of the leaf certificate. */
  certNotAfter?: Date;
  /** The earliest notAfter of the CA bundle. */
  caNotAfter?: Date;
}

/** New files that would break the endpoint; `reason` is a code, never file contents. */
export class TlsMaterialRefused extends Error {
  constructor(readonly reason: 'no-certificate' | 'key-mismatch' | 'expired' | 'not-yet-valid' | 'no-ca-certificate' | 'unreadable' | 'rejected-by-openssl') {
    super(`TLS files refused: ${reason}`);
    this.name = 'TlsMaterialRefused';
  }
}

/**
 * Reads and checks TLS files: the key must be the certificate's, the certificate valid now, the
 * CA file must hold certificates, and OpenSSL must build a context from them.
 */
export function readTlsMaterial(files: TlsFiles, now = Date.now()): TlsMaterial {
  const read = (file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch {
      throw new TlsMaterialRefused('unreadable');
    }
  };
  const [cert, key, ca] = [read(files.certFile), read(files.keyFile), read(files.caFile)];
  const material: TlsMaterial = { cert, key, ca };
  if (cert) {
    const leaf = parseCertificates(cert.toString('utf8'))[0];
    if (!leaf) throw new TlsMaterialRefused('no-certificate');
    if (key && !matches(leaf, key)) throw new TlsMaterialRefused('key-mismatch');
    if (Date.parse(leaf.validTo) <= now) throw new TlsMaterialRefused('expired');
    if (Date.parse(leaf.validFrom) > now) throw new TlsMaterialRefused('not-yet-valid');
    material.certNotAfter = new Date(leaf.validTo);
  }
  if (ca) {
    const certs = parseCertificates(ca.toString('utf8'));
    if (certs.length === 0) throw new TlsMaterialRefused('no-ca-certificate');
    material.caNotAfter = new Date(Math.min(...certs.map((c) => Date.parse(c.validTo))));
  }
  try {
    createSecureContext({ cert, key, ca });
  } catch {
    throw new TlsMaterialRefused('rejected-by-openssl');
  }
  return material;
}

function matches(leaf: X509Certificate, key: Buffer): boolean {
  try {
    return leaf.checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

export interface TlsFilesWatchOptions {
  /** The endpoint, as metric label and in logs: intake, web, metrics, sidep, vault, postgres. */
  kind: string;
  files: TlsFiles;
  /** Period of the stat check that backs up `fs.watch` (missed events, symlink swaps on some filesystems). */
  checkMs: number;
  log: Logger;
  metrics: Metrics;
}

/** Debounces the bursts of events a rename or a Kubernetes `..data` swap produces. */
const SETTLE_MS = 100;

/**
 * Keeps the TLS material of one endpoint current: re-reads the files when `fs.watch` reports a
 * change in their directories (which catches atomic renames and Kubernetes' symlink swaps) and
 * every `checkMs`, and hands checked material to the `onReload` listeners. Files that fail
 * `readTlsMaterial` leave the current material in use; the refusal is logged once (by reason
 * code) and counted. Publishes `gateway_certificate_expiry_timestamp_seconds` for the files.
 * The files are read (and checked) at once; the watching runs from `start()` to `stop()`.
 *
 * @example
 * const tls = watchTlsFiles({ kind: 'web', files: { certFile, keyFile }, checkMs: 10_000, log, metrics });
 * const server = createServer(serverTlsOptions(tls.current()));
 * tls.onReload((m) => server.setSecureContext(serverTlsOptions(m)));
 * tls.start();
 */
export function watchTlsFiles(o: TlsFilesWatchOptions) {
  let material = readTlsMaterial(o.files);
  let seen = fingerprint(o.files);
  const listeners: ((next: TlsMaterial, previous: TlsMaterial) => void)[] = [];
  publishExpiry(o, material);

  function check(): void {
    const now = fingerprint(o.files);
    if (now === seen) return;
    seen = now;
    try {
      const previous = material;
      material = readTlsMaterial(o.files);
      for (const listener of listeners) listener(material, previous);
      publishExpiry(o, material);
      o.metrics.tlsReloads.inc({ kind: o.kind, outcome: 'loaded' });
      o.log.info({ kind: o.kind, certNotAfter: material.certNotAfter, caNotAfter: material.caNotAfter }, 'TLS files reloaded');
    } catch (e) {
      o.metrics.tlsReloads.inc({ kind: o.kind, outcome: 'refused' });
      const reason = e instanceof TlsMaterialRefused ? e.reason : errorSummary(e).type;
      o.log.error({ kind: o.kind, reason }, 'changed TLS files refused; the previous ones stay in use');
    }
  }

  let settle: NodeJS.Timeout | undefined;
  const soon = () => {
    clearTimeout(settle);
    settle = setTimeout(check, SETTLE_MS);
    settle.unref();
  };
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;

  return {
    current: (): TlsMaterial => material,
    /** Called with the new and the previous material after each successful reload. */
    onReload(listener: (next: TlsMaterial, previous: TlsMaterial) => void): void {
      listeners.push(listener);
    },
    start(): void {
      for (const dir of new Set(Object.values(o.files).filter((f): f is string => f !== undefined).map((f) => path.dirname(f)))) {
        try {
          watchers.push(watch(dir, { persistent: false }, soon).on('error', () => undefined));
        } catch {
          // not watchable (gone, or no inotify): the periodic check still sees changes
        }
      }
      timer = setInterval(check, o.checkMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
      clearTimeout(settle);
      for (const w of watchers.splice(0)) w.close();
    },
  };
}

export type TlsFilesWatch = ReturnType<typeof watchTlsFiles>;

/** What the files hold now (following symlinks): a change of any byte, by any means, changes it. */
function fingerprint(files: TlsFiles): string {
  const hash = createHash('sha256');
  for (const file of [files.certFile, files.keyFile, files.caFile]) {
    try {
      if (file !== undefined) hash.update(readFileSync(file));
    } catch {
      hash.update('unreadable');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

function publishExpiry(o: TlsFilesWatchOptions, m: TlsMaterial): void {
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  if (m.certNotAfter) o.metrics.certificateExpiryTimestamp.set({ kind: `${o.kind}-certificate`, pharmacy: '' }, seconds(m.certNotAfter));
  if (m.caNotAfter) o.metrics.certificateExpiryTimestamp.set({ kind: `${o.kind}-ca`, pharmacy: '' }, seconds(m.caNotAfter));
}
