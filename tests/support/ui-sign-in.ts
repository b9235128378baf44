import { afterAll, beforeAll } from 'vitest';
import type { Page } from 'playwright-core';
import type { DemoPerson } from '@sidep-gateway/demo/people.js';
import { launchBrowser, type TestBrowser } from './browser.js';
import type { WebHarness } from './web-harness.js';

/**
 * Opens a page of the UI and signs in through the development OIDC provider's form, as a
 * person would: the UI finds no session, goes to sign in, and comes back to `route`.
 */
export async function signInThroughTheUi(page: Page, webUrl: string, person: DemoPerson, route: string): Promise<void> {
  await page.goto(`${webUrl}/#${route}`);
  await page.waitForSelector('input[name="username"]');
  await page.fill('input[name="username"]', person.username);
  await page.fill('input[name="password"]', person.password);
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.origin === webUrl && u.hash === `#${route}`);
  await page.waitForSelector('main h1');
}

/** Runs `run` in a fresh browser (no session) signed in as `username` on `route`, then closes it. */
export async function asPersonInTheUi<T>(w: WebHarness, username: string, route: string, run: (b: TestBrowser) => Promise<T>): Promise<T> {
  const b = await launchBrowser();
  try {
    await signInThroughTheUi(b.page, w.webUrl, w.person(username), route);
    return await run(b);
  } finally {
    await b.close();
  }
}

/**
 * One browser for a file's tests, signed in as `username` on `route` before them (after
 * `prepare`, e.g. a viewport or a request listener) and closed after them.
 * @example const browser = browserSignedInForTheFile(ui, 'pharmacien1', '/counter'); … browser().page
 */
export function browserSignedInForTheFile(ui: () => WebHarness, username: string, route: string, prepare?: (b: TestBrowser) => Promise<void> | void): () => TestBrowser {
  let b: TestBrowser | undefined;
  beforeAll(async () => {
    b = await launchBrowser();
    await prepare?.(b);
    await signInThroughTheUi(b.page, ui().webUrl, ui().person(username), route);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });
  return () => {
    if (!b) throw new Error('the browser opens in beforeAll');
    return b;
  };
}
