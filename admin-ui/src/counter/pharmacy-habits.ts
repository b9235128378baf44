/**
 * What this workstation remembers of the tests done at one pharmacy: the last test type and
 * specimen, and the devices of its last saves, so the counter offers them first. Kept in
 * `localStorage`, one entry per FINESS; no personal data.
 */
export interface PharmacyHabits {
  loinc?: string;
  specimen?: string;
  /** The last device used here (EU id). */
  lastDevice?: string;
  /** The pharmacy's usual kits, most used first (EU ids, `lastDevice` excluded). */
  usualDevices: string[];
}

interface Stored {
  loinc?: string;
  specimen?: string;
  /** EU ids of the last saves, newest first. */
  devices?: string[];
}

// a box of kits lasts a few days at a busy counter: 50 saves show which kits are in stock
const HISTORY = 50;
const USUAL = 3;

const keyOf = (finess: string) => `sidep-gateway.counter.habits.${finess}`;

function read(finess: string): Stored {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(keyOf(finess)) ?? '{}');
    return v && typeof v === 'object' ? (v as Stored) : {};
  } catch {
    return {};
  }
}

/**
 * The pharmacy's habits: "usual" = the devices of its last 50 saves on this workstation,
 * ranked by how often each was used (ties: the more recent first).
 *
 * @example
 * habitsAt('759999907'); // { loinc: '94558-4', lastDevice: '1232', usualDevices: ['1468'] }
 */
export function habitsAt(finess: string): PharmacyHabits {
  const s = read(finess);
  const history = Array.isArray(s.devices) ? s.devices.filter((d) => typeof d === 'string') : [];
  const counts = new Map<string, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  // Map keeps first appearance = most recent; the sort is stable, so ties stay newest first
  const usualDevices = [...counts].filter(([id]) => id !== history[0]).sort((a, b) => b[1] - a[1]).slice(0, USUAL).map(([id]) => id);
  return { loinc: s.loinc, specimen: s.specimen, lastDevice: history[0], usualDevices };
}

/** Records a save at the pharmacy: a device off the list is not a habit. */
export function rememberSave(finess: string, save: { loinc: string; specimen: string; euRatId?: string }): void {
  const s = read(finess);
  const devices = save.euRatId ? [save.euRatId, ...(s.devices ?? [])].slice(0, HISTORY) : s.devices;
  localStorage.setItem(keyOf(finess), JSON.stringify({ loinc: save.loinc, specimen: save.specimen, devices }));
}
