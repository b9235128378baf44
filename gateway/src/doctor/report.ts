/** One line of `gateway doctor`: what was checked, what was found, and how to fix it. */
export interface CheckResult {
  /** Stable id for scripts (`database.migrations`). */
  id: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found; names settings and files, never a secret or a personal value. */
  summary: string;
  /** The fix, for a warning or a failure. */
  hint?: string;
}

export interface DoctorReport {
  /** False when any check failed: the command exits 1. */
  ok: boolean;
  checks: CheckResult[];
}

export const ok = (id: string, summary: string): CheckResult => ({ id, status: 'ok', summary });
export const warn = (id: string, summary: string, hint: string): CheckResult => ({ id, status: 'warn', summary, hint });
export const fail = (id: string, summary: string, hint: string): CheckResult => ({ id, status: 'fail', summary, hint });
export const skip = (id: string, summary: string): CheckResult => ({ id, status: 'skip', summary });

/** The reason of a thrown error as one line, without a stack (messages of pg, tls and fs name no secret). */
export function reason(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message.split('\n')[0] : 'unknown error';
  return typeof err?.code === 'string' && !String(message).includes(err.code) ? `${err.code}: ${message}` : String(message);
}

/**
 * The report for people: one line per check, the fix indented below.
 * @example process.stdout.write(formatReport(report));
 */
export function formatReport(r: DoctorReport): string {
  const label = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;
  const lines = r.checks.flatMap((c) => [`${label[c.status]}  ${c.id.padEnd(28)} ${c.summary}`, ...(c.hint ? [`      fix: ${c.hint}`] : [])]);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  lines.push('', failed ? `${failed} check(s) failed, ${warned} warning(s).` : `All checks passed, ${warned} warning(s).`);
  return `${lines.join('\n')}\n`;
}
