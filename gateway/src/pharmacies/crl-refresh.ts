import { asRegistrar, type Database } from '../db/index.js';
import { errorSummary, type Logger } from '../observability/index.js';
import type { CertificateAuthority } from '../pki/index.js';
import { publishCrl } from './certificates.js';

const ACTOR = { type: 'system' as const, id: 'crl-refresh' };

/**
 * Keeps the registry's copy of a CA's own CRL current (Vault PKI rebuilds its CRL before expiry,
 * `auto_rebuild` in deploy/vault/init.sh): fetched at start and every `intervalMs`, stored only
 * when it changed, so the revocation watch of every replica loads it. A failed fetch is logged
 * and retried; revocation still holds by fingerprint. The dev CA's CRL is re-signed by
 * `gateway cert crl` instead, and an external CA has none.
 */
export function createCrlRefresh(o: { db: Database; ca: CertificateAuthority; intervalMs: number; log: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  async function refresh(): Promise<void> {
    try {
      const { stored, entries, nextUpdate } = await asRegistrar(o.db, (tx) => publishCrl(tx, o.ca, ACTOR));
      if (stored) o.log.info({ entries, nextUpdate }, 'CRL of the certificate authority stored');
    } catch (e) {
      o.log.warn({ err: errorSummary(e) }, 'CRL refresh from the certificate authority failed; will retry');
    }
  }
  return {
    async start(): Promise<void> {
      if (o.ca.kind !== 'vault-pki') return;
      await refresh();
      timer = setInterval(() => void refresh(), o.intervalMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
