/**
 * A synthetic submission for the demo's ready-to-paste `curl`: the NIR is DOMAIN.md's synthetic
 * example, the times are minutes ago (the intake refuses results older than 7 days).
 */
export function sampleResult(now: Date): object {
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
  return {
    pharmacyFiness: '759999907',
    performer: { rpps: '10000123454' },
    patient: {
      nir: '185036912345609',
      birthName: 'Exemple',
      firstNames: ['Jean'],
      birthDate: '1985-03-14',
      sex: 'M',
      phone: '0600000000',
    },
    test: {
      loinc: '94558-4',
      result: '260415000',
      specimen: '258500001',
      device: { euRatId: '1232' },
      collectedAt: minutesAgo(20),
      resultAt: minutesAgo(5),
    },
  };
}
