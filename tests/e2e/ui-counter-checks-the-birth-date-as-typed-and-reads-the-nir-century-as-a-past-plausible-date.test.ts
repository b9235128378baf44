import { describe, expect, it } from 'vitest';
import { browserSignedInForTheFile } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';
import { nirOf } from './ui-counter-kit.js';

const ui = webHarnessServingTheUi();
const browser = browserSignedInForTheFile(ui, 'pharmacien1', '/counter');

const part = (label: string) => browser().page.locator('form.entry fieldset.date').getByLabel(label, { exact: true });
const dateError = () => browser().page.locator('form.entry fieldset.date .field-error');
/** Two digits of a year, `years` ago. */
const yy = (years: number) => String((new Date().getFullYear() - years) % 100).padStart(2, '0');

describe('the counter’s birth date', () => {
  it('says a day past 31 or a month past 12 is out of range as soon as it is typed', async () => {
    const { page } = browser();
    await page.waitForSelector('form.entry');
    await part('Jour').fill('32');
    expect(await dateError().textContent()).toBe('Le jour va de 1 à 31.');
    await part('Jour').fill('14');
    expect(await dateError().count()).toBe(0);
    await part('Mois').fill('13');
    expect(await dateError().textContent()).toBe('Le mois va de 1 à 12.');
    await part('Mois').fill('02');
    await part('Jour').fill('30');
    await part('Année').fill('1990');
    expect(await dateError().textContent()).toBe('Date impossible.');
    await browser().screenshot('counter-birth-date-live');
    expect(await browser().accessibilityViolations()).toEqual([]);
  });

  it('reads the NIR’s year in the century that gives a past date and an age of 3 or more, and lets the person switch', async () => {
    const { page } = browser();
    await page.reload();
    await page.waitForSelector('form.entry [data-field="nir"]');
    // born 102 years ago, in January: the later century would make a 2-year-old
    await page.fill('[data-field="nir"]', nirOf(`1${yy(102)}0175123456`));
    expect(await part('Année').inputValue()).toBe(String(new Date().getFullYear() - 102));
    await page.getByRole('button', { name: `Ou ${new Date().getFullYear() - 2} ?` }).click();
    expect(await part('Année').inputValue()).toBe(String(new Date().getFullYear() - 2));
    await page.getByRole('button', { name: `Ou ${new Date().getFullYear() - 102} ?` }).click();
    expect(await part('Année').inputValue()).toBe(String(new Date().getFullYear() - 102));

    await page.reload();
    await page.waitForSelector('form.entry [data-field="nir"]');
    // born 100 years ago this year: never a birth date in the future, nor a baby's
    await page.fill('[data-field="nir"]', nirOf(`2${yy(0)}0175123456`));
    expect(Number(await part('Année').inputValue())).toBe(new Date().getFullYear() - 100);
  });

  it('shows the date placeholders and counts in English when the page is in English', async () => {
    const { page } = browser();
    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForSelector('form.entry h1:text("New test")');
    expect(await Promise.all(['Day', 'Month', 'Year'].map((l) => part(l).getAttribute('placeholder')))).toEqual(['DD', 'MM', 'YYYY']);
    await page.click('form.entry button[type="submit"]');
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('.error-summary p').first().textContent()).toMatch(/^\d+ fields to fix:$/);
  });
});
