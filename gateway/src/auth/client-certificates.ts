import type { Database } from '../db/index.js';
import type { PharmacyPrincipal } from './principal.js';

/**
 * Maps a client certificate's fingerprint to its pharmacy: known, not revoked, not expired,
 * pharmacy active. Lookups are cached briefly so a busy pharmacy costs one query per few seconds;
 * a revocation therefore takes effect within `cacheMs`.
 */
export function createCertificateDirectory(o: { db: Database; cacheMs?: number; clock?: () => number }) {
  const cacheMs = o.cacheMs ?? 5_000;
  const now = o.clock ?? Date.now;
  const cache = new Map<string, { at: number; principal: PharmacyPrincipal | null }>();

  async function lookup(fingerprint: string): Promise<PharmacyPrincipal | null> {
    const row = await o.db
      .selectFrom('client_certificates as c')
      .innerJoin('pharmacies as p', 'p.id', 'c.pharmacy_id')
      .select(['p.id as pharmacyId', 'p.finess', 'c.not_after'])
      .where('c.fingerprint', '=', fingerprint)
      .where('c.revoked_at', 'is', null)
      .where('p.active', '=', true)
      .executeTakeFirst();
    if (!row || row.not_after.getTime() <= now()) return null;
    return { kind: 'pharmacy', pharmacyId: row.pharmacyId, finess: row.finess, fingerprint };
  }

  return {
    async principalFor(fingerprint: string): Promise<PharmacyPrincipal | null> {
      const hit = cache.get(fingerprint);
      if (hit && now() - hit.at < cacheMs) return hit.principal;
      const principal = await lookup(fingerprint);
      if (cache.size > 10_000) cache.clear();
      cache.set(fingerprint, { at: now(), principal });
      return principal;
    },
    /** Forget cached answers (after a revocation in this process). */
    invalidate(): void {
      cache.clear();
    },
  };
}

export type CertificateDirectory = ReturnType<typeof createCertificateDirectory>;
