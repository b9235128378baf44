import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPOSITORY_ROOT } from '../../gateway/src/repository-root.js';
import { OPENBAO_SKIP_REASON, openBaoBinary } from '../support/openbao.js';
import { systemTool } from '../support/system-tool.js';
import { createCheckList, RehearsalStopped, type CheckList } from './checks.js';
import { kubernetesGatewayOnThisHost, serveRefusals } from './kubernetes-environment.js';
import { runScenario } from './scenario.js';
import { startStack, type Stack } from './stack.js';

export interface RehearsalOptions {
  /** Without the waits for Prometheus alerts (the form `npm test` runs). */
  quick: boolean;
  print: (line: string) => void;
}

export interface Rehearsal {
  /** Resolves once everything started is stopped and the temporary files are gone. */
  finished: Promise<{ passed: number; failed: number }>;
  /** Ctrl-C: stops everything now, removes the temporary files (the logs stay), prints where the logs are. */
  interrupt(): Promise<void>;
}

/**
 * The production profile from the deploy files, on this machine: see stack.ts for what runs and
 * scenario.ts for the story. Prints one line per check, then `rehearsal: N passed, N failed`.
 * Everything lives in one temporary directory, removed at the end; on failure only its logs stay.
 *
 * @example
 * const { finished } = startRehearsal({ quick: true, print: console.log });
 * const { failed } = await finished;
 */
export function startRehearsal(o: RehearsalOptions): Rehearsal {
  let interrupted = false;
  // after Ctrl-C, what fails because its processes are gone is not news: interrupt() ends the output
  const print = (line: string) => {
    if (!interrupted) o.print(line);
  };
  const checks = createCheckList(print);
  const stops: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    })());
  // anything started after an interrupt is stopped at once
  const defer = (stop: () => Promise<void>) => (stopping ? void stop() : stops.push(stop));
  let root: string | undefined;
  let tidied: Promise<void> | undefined;
  const tidy = (keepLogs: boolean): Promise<void> =>
    (tidied ??= (async () => {
      await stopAll();
      if (!root) return;
      if (!keepLogs) return rm(root, { recursive: true, force: true });
      // secrets, keys and data go; the logs (no secrets, no personal data) stay for the post-mortem
      for (const entry of await readdir(root)) if (entry !== 'logs') await rm(path.join(root, entry), { recursive: true, force: true });
      o.print(`  # logs kept in ${path.join(root, 'logs')}`);
    })());

  const run = async () => {
    const started = Date.now();
    try {
      root = await mkdtemp(path.join(tmpdir(), 'rehearsal-'));
      // As root, PostgreSQL runs as its own user, which must traverse into its mounts (not list them).
      await chmod(root, 0o711);
      const logs = path.join(root, 'logs');
      await mkdir(logs, { mode: 0o700 });
      const pharmacyDir = path.join(root, 'pharmacy');
      o.print(`rehearsal${o.quick ? ' --quick (no waits for alerts)' : ''}: the production profile from compose.yaml, in ${root}`);
      const binaries = { openbao: openBaoBinary(), prometheus: systemTool('prometheus'), gpg: systemTool('gpg') };
      await checks.require('OpenBao (bao), Prometheus and GnuPG are installed', async () => {
        if (!binaries.openbao) throw new Error(OPENBAO_SKIP_REASON);
        if (!binaries.prometheus) throw new Error("needs Debian's prometheus package");
        if (!binaries.gpg) throw new Error("needs gpg (Debian's gnupg): the custodians' keys encrypt the unseal shares");
        return Object.values(binaries).join(', ');
      });
      const stack = await startStack({ root, logs }, checks, defer, binaries as { openbao: string; prometheus: string; gpg: string });
      checks.note('only hosts and ports are rewritten; SIDEP_URL is the install guide\'s demo value, https://sidep-simulator:8443');
      for (const line of stack.rewrites.lines()) checks.note(`rewritten: ${line}`);
      checks.note(`mapped: each service's secrets, volumes and bind mounts at their container paths under ${stack.files.mountsDir}/<service>`);
      await checkKubernetesDeployment(stack, checks);
      await runScenario(stack, checks, { quick: o.quick, pharmacyDir });
    } catch (e) {
      if (!(e instanceof RehearsalStopped)) await checks.run('the rehearsal runs to its end', () => Promise.reject(e));
    } finally {
      await tidy(checks.failed > 0);
    }
    print(`  # ${Math.round((Date.now() - started) / 1000)} s in all`);
    print(checks.summary());
    return { passed: checks.passed, failed: checks.failed };
  };
  return {
    finished: run(),
    async interrupt() {
      // the interruption counts as a failure: the rehearsal did not show what it set out to
      await checks.run('the rehearsal runs to its end', () => Promise.reject(new Error('interrupted: stopping everything')));
      interrupted = true;
      // counted now: what fails while everything stops is not counted
      const summary = checks.summary();
      await tidy(true);
      o.print(summary);
    },
  };
}

/** The Kubernetes Deployment's environment, its secret volume made of the same files, through serve's own refusals. */
async function checkKubernetesDeployment(stack: Stack, checks: CheckList): Promise<void> {
  await checks.run("the Kubernetes Deployment's gateway environment passes the production profile's rules", async () => {
    const env = kubernetesGatewayOnThisHost(path.join(REPOSITORY_ROOT, 'deploy/kubernetes/gateway-deployment.yaml'), { ...stack.files, scratchDir: path.join(stack.files.mountsDir, 'kubernetes-gateway') });
    const refused = serveRefusals(env);
    if (refused.length) throw new Error(refused.join('; '));
    return `${Object.keys(env).length} variables, the gateway secret's files from init-secrets and init.sh`;
  });
}
