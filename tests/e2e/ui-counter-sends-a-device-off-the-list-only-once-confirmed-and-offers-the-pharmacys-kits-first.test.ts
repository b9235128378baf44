import { describe, expect, it } from 'vitest';
import { browserSignedInForTheFile } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';
import { fillPatient, focusedField, nirOf, postedResults } from './ui-counter-kit.js';

const ui = webHarnessServingTheUi();
let posted: Record<string, any>[];
const browser = browserSignedInForTheFile(ui, 'pharmacien-deux-officines', '/counter', (b) => {
  posted = postedResults(b.page);
});

let patients = 0;
/** A new patient each time (no duplicate), a negative result, `device` typed as given. */
async function enter(device: string): Promise<void> {
  const { page } = browser();
  patients += 1;
  await fillPatient(page, { nir: nirOf(`18503691234${String(patients).padStart(2, '0')}`), birthName: 'Dupont', firstNames: 'Luc', day: '5', phone: '0639981234' });
  await page.check('input[name="result"][value="260415000"]');
  await page.fill('[data-field="device"]', device);
}

async function saveAndStartAgain(): Promise<void> {
  const { page } = browser();
  await page.keyboard.press('Control+Enter');
  await page.getByTestId('receipt-id').waitFor();
  await page.getByRole('button', { name: 'Nouveau test' }).click();
  await page.waitForSelector('form.entry [data-field="nir"]');
}

const pharmacy = (finess: string) => browser().page.selectOption('form.entry [data-field="pharmacyFiness"]', finess);
const datalistOrder = () => browser().page.locator('form.entry datalist option').evaluateAll((os) => os.slice(0, 3).map((o) => [(o as any).value.replace(/^.*\((\d+)\)$/, '$1'), (o as any).label]));

describe('the counter’s device', () => {
  it('sends neither a search word nor a free name unasked, and suggests the listed device it matches', async () => {
    const { page } = browser();
    await page.waitForSelector('form.entry');
    await pharmacy('759999907');
    await enter('panbio');
    await page.keyboard.press('Control+Enter');
    await page.locator('.error-summary').waitFor();
    expect(posted).toHaveLength(0);
    expect(await focusedField(page)).toBe('device');
    expect(await page.locator('.field:has([data-field="device"]) .field-error').textContent()).toBe('Choisissez un dispositif de la liste, ou confirmez l’envoi de ce nom.');
    await browser().screenshot('counter-device-off-list');
    expect(await browser().accessibilityViolations()).toEqual([]);
    await page.getByRole('button', { name: 'Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test (1232)' }).click();
    await saveAndStartAgain();
    expect(posted.at(-1)?.test.device).toEqual({ euRatId: '1232' });
  });

  it('sends a named device once the person confirms the name', async () => {
    const { page } = browser();
    await pharmacy('759999907');
    await enter('Test maison');
    await page.keyboard.press('Control+Enter');
    await page.locator('.error-summary').waitFor();
    const sent = posted.length;
    await page.getByLabel('Envoyer « Test maison » comme dispositif hors liste').check();
    await saveAndStartAgain();
    expect(posted).toHaveLength(sent + 1);
    expect(posted.at(-1)?.test.device).toEqual({ name: 'Test maison' });
  });

  it('offers each pharmacy its last device first, then its usual kits', async () => {
    const { page } = browser();
    // at 759999907: 1468 twice, then 1223 last (1232 once, from the first test)
    for (const device of ['1468', '1468', '1223']) {
      await pharmacy('759999907');
      await enter(device);
      await saveAndStartAgain();
    }
    await pharmacy('759999915');
    await enter('1065');
    await saveAndStartAgain();

    await pharmacy('759999907');
    expect(await page.inputValue('[data-field="device"]')).toMatch(/\(1223\)$/);
    expect(await datalistOrder()).toEqual([['1223', 'dernier utilisé'], ['1468', 'habituel ici'], ['1232', 'habituel ici']]);
    await pharmacy('759999915');
    expect(await page.inputValue('[data-field="device"]')).toMatch(/\(1065\)$/);
    expect((await datalistOrder())[0]).toEqual(['1065', 'dernier utilisé']);
  });
});
