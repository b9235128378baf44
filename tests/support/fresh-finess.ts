import { finessIssue } from '../../gateway/src/results/index.js';

// consecutive from a fixed start: each test file has a database of its own
let serial = 75_000_010;

/**
 * A FINESS with a valid key that this process has not handed out before (never one of the demo
 * pharmacies'), for tests that add pharmacies.
 * @example await addPharmacy(db, { finess: freshFiness(), name: 'Pharmacie du test', actor });
 */
export function freshFiness(): string {
  for (;;) {
    const first8 = String(serial++);
    for (let key = 0; key <= 9; key++) if (finessIssue(`${first8}${key}`) === undefined) return `${first8}${key}`;
  }
}
