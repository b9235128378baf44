import { describe, expect, it } from 'vitest';
import { browserSignedInForTheFile } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';
import { fillPatient, focusedField, nirOf } from './ui-counter-kit.js';

const ui = webHarnessServingTheUi();
const browser = browserSignedInForTheFile(ui, 'pharmacien1', '/counter');

/** Whether the summary sits right after the save button (and, with `inView`, inside the window). */
async function besideTheButton(inView: boolean): Promise<boolean> {
  return browser().page.evaluate((inView) => {
    const button = (globalThis as any).document.querySelector('form.entry button[type="submit"]')?.getBoundingClientRect();
    const summary = (globalThis as any).document.querySelector('form.entry .error-summary')?.getBoundingClientRect();
    return Boolean(button && summary && summary.top >= button.top && summary.top - button.bottom < 80 && (!inView || (summary.top >= 0 && summary.bottom <= (globalThis as any).innerHeight)));
  }, inView);
}

describe('a refused save at the counter', () => {
  it('focuses the first field at fault after an empty submit and lists every field beside the save button', async () => {
    const { page } = browser();
    await page.waitForSelector('form.entry');
    await page.click('form.entry button[type="submit"]');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(await focusedField(page)).toBe('nir');
    // the focus went up to the NIR; the summary waits below, by the button
    expect(await besideTheButton(false)).toBe(true);
    const items = await summary.locator('li').allTextContents();
    expect(items[0]).toBe('NIR (n° de sécurité sociale)\u00a0: Saisissez le NIR ou cochez « Pas de NIR ».');
    expect(items).toContain('Nom de naissance\u00a0: Obligatoire.');
    expect(await summary.locator('p').first().textContent()).toBe(`${items.length} champs à corriger :`);
    await browser().screenshot('counter-error-summary');
    expect(await browser().accessibilityViolations()).toEqual([]);
    // each line takes the person to its field
    await summary.getByRole('link', { name: /^Téléphone/ }).click();
    expect(await focusedField(page)).toBe('phone');
  });

  it('says “1 champ”, in the singular, when one field is left', async () => {
    const { page } = browser();
    await fillPatient(page, { nir: nirOf('1850369123456'), birthName: 'Seul', firstNames: 'Jean', day: '4', phone: '0639981234' });
    await page.check('input[name="result"][value="260415000"]');
    await page.fill('[data-field="device"]', '1232');
    await page.fill('[data-field="phone"]', '');
    await page.keyboard.press('Control+Enter');
    await page.locator('.error-summary li').first().waitFor();
    expect(await page.locator('.error-summary li').allTextContents()).toEqual(['Téléphone\u00a0: Saisissez un téléphone ou un courriel.']);
    expect(await page.locator('.error-summary p').first().textContent()).toBe('1 champ à corriger :');
    expect(await focusedField(page)).toBe('phone');
  });

  it('links a duplicate to the result already recorded, beside the save button', async () => {
    const { page } = browser();
    await page.fill('[data-field="phone"]', '0639981234');
    const collectedAt = await page.inputValue('[data-field="collectedAt"]');
    await page.keyboard.press('Control+Enter');
    const first = (await page.getByTestId('receipt-id').textContent()) as string;
    await page.getByRole('button', { name: 'Nouveau test' }).click();
    // the same person, tested at the same minute
    await fillPatient(page, { nir: nirOf('1850369123456'), birthName: 'Seul', firstNames: 'Jean', day: '4', phone: '0639981234' });
    await page.check('input[name="result"][value="260415000"]');
    await page.fill('[data-field="collectedAt"]', collectedAt);
    await page.keyboard.press('Control+Enter');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Ce test est déjà enregistré');
    // nothing to focus in the form: the summary takes the focus, in view
    expect(await besideTheButton(true)).toBe(true);
    await summary.getByRole('link', { name: `Voir le test déjà enregistré (${first.slice(0, 8)})` }).click();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.closest('tr')?.getAttribute('data-result-id'))).toBe(first);
  });
});
