import { describe, expect, it } from 'vitest';
import { browserSignedInForTheFile } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();
const browser = browserSignedInForTheFile(ui, 'pharmacien1', '/counter', (b) => b.page.setViewportSize({ width: 390, height: 844 }));

describe('the counter on a 390 px phone', () => {
  it('keeps the entry form, Test section included, inside the screen', async () => {
    const { page } = browser();
    await page.waitForSelector('form.entry');
    await page.check('input[name="result"][value="455371000124106"]');
    // nothing scrolls sideways, and every control of the form ends inside the window
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const outside = await page.locator('form.entry').evaluate((form) =>
      [...form.querySelectorAll('input, select, button, label, legend')].filter((el) => el.getBoundingClientRect().right > (globalThis as any).innerWidth + 0.5).map((el) => el.textContent || el.getAttribute('data-field') || el.tagName),
    );
    expect(outside).toEqual([]);
    await browser().screenshot('counter-entry-390');
  });
});
