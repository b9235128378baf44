import { describe, expect, it } from 'vitest';
import { browserSignedInForTheFile } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';
import { fillPatient, nirOf } from './ui-counter-kit.js';

const ui = webHarnessServingTheUi();
const browser = browserSignedInForTheFile(ui, 'pharmacien1', '/counter');

describe('the correction form', () => {
  it('is titled as a correction of its result, and its ids, device list included, are its own', async () => {
    const { page } = browser();
    await page.waitForSelector('form.entry');
    await fillPatient(page, { nir: nirOf('1850369123456'), birthName: 'Durand', firstNames: 'Marc', day: '9', phone: '0639981234' });
    await page.check('input[name="result"][value="260415000"]');
    await page.fill('[data-field="device"]', '1232');
    await page.keyboard.press('Control+Enter');
    const id = (await page.getByTestId('receipt-id').textContent()) as string;
    await page.getByRole('button', { name: 'Nouveau test' }).click();
    await page.waitForSelector('form.entry');

    const row = page.locator(`tr[data-result-id="${id}"]`);
    await row.getByRole('button', { name: /^Corriger/ }).click();
    await page.locator('section.correction select').first().selectOption('wrong-result');
    const forms = page.locator('form.entry');
    await forms.nth(1).waitFor();
    // the page's form is a new test; the other one says what it replaces
    expect(await forms.nth(0).getAttribute('aria-labelledby').then((l) => page.locator(`[id="${l}"]`).textContent())).toBe('Nouveau test');
    expect(await forms.nth(1).getAttribute('aria-labelledby').then((l) => page.locator(`[id="${l}"]`).textContent())).toBe(`Test corrigé (remplace ${id.slice(0, 8)})`);
    expect(await forms.nth(1).getByRole('button', { name: 'Enregistrer la correction et transmettre' }).count()).toBe(1);

    const ids = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('[id]')].map((e: any) => e.id as string));
    expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
    // each device field searches the list of its own form
    const lists = await forms.evaluateAll((fs) => fs.map((f) => f.querySelector('datalist')?.id === f.querySelector('[data-field="device"]')?.getAttribute('list')));
    expect(lists).toEqual([true, true]);
    await browser().screenshot('counter-correction-form');
    expect(await browser().accessibilityViolations()).toEqual([]);
  });
});
