/**
 * The load generators' common parts: each (`load.ts`, `scale/open-loop-load.ts`) runs in a
 * process of its own, so that its CPU is not the measured gateway's, takes a JSON plan as its
 * argument and prints one JSON report as its last line.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a load generator prints. */
export interface LoadReport {
  ok: number;
  errors: number;
  /** Error kinds and counts (status codes or error names). */
  errorKinds: Record<string, number>;
  /** Answered per second over the measured window. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Runs a load generator script (a file URL or path) with its plan; its report once it exits 0. */
export async function runLoadScript<T = LoadReport>(script: URL | string, plan: unknown): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', script instanceof URL ? fileURLToPath(script) : script, JSON.stringify(plan)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  createInterface({ input: child.stdout }).on('line', (l) => (last = l));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${String(script)} exited with ${code}`);
  return JSON.parse(last) as T;
}

/** `tests/bench/load.ts`. */
export const LOAD_SCRIPT = new URL('./load.ts', import.meta.url);

/** Counts one error of this kind (a status code and problem code, or an error name). */
export function tallyError(errorKinds: Record<string, number>, kind: string): void {
  errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
}

/** The report of a run: the latencies answered within the measured window, in ms, and the errors. */
export function loadReport(latencies: number[], errorKinds: Record<string, number>, elapsedSeconds: number): LoadReport {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
  const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
  return { ok: sorted.length, errors, errorKinds, rps: Math.round(sorted.length / elapsedSeconds), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Number((sorted.at(-1) ?? 0).toFixed(2)) };
}
