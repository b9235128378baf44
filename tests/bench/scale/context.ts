import type { GatewayStack, StackOptions } from '../../crash/gateway-stack.js';
import type { OwnPostgres } from '../../crash/own-postgres.js';

/** The sizes of a run, already multiplied by the size factor. */
export interface ScaleSizes {
  results: number;
  auditEvents: number;
  outage: number;
}

/** What every phase module of the scale bench receives (README.md in this folder). */
export interface ScalePhaseContext {
  quick: boolean;
  /** Multiplies every size (`--size-factor`, default 1): develop at 0.001. */
  factor: number;
  sizes: ScaleSizes;
  /** The bench's own embedded Postgres. */
  postgres: OwnPostgres;
  /** A gateway stack on a new database of that cluster; the phase closes it. */
  startStack(settings?: StackOptions['settings']): Promise<GatewayStack>;
  /**
   * Adds `count` results to the stack's database (data.ts): 'pending' ones sealed by the
   * product's sealer under the stack's keyring and queued in the outbox, as intake leaves them;
   * 'history' the bulk mix of receipts, delivered, dead-lettered and retrying results.
   */
  fillResults(stack: GatewayStack, o: { count: number; state: 'pending' | 'history' }): Promise<void>;
  /** A line of the printed table. */
  note(phase: string, figures: string): void;
}

export type ScalePhase = (ctx: ScalePhaseContext) => Promise<Record<string, number | string>>;
