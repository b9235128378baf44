import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import type { TestBrowser } from '../support/browser.js';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { resultCalls } from '../support/result-calls.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/**
 * Today's list at the counter, as issue #19 found it wanting: a pharmacist of two pharmacies
 * keeps the one chosen and the list follows it (3); rows tell patients apart by initials and
 * result, a correction and its original name each other, and a correction that changes the
 * result offers a new receipt (6); a reprinted receipt prints (1); the list's buttons are
 * finger-sized on a phone (5); a cancelled row changes at once (12).
 */
let w: WebHarness;
const NEGATIVE = '260415000';
const POSITIVE = '260373001';

/** A result of the pharmacy, from its software over mTLS, for a patient of these names. */
async function submitted(finess: string, firstName: string, birthName: string): Promise<string> {
  const body = syntheticResult({ pharmacyFiness: finess, patient: { firstNames: [firstName], birthName, usedName: undefined }, test: { result: NEGATIVE } });
  const res = await w.h.call(finess, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** Fills the entry form (or a correction's) for a synthetic man of the NIR's birth year and month. */
async function fillEntry(form: Locator, o: { birthName: string; firstNames: string; result: string }): Promise<void> {
  await form.locator('[data-field="nir"]').fill('1 85 03 69 123 456 09');
  await form.locator('[data-field="birthName"]').fill(o.birthName);
  await form.locator('[data-field="firstNames"]').fill(o.firstNames);
  await form.locator('[data-field="birthDate"]').fill('14');
  await form.locator('[data-field="phone"]').fill('06 39 98 12 34');
  await form.locator(`input[name="result"][value="${o.result}"]`).check();
  // a positive result is confirmed, so no stray key saves one
  const confirm = form.getByRole('button', { name: 'Confirmer le résultat positif' });
  if (o.result === POSITIVE) await confirm.click();
  await form.locator('[data-field="device"]').fill('1232');
}

const row = (page: Page, id: string) => page.locator(`tr[data-result-id="${id}"]`);
const heading = (page: Page) => page.locator('#today-title');

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
}, 120_000);

afterAll(async () => {
  await w?.close();
});

const as = <T>(username: string, run: (b: TestBrowser) => Promise<T>) => asPersonInTheUi(w, username, '/counter', run);

describe("today's list at the counter", () => {
  it('follows the pharmacy a pharmacist of two pharmacies chooses, names it, and keeps it for the next test', async () => {
    const atParis1 = await submitted(PHARMACY_A, 'Alice', 'Martin');
    const atParis2 = await submitted(PHARMACY_B, 'Bruno', 'Durand');
    await as('pharmacien-deux-officines', async (b) => {
      const { page } = b;
      const named = page.getByTestId('counter-pharmacy');
      await row(page, atParis1).waitFor();
      expect(await named.textContent()).toContain(PHARMACY_A);
      expect(await heading(page).textContent()).toContain(PHARMACY_A);

      await page.locator('form.entry').getByLabel('Pharmacie').selectOption(PHARMACY_B);
      await row(page, atParis2).waitFor();
      expect(await row(page, atParis1).count()).toBe(0);
      expect(await named.textContent()).toContain(PHARMACY_B);
      expect(await heading(page).textContent()).toContain(PHARMACY_B);

      await fillEntry(page.locator('form.entry'), { birthName: 'Testeur', firstNames: 'Jean', result: NEGATIVE });
      await page.locator('form.entry button.primary').click();
      await page.getByTestId('receipt-id').waitFor();
      expect(await page.locator('.receipt').textContent()).toContain(`FINESS ${PHARMACY_B}`);
      await page.getByRole('button', { name: 'Nouveau test' }).click();
      // the next patient goes under the same FINESS unless the pharmacist changes it
      expect(await page.locator('form.entry').getByLabel('Pharmacie').inputValue()).toBe(PHARMACY_B);
      expect(await named.textContent()).toContain(PHARMACY_B);
      expect(await heading(page).textContent()).toContain(PHARMACY_B);
      await b.screenshot('counter-two-pharmacies');
      expect(await b.accessibilityViolations()).toEqual([]);
    });
    const saved = await w.h.db.owner.selectFrom('test_results as r').innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id').select('p.finess').where('r.id', 'not in', [atParis1, atParis2]).execute();
    expect(saved).toEqual([{ finess: PHARMACY_B }]);
  });

  it('shows initials and result, links a correction and its original, and offers a new receipt when the result changed', async () => {
    const original = await submitted(PHARMACY_A, 'Émile', 'Zola');
    await as('pharmacien1', async (b) => {
      const { page } = b;
      await row(page, original).locator('.initials').filter({ hasText: 'ÉZ' }).waitFor();
      expect(await row(page, original).locator('.result').textContent()).toBe('Négatif');

      await row(page, original).getByRole('button', { name: /^Corriger/ }).click();
      const section = page.locator('section.correction');
      await section.getByLabel('Motif').selectOption('wrong-result');
      await fillEntry(section.locator('form.entry'), { birthName: 'Zola', firstNames: 'Émile', result: POSITIVE });
      await section.locator('form.entry button.primary').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Le résultat a changé').waitFor();
      expect(await dialog.locator('.result-value').textContent()).toBe('Positif');
      const correction = (await dialog.getByTestId('receipt-id').textContent()) as string;
      await b.screenshot('counter-corrected-new-receipt');
      expect(await b.accessibilityViolations()).toEqual([]);
      await dialog.getByRole('button', { name: 'Fermer' }).click();

      await row(page, original).getByText(`remplacé par ${correction.slice(0, 8)}`).waitFor();
      const fixed = row(page, correction);
      await fixed.getByText(`remplace ${original.slice(0, 8)}`).waitFor();
      expect([await fixed.locator('.initials').textContent(), await fixed.locator('.result').textContent()]).toEqual(['ÉZ', 'Positif']);
    });
  });

  it('prints a reprinted receipt alone, and gives the list’s buttons 44 px on a phone', async () => {
    const id = await submitted(PHARMACY_A, 'Claire', 'Petit');
    await as('pharmacien1', async (b) => {
      const { page } = b;
      await page.setViewportSize({ width: 390, height: 844 });
      const actions = row(page, id).locator('td.row-actions > button');
      await actions.first().waitFor();
      const heights = await actions.evaluateAll((buttons) => buttons.map((el) => el.getBoundingClientRect().height));
      expect(heights.length).toBeGreaterThanOrEqual(3);
      for (const height of heights) expect(height).toBeGreaterThanOrEqual(44);
      // the list scrolls within itself, never the page sideways
      expect(await page.locator('section.today').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

      await row(page, id).getByRole('button', { name: /^Réimprimer/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Afficher' }).click();
      await dialog.getByTestId('receipt-id').waitFor();
      const pdf = (await page.pdf({ width: '390px' })).toString('latin1');
      // text is drawn (a font embedded), on one page; the blank print held neither
      expect(pdf).toMatch(/\/FontFile/);
      expect(pdf.match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
      // on paper: the receipt, and nothing of the page behind it
      await page.emulateMedia({ media: 'print' });
      expect(await dialog.locator('.receipt dl').isVisible()).toBe(true);
      expect(await page.locator('form.entry').isVisible()).toBe(false);
      await page.emulateMedia({ media: 'screen' });
    });
  });

  it('shows a cancelled row as cancelled at once, before the list comes back', async () => {
    const id = await submitted(PHARMACY_A, 'Denis', 'Moreau');
    await as('pharmacien1', async (b) => {
      const { page } = b;
      await row(page, id).waitFor();
      // from here on the list's refreshes never answer: only the cancellation itself may change the row
      await page.route('**/api/web/v1/counter/results?*', () => undefined);
      await row(page, id).getByRole('button', { name: /^Annuler le résultat/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Annuler ce résultat' }).click();
      await row(page, id).locator('.status-cancelled').waitFor({ timeout: 5_000 });
      expect(await row(page, id).getByRole('button', { name: /^(Corriger|Annuler le résultat)/ }).count()).toBe(0);
    });
    expect((await w.h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status).toBe('cancelled');
  });

  it('opens and audits each row once, however many times the list refreshes', async () => {
    const ids = [await submitted(PHARMACY_A, 'Élise', 'Petit'), await submitted(PHARMACY_A, 'Marc', 'Roux')];
    // delivered (a change the list shows, so reads again), and changed two minutes ago: outside the overlap a refresh keeps for transactions still open
    for (const id of ids) await resultCalls(() => w.h).until(id, 'delivered');
    await sql`UPDATE test_results SET updated_at = now() - interval '2 minutes' WHERE id IN (${sql.join(ids)})`.execute(w.h.db.owner);
    await as('pharmacien1', async (b) => {
      let refreshes = 0;
      b.page.on('response', (r) => void (r.url().includes('/api/web/v1/counter/results?') && refreshes++));
      for (const id of ids) await row(b.page, id).locator('.initials').waitFor();
      const seen = refreshes;
      await expect.poll(() => refreshes, { timeout: 30_000 }).toBeGreaterThanOrEqual(seen + 3);
    });
    const audited = await w.h.db.owner
      .selectFrom('audit_events').select(['object_id', (e) => e.fn.countAll<string>().as('n')])
      .where('action', '=', 'result.list-summary').where('object_id', 'in', ids).groupBy('object_id').execute();
    expect(audited.map((a) => Number(a.n))).toEqual([1, 1]);
  });
});
