import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createDevCa,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAndKey,
} from './dev-ca.js';

/** A certificate and key as PEM, with the files that hold them. */
export interface StoredCertificate extends CertificateAndKey {
  certPath: string;
  keyPath: string;
}

/** The development PKI on disk: CA, server certificate, one client certificate per name. */
export interface DevPki {
  ca: StoredCertificate;
  server: StoredCertificate;
  /** Keyed by the names passed to `ensureDevPki`. */
  clients: Record<string, StoredCertificate>;
}

/** Client names become file names and subject CNs: keep them to a safe alphabet. */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Makes sure `dir` holds a usable development PKI and returns it: `ca.pem`, `ca-key.pem`,
 * `server.pem`, `server-key.pem`, `clients/<name>.pem`, `clients/<name>-key.pem`. Files that
 * exist, match their key, chain to the CA and are within their validity are reused; anything
 * else is issued anew (all of it when the CA is). Keys are mode 0600, directories 0700.
 * Not safe for two processes preparing the same `dir` at once.
 *
 * @example
 * const pki = await ensureDevPki('.data/pki', { clients: ['759999907', '759999915'] });
 * pki.clients['759999907']?.certPath; // '.data/pki/clients/759999907.pem'
 */
export async function ensureDevPki(dir: string, options: { clients: string[] }): Promise<DevPki> {
  options.clients.forEach((name, index) => {
    if (!CLIENT_NAME.test(name)) throw new Error(`clients[${index}] is not a valid certificate name.`);
  });
  const clientsDir = join(dir, 'clients');
  await mkdir(clientsDir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await chmod(clientsDir, 0o700);

  const existingCa = await readUsable(pemPaths(dir, 'ca'));
  const ca = existingCa ?? (await store(pemPaths(dir, 'ca'), await createDevCa()));
  const reuse = existingCa !== undefined;
  const leaf = (paths: PemPaths, issue: () => Promise<CertificateAndKey>): Promise<StoredCertificate> =>
    ensureLeaf(paths, ca, reuse, issue);

  const server = await leaf(pemPaths(dir, 'server'), () => issueServerCertificate(ca));
  const clients: Record<string, StoredCertificate> = {};
  for (const name of options.clients) {
    clients[name] = await leaf(pemPaths(clientsDir, name), () => issueClientCertificate(ca, { commonName: name }));
  }
  return { ca, server, clients };
}

interface PemPaths {
  certPath: string;
  keyPath: string;
}

function pemPaths(dir: string, stem: string): PemPaths {
  return { certPath: join(dir, `${stem}.pem`), keyPath: join(dir, `${stem}-key.pem`) };
}

async function ensureLeaf(
  paths: PemPaths,
  ca: CertificateAndKey,
  reuse: boolean,
  issue: () => Promise<CertificateAndKey>,
): Promise<StoredCertificate> {
  const existing = reuse ? await readUsable(paths, ca) : undefined;
  return existing ?? store(paths, await issue());
}

/** The stored pair if both files exist and are consistent, current and (for a leaf) signed by `ca`. */
async function readUsable(paths: PemPaths, ca?: CertificateAndKey): Promise<StoredCertificate | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfPresent(paths.certPath), readIfPresent(paths.keyPath)]);
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const cert = new X509Certificate(certPem);
    const now = Date.now();
    const current = Date.parse(cert.validFrom) <= now && now < Date.parse(cert.validTo);
    const signedByCa = ca === undefined || cert.verify(new X509Certificate(ca.certPem).publicKey);
    const usable = current && signedByCa && cert.checkPrivateKey(createPrivateKey(keyPem));
    return usable ? { ...paths, certPem, keyPem } : undefined;
  } catch {
    return undefined; // unreadable PEM: issue a fresh pair
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Key first, each file renamed into place, so a reader never sees half a file. */
async function store(paths: PemPaths, pair: CertificateAndKey): Promise<StoredCertificate> {
  await writeAtomically(paths.keyPath, pair.keyPem, 0o600);
  await writeAtomically(paths.certPath, pair.certPem, 0o644);
  return { ...paths, ...pair };
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode); // writeFile keeps a leftover file's mode, and the umask trims a new one's
  await rename(temporary, path);
}
