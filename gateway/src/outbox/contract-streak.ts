import type { RejectionIssue } from '../sidep/index.js';

/** When SI-DEP refusing one shape opens the contract circuit (`relay.contractRefusals`, `relay.contractWindowSeconds`). */
export interface ContractCircuitSettings {
  /** Consecutive refusals with one signature that open it. */
  refusals: number;
  /** …counted from the first of them. */
  windowSeconds: number;
}

/** The current run of consecutive refusals with one signature. */
export interface Streak {
  signature: string;
  refusals: number;
  startedAt: Date;
}

/**
 * What a refusal says about the message's shape, not about the message: its HTTP status and the
 * distinct `code:expression` pairs of its issues, list indexes dropped and sorted. Results whose
 * messages break the same rule get the same signature whichever entry or repetition is at fault.
 *
 * @example
 * rejectionSignature(422, [{ code: 'required', expression: 'Bundle.entry[6].resource.method' }]); // '422 required:Bundle.entry[].resource.method'
 */
export function rejectionSignature(httpStatus: number, issues: readonly RejectionIssue[]): string {
  const points = new Set(issues.map((i) => `${i.code}:${i.expression.replace(/\[\d+\]/g, '[]')}`));
  return [String(httpStatus), ...[...points].sort()].join(' ');
}

/**
 * The streak after one more refusal at `now`: one longer when it has the streak's signature and
 * the streak began within the window, else a new streak of one. An acceptance ends a streak
 * (`refusals: 0`) elsewhere.
 */
export function nextStreak(current: Streak | undefined, signature: string, now: Date, settings: ContractCircuitSettings): Streak {
  const continues =
    current !== undefined && current.refusals > 0 && current.signature === signature && now.getTime() - current.startedAt.getTime() < settings.windowSeconds * 1000;
  return continues ? { ...current, refusals: current.refusals + 1 } : { signature, refusals: 1, startedAt: now };
}

/**
 * Whether a gateway of contract `version` brings the fix a circuit opened under `opened` waits
 * for: a later version. An earlier one (a replica not yet replaced in a rolling update, a
 * rollback) still sends what SI-DEP refused, so it leaves the circuit open.
 */
export function supersedesContract(version: string, opened: string): boolean {
  return /^\d+$/.test(version) && /^\d+$/.test(opened) && Number(version) > Number(opened);
}

/** Whether `streak` is long enough to open the circuit. */
export function opensCircuit(streak: Streak, settings: ContractCircuitSettings): boolean {
  return streak.refusals >= settings.refusals;
}
