import { spawn } from 'node:child_process';

/** How a command ended, and what it wrote. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end without a shell, with `input` on stdin (none: stdin closed) and only
 * the environment given (default: PATH alone), calling `onStdout` with everything written so far,
 * for a test that acts while the command still runs.
 * @example const { code, stdout } = await run('sh', ['deploy/vault/secret-id', 'unwrap', role, file], { env, input: token });
 */
export function run(command: string, args: string[], o: { env?: NodeJS.ProcessEnv; input?: string | Buffer; onStdout?: (text: string) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: o.env ?? { PATH: process.env.PATH ?? '' } });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString();
      o.onStdout?.(out.stdout);
    });
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...out }));
    child.stdin.end(o.input);
  });
}

/**
 * `run`, failing unless the command exits 0; resolves to its stdout.
 * @example const pem = await must('gpg', ['--armor', '--export', email]);
 */
export async function must(command: string, args: string[], o: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(command, args, o);
  if (r.code !== 0) throw new Error(`${command} ${args[0] ?? ''} exited ${r.code}: ${r.stderr.slice(-500)}`);
  return r.stdout;
}
