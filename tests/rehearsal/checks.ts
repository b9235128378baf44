/** A check the rehearsal could not pass; later checks that depend on it are not attempted. */
export class RehearsalStopped extends Error {}

/** The named checks of a run, printed one line each as they end. */
export interface CheckList {
  /** Runs one check; what it returns is printed after its name, what it throws fails it. */
  run(name: string, check: () => Promise<string | void>): Promise<boolean>;
  /** As `run`, but a failure stops the rehearsal (throws RehearsalStopped): what follows needs it. */
  require(name: string, check: () => Promise<string | void>): Promise<void>;
  /** A line of information (what was rewritten, where the logs are), not a check. */
  note(line: string): void;
  readonly passed: number;
  readonly failed: number;
  /** `rehearsal: N passed, N failed` */
  summary(): string;
}

/**
 * @example
 * const checks = createCheckList((line) => process.stdout.write(`${line}\n`));
 * await checks.run('results are delivered', async () => `${n} delivered`);
 */
export function createCheckList(print: (line: string) => void): CheckList {
  let passed = 0;
  let failed = 0;
  const list: CheckList = {
    async run(name, check) {
      const started = Date.now();
      const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
      try {
        const detail = await check();
        passed++;
        print(`ok    ${name} (${took()})${detail ? `: ${detail}` : ''}`);
        return true;
      } catch (e) {
        failed++;
        print(`FAIL  ${name} (${took()}): ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
    },
    async require(name, check) {
      if (!(await list.run(name, check))) throw new RehearsalStopped(name);
    },
    note: (line) => print(`  # ${line}`),
    get passed() {
      return passed;
    },
    get failed() {
      return failed;
    },
    summary: () => `rehearsal: ${passed} passed, ${failed} failed`,
  };
  return list;
}

/** Polls `probe` until it returns a value (not undefined), or throws `what` after `ms`. */
export async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>, everyMs = 500): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(ms / 1000)} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
