import https from 'node:https';
import path from 'node:path';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { REPOSITORY_ROOT } from '../../gateway/src/repository-root.js';
import { runToEnd, startLoggedProcess, type LoggedProcess } from './logged-process.js';
import type { ComposeService } from './compose-file.js';
import { runAs } from './service-view.js';

/** The production image's entrypoint (Dockerfile: `ENTRYPOINT ["node", "gateway/bin/gateway.js"]`), run from the checkout. */
const ENTRYPOINT = [process.execPath, path.join(REPOSITORY_ROOT, 'gateway/bin/gateway.js')];

/** A container's PATH, with this Node first: compose's `sh -c "node …"` entrypoints find it. */
function containerPath(): string {
  return [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
}

/** The environment of a process standing for a container: its own variables and PATH, nothing inherited. */
function containerEnvironment(environment: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: containerPath(), ...environment };
}

/**
 * `gateway serve` as compose runs it: the image's entrypoint with the service's command, exactly
 * the service's environment, as the service's user when the rehearsal runs as root.
 *
 * @example const gw = startGatewayService(compose.services.gateway, env, logFile);
 */
export function startGatewayService(service: ComposeService, environment: Record<string, string>, logFile: string): LoggedProcess {
  const [node, script] = ENTRYPOINT as [string, string];
  const user = runAs(service);
  return startLoggedProcess(node, [script, ...(service.command.length ? service.command : ['serve'])], { env: containerEnvironment(environment), cwd: REPOSITORY_ROOT, logFile, ...(user ? { user } : {}) });
}

/** A one-shot service with its own entrypoint (compose's `migrate`), as its user, to its end; throws on a non-zero exit. */
export async function runOneShotService(service: ComposeService, environment: Record<string, string>): Promise<string> {
  const [program, ...args] = service.entrypoint;
  if (!program) throw new Error(`compose.yaml's ${service.name} service has no entrypoint`);
  const user = runAs(service);
  const r = await runToEnd(program, [...args, ...service.command], { env: containerEnvironment(environment), cwd: REPOSITORY_ROOT, ...(user ? { user } : {}) });
  // the head names the error; Node's own trailer (its version) says nothing
  if (r.code !== 0) throw new Error(`${service.name} exited ${r.code}: ${r.stderr.trim().split('\n').slice(0, 6).join(' / ')}`);
  return r.stdout;
}

/** An operator's `gateway …` command, run with `environment` (the gateway's, plus the owner's database URL). */
export function runGatewayCommand(args: string[], environment: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const [node, script] = ENTRYPOINT as [string, string];
  return runToEnd(node, [script, ...args], { env: containerEnvironment(environment), cwd: REPOSITORY_ROOT });
}

/** The metrics listener as Prometheus and the kubelet reach it: TLS verified against `caPem` for `servername`. */
export interface MetricsEndpoint {
  port: number;
  caPem: string;
  servername: string;
}

/** The status of `GET /readyz` (0 when nothing answers). */
export function readyz(m: MetricsEndpoint): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port: m.port, path: '/readyz', servername: m.servername, ca: m.caPem, ...anssiTlsOptions(), timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Waits until `/readyz` answers 200, failing early if the process exits. */
export async function untilReady(gateway: LoggedProcess, metrics: MetricsEndpoint, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await readyz(metrics)) !== 200) {
    if (!gateway.running()) throw new Error(`gateway serve exited with ${await gateway.exited()}`);
    if (Date.now() > deadline) throw new Error(`/readyz not 200 within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
