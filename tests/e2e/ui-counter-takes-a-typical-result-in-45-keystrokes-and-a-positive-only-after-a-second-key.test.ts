import { describe, expect, it } from 'vitest';
import { browserSignedInForTheFile } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';
import { countingKeyboard, fillPatient, focusedField, nirOf } from './ui-counter-kit.js';

const ui = webHarnessServingTheUi();
const browser = browserSignedInForTheFile(ui, 'pharmacien1', '/counter');

const saved = async () => Number((await ui().h.db.owner.selectFrom('test_results').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** The receipt's result once saved, then back to a new form. */
async function receiptThenNewTest(): Promise<string> {
  const { page } = browser();
  await page.getByTestId('receipt-id').waitFor();
  const text = (await page.locator('.receipt').textContent()) as string;
  await page.getByRole('button', { name: 'Nouveau test' }).click();
  await page.waitForSelector('form.entry [data-field="nir"]');
  return text;
}

describe('the counter’s keyboard path', () => {
  it('saves a typical negative result in at most 45 keystrokes, the device coming from the pharmacy’s last test', async () => {
    const { page } = browser();
    // the first test of the day names its device; the next ones start from it
    await page.waitForSelector('form.entry');
    await fillPatient(page, { nir: nirOf('1850369123456'), birthName: 'Premier', firstNames: 'Paul', day: '2', phone: '0639981234' });
    await page.check('input[name="result"][value="260415000"]');
    await page.fill('[data-field="device"]', '1232');
    await page.click('form.entry button.primary');
    await receiptThenNewTest();
    const before = await saved();

    expect(await focusedField(page)).toBe('nir');
    const k = countingKeyboard(page);
    await k.type(nirOf('2910575004017'));
    await k.press('Enter'); // sex, birth year and month came from the NIR
    expect(await focusedField(page)).toBe('birthName');
    await k.type('Martin');
    await k.press('Enter');
    await k.type('Léa');
    await k.press('Enter'); // the used name is optional: Enter skips it
    await k.type('14');
    await k.press('Enter');
    expect(await focusedField(page)).toBe('phone');
    await k.type('0639981234');
    await k.press('Enter'); // one contact is enough: Enter skips the e-mail and the closed address
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.name)).toBe('result');
    await k.press('n');
    // the choice shows large
    const chosen = page.locator('.chosen-result');
    expect(await chosen.textContent()).toContain('Négatif');
    expect(parseFloat(await chosen.evaluate((el) => (globalThis as any).getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(28);
    await browser().screenshot('counter-one-key-result');
    expect(await browser().accessibilityViolations()).toEqual([]);
    await k.press('Enter'); // test type, specimen, device and times are filled: Enter saves
    expect(await receiptThenNewTest()).toContain('Négatif');
    expect(await saved()).toBe(before + 1);
    expect(k.count).toBeLessThanOrEqual(45);
  });

  it('never saves a positive on one key: P then Enter asks for a second P, which saves', async () => {
    const { page } = browser();
    const before = await saved();
    await fillPatient(page, { nir: nirOf('2920675004017'), birthName: 'Bernard', firstNames: 'Anne', day: '3', phone: '0639981235' });
    await page.focus('input[name="result"]');
    await page.keyboard.press('p');
    expect(await page.locator('input[name="result"][value="260373001"]').isChecked()).toBe(true);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Enter');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Confirmez le résultat positif');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.name)).toBe('result');
    expect(await saved()).toBe(before);
    // a click on the choice confirms nothing either
    await page.click('.option-result-260373001');
    await page.keyboard.press('Enter');
    expect(await saved()).toBe(before);
    await page.focus('input[name="result"][value="260373001"]');
    await page.keyboard.press('p');
    expect(await page.locator('.chosen-result').textContent()).toContain('confirmé');
    await page.keyboard.press('Enter');
    expect(await receiptThenNewTest()).toContain('Positif');
    expect(await saved()).toBe(before + 1);
  });
});
