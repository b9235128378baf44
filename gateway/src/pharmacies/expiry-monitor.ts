import type { Gauge } from 'prom-client';
import type { Database } from '../db/index.js';
import type { Logger } from '../observability/index.js';
import { recordExpiringCertificateCallbacks } from '../results/lifecycle/callbacks.js';
import { nearestExpiryByPharmacy } from './certificates.js';

const DAY_MS = 86_400_000;
/** Issue #7: warn 30 days before a certificate expires. */
export const EXPIRY_WARNING_DAYS = 30;

/**
 * Sets `gateway_certificate_expiry_days{pharmacy}` (days to the nearest expiry among the valid
 * certificates of each active pharmacy; 0 when it has none) and logs a warning, at most once a
 * day per pharmacy, when that is under 30 days: issue the next certificate, then revoke the old
 * one as superseded. Labels are pharmacy ids, bounded by the registry. With `timestamps`, also
 * sets `gateway_certificate_expiry_timestamp_seconds{kind="pharmacy", pharmacy}` (notAfter; 0: none valid).
 */
export function createExpiryMonitor(o: { db: Database; gauge: Gauge<'pharmacy'>; timestamps?: Gauge<'kind' | 'pharmacy'>; log: Logger; clock?: () => number }) {
  const now = o.clock ?? Date.now;
  const warnedAt = new Map<string, number>();
  let published = new Set<string>();
  return {
    async check(): Promise<void> {
      const rows = await nearestExpiryByPharmacy(o.db);
      // pharmacy software subscribed to it learns too (once per certificate and endpoint)
      await recordExpiringCertificateCallbacks(o.db, EXPIRY_WARNING_DAYS);
      o.gauge.reset(); // a deactivated pharmacy's series disappears
      // the timestamp gauge also holds the gateway's own certificates: remove only pharmacies gone
      for (const id of published) if (!rows.some((r) => r.pharmacyId === id)) o.timestamps?.remove({ kind: 'pharmacy', pharmacy: id });
      published = new Set(rows.map((r) => r.pharmacyId));
      for (const r of rows) {
        const days = r.notAfter ? Math.max(0, (r.notAfter.getTime() - now()) / DAY_MS) : 0;
        o.gauge.set({ pharmacy: r.pharmacyId }, Math.floor(days * 10) / 10);
        o.timestamps?.set({ kind: 'pharmacy', pharmacy: r.pharmacyId }, r.notAfter ? Math.floor(r.notAfter.getTime() / 1000) : 0);
        if (days >= EXPIRY_WARNING_DAYS || now() - (warnedAt.get(r.pharmacyId) ?? -Infinity) < DAY_MS) continue;
        warnedAt.set(r.pharmacyId, now());
        o.log.warn({ pharmacyId: r.pharmacyId, finess: r.finess, days: Math.floor(days) }, 'client certificate expires soon: issue the next one (gateway cert issue)');
      }
    },
  };
}
