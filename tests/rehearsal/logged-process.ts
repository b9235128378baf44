import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** A child process whose stdout and stderr go to a log file (kept when the rehearsal fails). */
export interface LoggedProcess {
  child: ChildProcess;
  running(): boolean;
  /** Resolves with the exit code (null when killed by a signal, or when it could not start). */
  exited(): Promise<number | null>;
  /** Resolves once `pattern` has appeared in the output, rejects if the process exits first or after `ms`. */
  untilOutput(pattern: RegExp, ms: number): Promise<void>;
  /** The signal (SIGTERM by default), then SIGKILL after 10 s; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const TAIL_CHARS = 64 * 1024;

/**
 * Starts `command` with exactly `env` (nothing of the caller's environment leaks in: a stray
 * VAULT_* variable must not change what the deploy files say), logging to `logFile`.
 *
 * @example
 * const bao = startLoggedProcess(binary, ['server', `-config=${config}`], { env: { PATH }, logFile });
 */
export function startLoggedProcess(command: string, args: string[], o: { env: NodeJS.ProcessEnv; logFile: string; cwd?: string; user?: { uid: number; gid: number } }): LoggedProcess {
  const log = createWriteStream(o.logFile, { flags: 'a', mode: 0o600 });
  const child = spawn(command, args, { env: o.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...o.user });
  let tail = '';
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
      for (const w of waiters) w();
    });
  }
  let exited = false;
  const exit = new Promise<number | null>((resolve) => {
    child.once('error', (e) => {
      log.write(`spawn failed: ${e.message}\n`);
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  }).then((code) => {
    exited = true;
    for (const w of waiters) w();
    log.end();
    return code;
  });
  return {
    child,
    running: () => !exited,
    exited: () => exit,
    untilOutput: (pattern, ms) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(tail)) done(() => resolve());
          else if (exited) done(() => reject(new Error(`${command} exited before printing ${pattern} (see ${o.logFile})`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${command} did not print ${pattern} within ${ms / 1000} s (see ${o.logFile})`))), ms);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
    async stop(signal = 'SIGTERM') {
      if (exited) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Runs a command to its end with exactly `env` and `input` on stdin; resolves with its exit code and output. */
export async function runToEnd(command: string, args: string[], o: { env: NodeJS.ProcessEnv; cwd?: string; user?: { uid: number; gid: number }; input?: Buffer }): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(command, args, { env: o.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'], ...o.user });
  child.stdin.end(o.input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? 1, stdout, stderr };
}
