import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The operator guides live in deploy/guides/: every link to them (README, alert runbooks, doctor
// hints, comments in deploy/ and compose.yaml) and every link between them must name a file that
// exists and, with an anchor, one of its headings.
const ROOT = path.resolve(import.meta.dirname, '../..');
const GUIDES = path.join(ROOT, 'deploy/guides');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchorsOf = (file: string) =>
  new Set(
    [...readFileSync(file, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      (m[1] as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, '')
        .replace(/ /g, '-'),
    ),
  );

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** `[text](target)` links of a Markdown file, and `deploy/guides/…` mentions anywhere. */
function linksOf(file: string): { target: string; from: string }[] {
  const text = readFileSync(file, 'utf8');
  const markdown = file.endsWith('.md') ? [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((t) => !/^[a-z]+:/.test(t)) : [];
  const mentions = [...text.matchAll(/deploy\/guides\/[\w-]+\.md(?:#[\w-]+)?/g)].map((m) => path.relative(path.dirname(file), path.join(ROOT, m[0])));
  return [...markdown, ...mentions].map((target) => ({ target, from: path.relative(ROOT, file) }));
}

const sources = [
  path.join(ROOT, 'README.md'),
  path.join(ROOT, 'compose.yaml'),
  ...filesUnder(path.join(ROOT, 'deploy')).filter((f) => !f.includes(`${path.sep}secrets${path.sep}`) && !f.includes(`${path.sep}state${path.sep}`) && /\.(md|ya?ml|sh|hcl)$|\/(init-secrets|backup|restore)$/.test(f)),
  path.join(ROOT, 'gateway/src/doctor/certificates-check.ts'),
];

describe('deploy/guides', () => {
  it('holds the install, hardening, operations, upgrade, backup and incident-response guides', () => {
    expect(readdirSync(GUIDES).sort()).toEqual(expect.arrayContaining(['backup-and-restore.md', 'hardening.md', 'incident-response.md', 'install.md', 'operations.md', 'upgrade.md']));
  });

  it('is what every link points to, with anchors that exist', () => {
    const links = sources.flatMap(linksOf);
    expect(links.filter((l) => l.target.includes('guides')).length).toBeGreaterThan(10);
    for (const { target, from } of links) {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file === '' ? path.join(ROOT, from) : path.resolve(path.dirname(path.join(ROOT, from)), file);
      expect(existsSync(resolved), `${from} → ${target}`).toBe(true);
      if (anchor && resolved.endsWith('.md')) expect([...anchorsOf(resolved)], `${from} → ${target}`).toContain(anchor);
    }
  });

  it('maps hardening to the four CNIL findings', () => {
    const hardening = readFileSync(path.join(GUIDES, 'hardening.md'), 'utf8');
    for (const finding of ['hosting', 'authentication', 'cryptography', 'logging']) expect(hardening).toMatch(new RegExp(`\\| ${finding} \\|`));
  });
});
