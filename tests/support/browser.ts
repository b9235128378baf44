import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, installed by `.ci/run`; playwright-core brings no browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** Where the browser tests keep their screenshots (kept as CI artifacts; git-ignored). */
export const SCREENSHOTS = path.resolve('test-artifacts', 'screenshots');

let axe: string | undefined;
async function axeSource(): Promise<string> {
  axe ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axe;
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as `test-artifacts/screenshots/<name>.png`; returns its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  /** axe-core's serious and critical WCAG 2 A/AA violations on the page as it is now (ids and targets). */
  accessibilityViolations(page?: Page): Promise<{ id: string; impact: string; targets: string[] }[]>;
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile (no cookie or cache from another test). The dev CA is not in
 * the browser's store, so certificate errors are ignored: TLS itself is tested elsewhere.
 */
export async function launchBrowser(o: { locale?: string } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'gateway-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    ignoreHTTPSErrors: true,
    locale: o.locale ?? 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 900 },
  });
  // well inside vitest's 30 s per test, so a stuck step names itself
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    async screenshot(name, p = page) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await p.screenshot({ path: file, fullPage: true });
      return file;
    },
    async accessibilityViolations(p = page) {
      // evaluated through the DevTools protocol, which the page's CSP does not govern
      await p.evaluate(await axeSource());
      return p.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
      });
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
