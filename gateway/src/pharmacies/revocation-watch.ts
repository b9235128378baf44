import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { errorSummary, type Logger } from '../observability/index.js';
import { certificateFingerprint } from '../pki/index.js';

/** How far back each poll looks for revocations and deactivations whose connections may still be open. */
const RECENT = sql`interval '10 minutes'`;

export interface RevocationWatchOptions {
  db: Database;
  /** The intake listener's client CA bundle (`intake.clientCaFile`), as loaded now: the file may be replaced. */
  clientCaPem: () => string;
  pollMs: number;
  log: Logger;
  /** Reloads the listener's TLS context: with these CRLs, or none. */
  applyCrls(crls: string[]): void;
  /** The fingerprint table changed: forget cached lookups. */
  invalidate(): void;
  /** Ends the open connections of a certificate that no longer authenticates. */
  closeConnections(fingerprint: string): number;
}

/**
 * Makes revocation take effect within one poll, without restart (DESIGN "mTLS outcomes"):
 * loads each newly signed CRL into the listener (next handshake refused), forgets cached
 * fingerprint lookups (next request 401) and closes open connections of certificates revoked
 * or of pharmacies deactivated recently.
 *
 * CRLs are loaded only when every CA of the bundle has a current one: OpenSSL refuses every
 * certificate of a CA without a CRL, or with an expired one. Otherwise revocation still holds
 * through the fingerprint table alone, and an error is logged.
 */
export function createRevocationWatch(o: RevocationWatchOptions) {
  let loaded: string | undefined;
  let denied = '';
  let timer: NodeJS.Timeout | undefined;

  async function reloadCrls(): Promise<void> {
    const caFingerprints = splitPem(o.clientCaPem()).map(certificateFingerprint);
    const rows = await o.db
      .selectFrom('certificate_revocation_lists')
      .distinctOn('issuer_fingerprint')
      .select(['issuer_fingerprint', 'crl_number', 'pem', 'next_update'])
      .where('issuer_fingerprint', 'in', caFingerprints)
      .orderBy('issuer_fingerprint')
      .orderBy('crl_number', 'desc')
      .execute();
    const current = rows.filter((r) => r.next_update.getTime() > Date.now());
    const complete = current.length === caFingerprints.length;
    // a new CA bundle needs its own CRLs, even when the CRL numbers happen to stay the same
    const state = `${caFingerprints.join(',')}/${complete ? current.map((r) => r.crl_number).join(',') : `none:${rows.length}:${current.length}`}`;
    if (state === loaded) return;
    o.applyCrls(complete ? current.map((r) => r.pem) : []);
    if (complete) o.log.info({ crls: current.map((r) => ({ crlNumber: r.crl_number, nextUpdate: r.next_update })) }, 'client certificate CRLs loaded');
    else if (current.length < rows.length) o.log.error({ expired: rows.length - current.length }, 'a CRL is past its nextUpdate: run `gateway cert crl`; revoked certificates are refused by fingerprint only');
    else if (rows.length) o.log.warn({ caCount: caFingerprints.length, crlCount: rows.length }, 'CRLs not loaded: not every client CA has one; revoked certificates are refused by fingerprint only');
    loaded = state;
  }

  async function closeDenied(): Promise<void> {
    const rows = await o.db
      .selectFrom('client_certificates as c')
      .innerJoin('pharmacies as p', 'p.id', 'c.pharmacy_id')
      .select('c.fingerprint')
      .where((eb) => eb.or([eb('c.revoked_at', '>', sql<Date>`now() - ${RECENT}`), eb('p.deactivated_at', '>', sql<Date>`now() - ${RECENT}`)]))
      .orderBy('c.fingerprint')
      .execute();
    const key = rows.map((r) => r.fingerprint).join(',');
    if (key !== denied) o.invalidate();
    denied = key;
    let closed = 0;
    for (const { fingerprint } of rows) closed += o.closeConnections(fingerprint);
    if (closed) o.log.warn({ closed }, 'closed connections of revoked client certificates');
  }

  async function poll(): Promise<void> {
    await reloadCrls();
    await closeDenied();
  }

  return {
    /** Loads the current CRLs (before the listener accepts anyone), then polls every `pollMs`. */
    async start(): Promise<void> {
      await poll();
      timer = setInterval(() => {
        poll().catch((e) => o.log.warn({ err: errorSummary(e) }, 'revocation poll failed; will retry'));
      }, o.pollMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type RevocationWatch = ReturnType<typeof createRevocationWatch>;

function splitPem(bundle: string): string[] {
  const pems = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new Error('intake.clientCaFile holds no certificate.');
  return pems;
}
