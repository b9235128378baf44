import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();
let b: TestBrowser;

beforeAll(async () => {
  b = await launchBrowser();
  await b.page.setViewportSize({ width: 390, height: 844 });
  await signInThroughTheUi(b.page, ui().webUrl, ui().person('pharmacien1'), '/counter');
}, 60_000);

afterAll(async () => {
  await b?.close();
});

describe('the counter on a 390 px phone', () => {
  it('keeps the entry form, Test section included, inside the screen', async () => {
    const { page } = b;
    await page.waitForSelector('form.entry');
    await page.check('input[name="result"][value="455371000124106"]');
    // nothing scrolls sideways, and every control of the form ends inside the window
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const outside = await page.locator('form.entry').evaluate((form) =>
      [...form.querySelectorAll('input, select, button, label, legend')].filter((el) => el.getBoundingClientRect().right > (globalThis as any).innerWidth + 0.5).map((el) => el.textContent || el.getAttribute('data-field') || el.tagName),
    );
    expect(outside).toEqual([]);
    await b.screenshot('counter-entry-390');
  });
});
