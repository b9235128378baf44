import type { Page, Request } from 'playwright-core';
import { nirKey } from '../../gateway/src/results/index.js';

/** A NIR with its key, from its first 13 characters (sex, year, month, place, order). */
export function nirOf(first13: string): string {
  return `${first13}${String(nirKey(first13)).padStart(2, '0')}`;
}

/** The keyboard, counting each key as a person presses it: one per character typed, one per chord. */
export function countingKeyboard(page: Page) {
  let count = 0;
  return {
    async type(text: string) {
      count += [...text].length;
      await page.keyboard.type(text);
    },
    async press(key: string) {
      count += 1;
      await page.keyboard.press(key);
    },
    get count() {
      return count;
    },
  };
}

/** The `data-field` of the control that has the focus. */
export const focusedField = (page: Page) => page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('data-field') ?? (globalThis as any).document.activeElement?.tagName);

/** The bodies the page posts to create or correct a result, as sent. */
export function postedResults(page: Page): Record<string, any>[] {
  const bodies: Record<string, any>[] = [];
  page.on('request', (r: Request) => {
    if (r.method() === 'POST' && /\/api\/web\/v1\/test-results(\/[^/]+\/corrections)?$/.test(new URL(r.url()).pathname)) bodies.push(r.postDataJSON());
  });
  return bodies;
}

/** Fills a patient with the mouse-free shortcuts of `page.fill` (for the steps a test does not count). */
export async function fillPatient(page: Page, p: { nir: string; birthName: string; firstNames: string; day: string; phone: string }): Promise<void> {
  await page.fill('[data-field="nir"]', p.nir);
  await page.fill('[data-field="birthName"]', p.birthName);
  await page.fill('[data-field="firstNames"]', p.firstNames);
  await page.fill('[data-field="birthDate"]', p.day);
  await page.fill('[data-field="phone"]', p.phone);
}
