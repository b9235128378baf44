import type { Counter } from 'prom-client';

/** Label value of the pharmacies beyond the limit. */
export const OTHER_PHARMACIES = 'other';

/**
 * Bounds the `pharmacy` label: the first `limit` pharmacies seen by this process keep their id,
 * later ones share `other`, so a chain larger than configured cannot blow up the series count.
 */
export function createPharmacyLabels(limit: number): (pharmacyId: string) => string {
  const labelled = new Set<string>();
  return (pharmacyId) => {
    if (labelled.has(pharmacyId)) return pharmacyId;
    if (labelled.size >= limit) return OTHER_PHARMACIES;
    labelled.add(pharmacyId);
    return pharmacyId;
  };
}

/**
 * Wraps a submit service so that each new result it accepts counts for its pharmacy
 * (`gateway_pharmacy_results_total`); replays of an idempotency key do not count again.
 * @example const submit = countAcceptedPerPharmacy(createSubmitService(deps), { counter: metrics.pharmacyResults, limit: 200 });
 */
export function countAcceptedPerPharmacy<R extends { principal: { pharmacyId: string } }, A extends { replayed: boolean }, S extends { submit(req: R): Promise<A> }>(
  service: S,
  o: { counter: Counter<'pharmacy'>; limit: number },
): S {
  const label = createPharmacyLabels(o.limit);
  return {
    ...service,
    async submit(req: R): Promise<A> {
      const accepted = await service.submit(req);
      if (!accepted.replayed) o.counter.inc({ pharmacy: label(req.principal.pharmacyId) });
      return accepted;
    },
  };
}
