import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
let b: TestBrowser;

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await w?.close();
});

/** A result of the other demo pharmacy, submitted by its software over mTLS. */
async function submittedAtTheOtherPharmacy(): Promise<string> {
  const res = await w.h.call(PHARMACY_B, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_B }), headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const resultCount = async () =>
  Number((await w.h.db.owner.selectFrom('test_results').select((eb) => eb.fn.countAll().as('n')).where('pharmacy_id', '=', w.h.pharmacyIds['759999907'] as string).executeTakeFirstOrThrow()).n);

describe('the counter page', () => {
  it('signs a pharmacist in through the provider, takes a result from the keyboard alone, prints a receipt and shows it delivered', async () => {
    const { page } = b;
    await signInThroughTheUi(page, w.webUrl, w.person('pharmacien1'), '/counter');
    await page.waitForSelector('form.entry');
    // from here on, only the keyboard: the NIR field has the focus
    expect(await page.locator(':focus').getAttribute('data-field')).toBe('nir');
    const k = page.keyboard;
    await k.type('1 85 03 69 123 456 09');
    expect(await page.locator('.field:has([data-field="nir"]) small').textContent()).toMatch(/Clé correcte/);
    // sex and birth year/month came from the NIR
    expect(await page.locator('input[name="sex"][value="M"]').isChecked()).toBe(true);
    await k.press('Tab'); // "no NIR"
    await k.press('Tab'); // sex (already M)
    await k.press('Tab');
    await k.type('Testeur');
    await k.press('Tab');
    await k.type('Jean Émile');
    await k.press('Tab'); // used name
    await k.press('Tab');
    await k.type('14'); // birth day; month and year are filled
    await k.press('Tab');
    await k.press('Tab');
    await k.press('Tab');
    await k.type('06 39 98 12 34');
    await k.press('Tab'); // e-mail
    await k.press('Tab'); // address (closed)
    await k.press('Tab'); // result: the first choice takes the focus
    await k.press('ArrowRight'); // negative
    await k.press('Tab'); // test type
    await k.press('Tab'); // specimen
    await k.press('Tab');
    await k.type('1232'); // device by its EU id
    await b.screenshot('counter-entry');
    expect(await b.accessibilityViolations()).toEqual([]);
    await k.press('Control+Enter');

    const receiptId = page.getByTestId('receipt-id');
    await receiptId.waitFor();
    const id = (await receiptId.textContent()) as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const receipt = (await page.locator('.receipt').textContent()) as string;
    expect(receipt).toContain('Négatif');
    expect(receipt).not.toContain('185036912345609');
    expect(receipt).not.toContain('1985');
    // the row of today's list turns delivered once SI-DEP acknowledges
    await page.locator(`tr[data-result-id="${id}"] .status-delivered`).waitFor({ timeout: 20_000 });
    await b.screenshot('counter-receipt-delivered');
    expect(await b.accessibilityViolations()).toEqual([]);
    expect(await resultCount()).toBe(1);
  });

  it('creates one result from a double click on submit', async () => {
    const { page } = b;
    await page.keyboard.press('Enter'); // "new test" has the focus on the receipt
    await page.waitForSelector('form.entry');
    await page.fill('[data-field="nir"]', '2 91 11 2A 004 017 11');
    await page.fill('[data-field="birthName"]', 'Exemple');
    await page.fill('[data-field="firstNames"]', 'Marie');
    await page.fill('[data-field="birthDate"]', '3');
    await page.fill('[data-field="phone"]', '0639981234');
    await page.check('input[name="result"][value="260373001"]');
    // a positive takes a confirmation before it can be saved
    await page.getByRole('button', { name: 'Confirmer le résultat positif' }).click();
    // the device, test type and specimen repeat the pharmacy's last entry
    expect(await page.inputValue('[data-field="device"]')).toBe('Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test (1232)');
    await page.dblclick('form.entry button.primary');
    await page.getByTestId('receipt-id').waitFor();
    expect(await resultCount()).toBe(2);
  });

  it('reprints a receipt from today’s list for a stated purpose, and audits it', async () => {
    const { page } = b;
    const first = page.locator('tr[data-result-id]').last();
    const id = (await first.getAttribute('data-result-id')) as string;
    await first.getByRole('button', { name: /Réimprimer/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Motif').selectOption('patient-request');
    await dialog.getByRole('button', { name: 'Afficher' }).click();
    await dialog.getByTestId('receipt-id').waitFor();
    expect(await dialog.getByTestId('receipt-id').textContent()).toBe(id);
    expect(await dialog.locator('.receipt').textContent()).toContain('Jean Émile Testeur');
    await b.screenshot('counter-reprint');
    expect(await b.accessibilityViolations()).toEqual([]);
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    const events = await w.h.db.owner.selectFrom('audit_events').select(['reason', 'actor_id']).where('action', '=', 'result.reveal').where('object_id', '=', id).execute();
    expect(events).toEqual([{ reason: 'patient-request', actor_id: `dev:${w.person('pharmacien1').subject}` }]);
  });

  it('never shows a pharmacist another pharmacy’s results', async () => {
    const statuses = await b.page.evaluate(async (id) => {
      const other = await fetch('/api/web/v1/test-results?pharmacy=759999915');
      const theirs = await fetch(`/api/web/v1/test-results/${id}`);
      return [other.status, theirs.status];
    }, await submittedAtTheOtherPharmacy());
    expect(statuses).toEqual([403, 404]);
  });

  it('shows the server’s field errors next to their fields', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Nouveau test' }).click();
    await page.waitForSelector('form.entry');
    await page.fill('[data-field="nir"]', '1 85 03 69 123 456 09');
    await page.click('form.entry button.primary');
    await page.locator('.field-error').first().waitFor();
    const errorOf = (field: string) => page.locator(`.invalid:has([data-field="${field}"]) .field-error`).textContent();
    expect(await errorOf('birthName')).toBe('Obligatoire.');
    expect(await errorOf('phone')).toBe('Saisissez un téléphone ou un courriel.');
    expect(await page.locator(':focus').getAttribute('data-field')).toBe('birthName');
    await b.screenshot('counter-field-errors');
    expect(await b.accessibilityViolations()).toEqual([]);
    expect(await resultCount()).toBe(2);
  });
});
