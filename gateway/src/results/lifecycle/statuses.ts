/**
 * The lifecycle's table: which status moves to which, and which settled status is purged when.
 * The statuses themselves are the schema's (`db/column-types.ts`); this file imports only them, so
 * the admin UI bundles it as is.
 */
import { RESULT_STATUSES, type ResultStatus } from '../../db/column-types.js';

export { RESULT_STATUSES, isResultStatus, type ResultStatus } from '../../db/column-types.js';

/** What each status may move to, and who moves it (results/lifecycle/ holds every such write). */
export const RESULT_TRANSITIONS = {
  // claimed by the relay; withdrawn by a correction or cancellation before SI-DEP saw it
  received: ['delivering', 'cancelled'],
  // claimed again once a crashed worker's lease expired; settled; withdrawn after that expiry
  delivering: ['delivering', 'retrying', 'delivered', 'dead-lettered', 'cancelled'],
  retrying: ['delivering', 'cancelled'],
  // its cancellation delivered, or refused
  delivered: ['cancelled', 'dead-lettered'],
  // redriven; withdrawn by a cancellation, or its cancellation delivered
  'dead-lettered': ['received', 'cancelled'],
  cancelled: [],
} as const satisfies { readonly [S in ResultStatus]: readonly ResultStatus[] };

/** The statuses from which a result may move to `to`. */
export function statusesMovingTo(to: ResultStatus): ResultStatus[] {
  return RESULT_STATUSES.filter((from) => (RESULT_TRANSITIONS[from] as readonly ResultStatus[]).includes(to));
}

/** Settled statuses, each with the retention setting after which its personal data is purged (DESIGN.md "Retention"). */
export const RESULT_RETENTION = {
  delivered: 'deliveredDays',
  cancelled: 'deliveredDays',
  'dead-lettered': 'deadLetteredDays',
} as const satisfies { readonly [S in ResultStatus]?: 'deliveredDays' | 'deadLetteredDays' };

export type SettledStatus = keyof typeof RESULT_RETENTION;

/** Statuses still on their way to SI-DEP: the relay's backlog. */
export const IN_FLIGHT_STATUSES = RESULT_STATUSES.filter((s): s is Exclude<ResultStatus, SettledStatus> => !(s in RESULT_RETENTION));
