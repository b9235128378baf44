import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { composeGatewayEnvironment, relocateFiles } from '../support/deploy-environment.js';
import { systemTool } from '../support/system-tool.js';

// tests/support/deploy-environment.ts reads compose.yaml without an engine for `npm run rehearse`
// and the deploy tests: checked here against what docker-compose 1.29 itself renders.
const ROOT = path.resolve(import.meta.dirname, '../..');
const COMPOSE = path.join(ROOT, 'compose.yaml');
const compose = systemTool('docker-compose');

interface Rendered {
  services: { gateway: { environment: Record<string, string>; secrets: { source: string; target?: string }[] } };
}
const render = (variables: Record<string, string>) =>
  YAML.parse(execFileSync(compose as string, ['-f', COMPOSE, 'config'], { cwd: ROOT, env: { PATH: process.env.PATH, ...variables }, encoding: 'utf8' })) as Rendered;

describe.skipIf(!compose)('composeGatewayEnvironment', () => {
  it.each([
    ['no variables (the fallbacks)', {}],
    ['variables set', { SIDEP_URL: 'https://sidep.example.test', POSTGRES_IMAGE: `postgres:15-bookworm@sha256:${'a'.repeat(64)}` }],
  ])('reads the gateway environment as docker-compose renders it: %s', (_name, variables: Record<string, string>) => {
    expect(composeGatewayEnvironment(COMPOSE, variables).env).toEqual(render(variables).services.gateway.environment);
  });

  it('lists the secret files the environment names, each one a secret the service mounts', () => {
    const { env, secretFiles } = composeGatewayEnvironment(COMPOSE);
    // compose-spec: a secret without a target is mounted at /run/secrets/<source>
    const mounted = render({}).services.gateway.secrets.map((s) => (s.target?.startsWith('/') ? s.target : `/run/secrets/${s.target ?? s.source}`));
    expect(secretFiles.length).toBeGreaterThan(0);
    expect(secretFiles.sort()).toEqual(Object.values(env).filter((v) => v.startsWith('/run/secrets/')).sort());
    for (const file of secretFiles) expect(mounted).toContain(file);
  });

  it('maps container paths onto host files, and names any /run path left without one', () => {
    const { env, secretFiles } = composeGatewayEnvironment(COMPOSE);
    const files = Object.fromEntries(secretFiles.map((f) => [f, `/tmp/rehearsal${f}`]));
    // the AppRole files come from a volume, not a secret: unmapped here, so refused by name
    expect(() => relocateFiles(env, files)).toThrow(/GATEWAY_KEY_MANAGER_VAULT_ROLE_ID_FILE=\/run\/vault-approle\/gateway-role-id/);
    const approle = Object.fromEntries(Object.values(env).filter((v) => v.startsWith('/run/vault-approle/')).map((v) => [v, `/tmp/rehearsal${v}`]));
    expect(relocateFiles(env, { ...files, ...approle }).GATEWAY_DATABASE_URL_FILE).toBe('/tmp/rehearsal/run/secrets/database_url');
  });
});
