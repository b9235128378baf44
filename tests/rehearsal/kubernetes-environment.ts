import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { environmentProblems, parseSettings, productionProblems, settingsFromEnv, SettingsRefused } from '../../gateway/src/config/index.js';
import { kubernetesGatewayEnvironment, relocateFiles } from '../support/deploy-environment.js';

/**
 * The `gateway` secret's keys that are not init-secrets' file names, as deploy/guides/install.md
 * (section 7) fills them: init.sh's AppRole files, the Kubernetes database URL, and the CA of the
 * database's server certificate — CloudNativePG's own in a cluster; here the rehearsal's
 * PostgreSQL, whose certificate the internal CA signs, stands in for it.
 */
const FROM_GUIDE: Record<string, (o: HostFiles) => string> = {
  vault_role_id: (o) => path.join(o.approleDir, 'gateway-role-id'),
  vault_secret_id: (o) => path.join(o.approleDir, 'gateway-secret-id'),
  blind_index_key: (o) => path.join(o.approleDir, 'blind-index-key.wrapped'),
  database_url: (o) => path.join(o.secretsDir, 'kubernetes/database_url'),
  postgres_ca: (o) => path.join(o.secretsDir, 'internal_ca'),
};

interface HostFiles {
  secretsDir: string;
  approleDir: string;
  /** Where rewritten copies go (files whose content names the pod's secret paths). */
  scratchDir: string;
}

/**
 * The gateway container's environment in deploy/kubernetes/gateway-deployment.yaml, its secret
 * volume (`/run/secrets/gateway/<key>`) made of the files the install guide puts in the `gateway`
 * secret. A file that names other files of the volume inside it (the database URL's
 * `sslrootcert`) is given as a copy naming their host paths, so that reading it proves those
 * files are in the secret.
 *
 * @example const env = kubernetesGatewayOnThisHost(file, { secretsDir, approleDir, scratchDir });
 */
export function kubernetesGatewayOnThisHost(deploymentFile: string, o: HostFiles): Record<string, string> {
  const { env, secretFiles } = kubernetesGatewayEnvironment(deploymentFile);
  const volume = path.dirname(secretFiles[0] as string);
  const hostFile = (key: string) => FROM_GUIDE[key]?.(o) ?? path.join(o.secretsDir, key);
  mkdirSync(o.scratchDir, { recursive: true, mode: 0o700 });
  const files = Object.fromEntries(
    secretFiles.map((file) => {
      const content = readFileSync(hostFile(path.basename(file)), 'utf8');
      if (!content.includes(`${volume}/`)) return [file, hostFile(path.basename(file))];
      const copy = path.join(o.scratchDir, path.basename(file));
      writeFileSync(copy, content.replaceAll(new RegExp(`${volume}/([a-z_]+)`, 'g'), (_, key: string) => hostFile(key)), { mode: 0o600 });
      return [file, copy];
    }),
  );
  return relocateFiles(env, files);
}

/**
 * What `gateway serve` refuses in an environment before it starts, in its own order, or the
 * error it would exit with while reading its settings; [] when nothing.
 */
export function serveRefusals(env: Record<string, string>): string[] {
  const unsafe = environmentProblems(env);
  if (unsafe.length) return unsafe;
  try {
    return productionProblems(parseSettings(settingsFromEnv(env)));
  } catch (e) {
    if (e instanceof SettingsRefused) return e.problems;
    return [`gateway serve would exit: ${e instanceof Error ? e.message : String(e)}`];
  }
}
