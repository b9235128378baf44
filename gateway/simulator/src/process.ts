import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isRecord, parseJson } from '@sidep-gateway/gateway/sidep/index.js';

/** Files the simulator process reads, and where it listens. */
export interface SimulatorProcessOptions {
  /** CA whose client certificates may connect. */
  caPath: string;
  certPath: string;
  keyPath: string;
  journalPath?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long to wait for the ready line. Default 60 s: indexing the R4 definitions takes seconds on a busy machine. */
  readyTimeoutMs?: number;
}

/** A simulator running in a child process. */
export interface SimulatorProcess {
  /** The simulator's origin, `https://127.0.0.1:PORT`. */
  url: string;
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_CHARS = 2_000;

/**
 * Starts `simulator/main.ts` in its own Node process (through tsx, found from this package)
 * and resolves once it prints its ready line. Used by the demo and by tests.
 *
 * @example
 * const sim = await startSimulatorProcess({ caPath: pki.ca.certPath, certPath: pki.server.certPath, keyPath: pki.server.keyPath });
 * try { … sim.url … } finally { await sim.stop(); }
 */
export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const args = [
    ...['--import', tsx, main],
    ...['--ca', resolve(options.caPath), '--cert', resolve(options.certPath), '--key', resolve(options.keyPath)],
    ...['--port', String(options.port ?? 0), '--host', options.host ?? '127.0.0.1'],
    ...(options.journalPath === undefined ? [] : ['--journal', resolve(options.journalPath)]),
  ];
  // stdin stays open as a lifeline: if this process dies, even by SIGKILL, the simulator sees EOF and exits
  const child = spawn(process.execPath, [...args, '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<string>((resolveUrl, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      reject(new Error(`The SI-DEP simulator ${reason}.`));
    };
    const timer = setTimeout(() => fail('did not get ready in time'), options.readyTimeoutMs ?? 60_000);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code) => fail(`exited (code ${code}) before it was ready: ${stderr}`));
    lines.on('line', (line) => {
      const url = readyUrl(line);
      if (url !== undefined) {
        clearTimeout(timer);
        resolveUrl(url);
      }
    });
  });
  try {
    const url = await ready;
    return { url, pid: child.pid ?? -1, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readyUrl(line: string): string | undefined {
  const message = parseJson(line);
  return isRecord(message) && message.ready === true && typeof message.url === 'string' ? message.url : undefined;
}
