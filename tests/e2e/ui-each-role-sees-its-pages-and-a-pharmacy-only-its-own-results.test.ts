import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import type { TestBrowser } from '../support/browser.js';
import { eventually, PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
/** Pharmacy A's results: one delivered, one SI-DEP refused. */
let delivered: string;
let refused: string;
/** A result of pharmacy B, which pharmacy A's people must never reach. */
let theirs: string;

const statusOf = async (finess: string, id: string): Promise<string> => (await w.h.call(finess, 'GET', `/api/v1/test-results/${id}`)).body.status;
async function submit(finess: string): Promise<string> {
  const res = await w.h.call(finess, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: finess }), headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
  [delivered, theirs] = await Promise.all([submit(PHARMACY_A), submit(PHARMACY_B)]);
  await eventually(async () => ((await statusOf(PHARMACY_A, delivered)) === 'delivered' ? true : undefined));
  await w.h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 422 } });
  refused = await submit(PHARMACY_A);
  await eventually(async () => ((await statusOf(PHARMACY_A, refused)) === 'dead-lettered' ? true : undefined));
  await w.h.simulatorControl('POST', '/_control/faults', {});
}, 120_000);

afterAll(async () => {
  await w?.close();
});

/** A fresh browser (no session) per person. */
const as = <T>(username: string, route: string, run: (b: TestBrowser) => Promise<T>) => asPersonInTheUi(w, username, route, run);
const navigation = (b: TestBrowser) => b.page.locator('header nav a').allTextContents();

/** The API's answer to this page's session, with its CSRF token. */
function call(b: TestBrowser, method: 'GET' | 'POST', apiPath: string, body?: unknown): Promise<number> {
  return b.page.evaluate(
    async ([m, p, json]) => {
      const me = (await (await fetch('/api/web/v1/me')).json()) as { csrfToken: string };
      const headers: Record<string, string> = { 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' };
      return (await fetch(p, { method: m, headers, body: json === undefined ? undefined : JSON.stringify(json) })).status;
    },
    [method, apiPath, body] as const,
  );
}

describe('each role in the UI', () => {
  it('a pharmacist: the counter alone, today’s list of its pharmacy with what to do, the NIR checked against sex and birth date, and a patient without NIR entered with Enter', async () => {
    await as('pharmacien1', '/counter', async (b) => {
      const { page } = b;
      expect(await navigation(b)).toEqual(['Saisie au comptoir']);
      const refusedRow = page.locator(`tr[data-result-id="${refused}"]`);
      await refusedRow.waitFor();
      expect(await refusedRow.textContent()).toContain('corrigez la saisie');
      await page.locator(`tr[data-result-id="${delivered}"] .status-delivered`).waitFor();
      expect(await page.locator(`tr[data-result-id="${theirs}"]`).count()).toBe(0);
      // nor through the API: another pharmacy's result is not found, even with a stated purpose
      expect(await call(b, 'GET', `/api/web/v1/test-results/${theirs}`)).toBe(404);
      expect(await call(b, 'POST', `/api/web/v1/test-results/${theirs}/reveal`, { purpose: 'patient-request' })).toBe(404);
      expect(await w.h.db.owner.selectFrom('audit_events').select('id').where('action', '=', 'result.reveal').where('object_id', '=', theirs).execute()).toEqual([]);

      // a woman born in November 1991: what the NIR says is filled, and a contradiction is named at once
      await page.fill('[data-field="nir"]', '2 91 11 2A 004 017 11');
      expect(await page.locator('input[name="sex"][value="F"]').isChecked()).toBe(true);
      expect([await page.getByLabel('Mois', { exact: true }).inputValue(), await page.getByLabel('Année', { exact: true }).inputValue()]).toEqual(['11', '1991']);
      const errorOf = (field: string) => page.locator(`.invalid:has([data-field="${field}"]) .field-error`).textContent();
      await page.check('input[name="sex"][value="M"]');
      expect(await errorOf('sex')).toBe('Le sexe ne correspond pas au NIR.');
      await page.check('input[name="sex"][value="F"]');
      await page.getByLabel('Jour', { exact: true }).fill('5');
      await page.getByLabel('Mois', { exact: true }).fill('10');
      expect(await errorOf('birthDate')).toBe('L’année ou le mois de naissance ne correspond pas au NIR.');

      // a visitor without NIR, from the keyboard alone: Enter moves to the next field still to
      // fill (skipping what is optional or already filled), and never sends
      await page.reload();
      await page.waitForSelector('form.entry');
      const focused = () => page.evaluate(() => {
        const el = (globalThis as any).document.activeElement;
        return (el?.getAttribute('data-field') ?? el?.getAttribute('aria-label') ?? el?.textContent) as string;
      });
      expect(await focused()).toBe('nir');
      const k = page.keyboard;
      await k.press('Tab'); // "no NIR"
      await k.press('Space'); // its reason comes set: foreign visitor
      await k.press('Enter');
      expect(await focused()).toBe('sex');
      await k.press('Space'); // woman
      for (const [field, text] of [['birthName', 'Visiteuse'], ['firstNames', 'Anna'], ['birthDate', '05'], ['Mois', '07'], ['Année', '1990'], ['phone', '06 39 98 12 34']]) {
        await k.press('Enter'); // the used name is optional, Enter skips it
        expect(await focused()).toBe(field);
        await k.type(text as string);
      }
      await k.press('Enter'); // one contact is enough: e-mail and address are skipped
      expect(await focused()).toBe('result');
      await k.press('n'); // negative
      await k.press('Enter'); // test type and specimen are set
      expect(await focused()).toBe('device');
      await k.type('1232');
      expect(await page.locator('[role="alert"]').count()).toBe(0);
      await b.screenshot('counter-no-nir');
      expect(await b.accessibilityViolations()).toEqual([]);
      await k.press('Enter'); // collection and result times are set: the submit button
      expect(await focused()).toBe('Enregistrer et transmettre');
      await k.press('Enter');
      const id = (await page.getByTestId('receipt-id').textContent()) as string;
      expect(await page.locator('.receipt').textContent()).toContain('Anna Visiteuse');
      // stored at the pharmacist's pharmacy, with no NIR to index
      const stored = await w.h.db.owner.selectFrom('test_results').select(['pharmacy_id', 'nir_index']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(stored).toEqual({ pharmacy_id: w.h.pharmacyIds[PHARMACY_A], nir_index: null });
    });
  });

  it('a pharmacy manager: its own pharmacy’s results only, and a result’s receipt opened for a stated purpose, audited', async () => {
    await as('titulaire1', '/results', async (b) => {
      const { page } = b;
      expect(await navigation(b)).toEqual(['Saisie au comptoir', 'Résultats', 'Statistiques', 'Pharmacies', 'Notifications', 'Habilitations', 'Revue des accès']);
      await page.locator(`td button:text-is("${delivered}")`).waitFor();
      expect(await page.locator(`td button:text-is("${theirs}")`).count()).toBe(0);
      await page.getByLabel('État').selectOption('dead-lettered');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await page.locator(`td button:text-is("${delivered}")`).waitFor({ state: 'detached' });
      expect(await page.locator('td button').allTextContents()).toEqual([refused]);
      await page.getByLabel('État').selectOption('');
      await page.getByLabel('Référence').fill(theirs);
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await page.getByText('Aucun résultat.').waitFor();

      await page.goto(`${w.webUrl}/#/results?id=${delivered}`);
      await page.reload();
      await page.locator('.timeline li').first().waitFor();
      expect(await page.locator('main').textContent()).not.toContain('Testeur');
      await page.getByRole('button', { name: `Réimprimer ${delivered.slice(0, 8)}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Motif').selectOption('patient-request');
      await dialog.getByRole('button', { name: 'Afficher' }).click();
      await dialog.getByTestId('receipt-id').waitFor();
      expect(await dialog.locator('.receipt').textContent()).toContain('Jean Émile Testeur');
      await b.screenshot('admin-results-revealed');
      expect(await b.accessibilityViolations()).toEqual([]);
      // printed, the receipt comes alone
      await page.emulateMedia({ media: 'print' });
      expect([await dialog.locator('.receipt dl').isVisible(), await page.locator('.timeline').isVisible(), await page.locator('header nav').isVisible()]).toEqual([true, false, false]);
    });
    const events = await w.h.db.owner.selectFrom('audit_events').select(['reason', 'actor_id']).where('action', '=', 'result.reveal').where('object_id', '=', delivered).execute();
    expect(events).toEqual([{ reason: 'patient-request', actor_id: `dev:${w.person('titulaire1').subject}` }]);
  });

  it('a chain admin: the admin pages, doctor’s checks on the system page, and no reveal of personal data', async () => {
    await as('admin', '/system', async (b) => {
      const { page } = b;
      expect(await navigation(b)).toEqual(['Vue d’ensemble', 'Rejets', 'Résultats', 'Statistiques', 'Pharmacies', 'Notifications', 'Habilitations', 'Revue des accès', 'Système', 'Clés']);
      await page.locator('.checks li').first().waitFor();
      const checks = (await page.locator('.checks').textContent()) as string;
      for (const check of ['Connexion à la base', 'Scellement du journal d’audit', 'Dernière sauvegarde', 'Gestionnaire de clés']) expect(checks).toContain(check);

      await page.goto(`${w.webUrl}/#/results?id=${delivered}`);
      await page.locator('.timeline li').first().waitFor();
      expect(await page.getByRole('button', { name: /^Réimprimer/ }).count()).toBe(0);
      expect(await call(b, 'POST', `/api/web/v1/test-results/${delivered}/reveal`, { purpose: 'patient-request' })).toBe(403);
    });
  });

  it('an operator and an auditor: the pages of their rights, and the auditor downloads the log', async () => {
    await as('exploitant', '/overview', async (b) => {
      expect(await navigation(b)).toEqual(['Vue d’ensemble', 'Rejets', 'Résultats', 'Statistiques', 'Système', 'Clés']);
    });
    await as('auditeur', '/audit', async (b) => {
      expect(await navigation(b)).toEqual(['Vue d’ensemble', 'Résultats', 'Statistiques', 'Revue des accès', 'Système', 'Clés', 'Journal d’audit']);
      const [download] = await Promise.all([b.page.waitForEvent('download'), b.page.getByRole('link', { name: 'Exporter (JSON Lines)' }).click()]);
      const lines = (await readFile((await download.path()) as string, 'utf8')).trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    });
  });
});
