import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import type { TestBrowser } from '../support/browser.js';
import { eventually, PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
let deadIds: string[];
let deliveredId: string;

const statusOf = async (id: string): Promise<string> => (await w.h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status;
const submit = async () => (await w.h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
  deliveredId = await submit();
  await eventually(async () => ((await statusOf(deliveredId)) === 'delivered' ? true : undefined));
  // one result at the other pharmacy, which its manager's neighbour must not see
  const theirs = (await w.h.call(PHARMACY_B, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_B }), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  await eventually(async () => ((await w.h.call(PHARMACY_B, 'GET', `/api/v1/test-results/${theirs}`)).body.status === 'delivered' ? true : undefined));
  // SI-DEP refuses three results: they become dead letters
  await w.h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 422 } });
  deadIds = [await submit(), await submit(), await submit()];
  await eventually(async () => ((await Promise.all(deadIds.map(statusOf))).every((s) => s === 'dead-lettered') ? true : undefined));
  await w.h.simulatorControl('POST', '/_control/faults', {});
}, 120_000);

afterAll(async () => {
  await w?.close();
});

/** A fresh browser (no session) per person. */
const as = <T>(username: string, route: string, run: (b: TestBrowser) => Promise<T>) => asPersonInTheUi(w, username, route, run);

async function signInAgain(b: TestBrowser, username: string): Promise<void> {
  await b.page.fill('input[name="username"]', username);
  await b.page.fill('input[name="password"]', w.person(username).password);
  await b.page.click('button[type="submit"]');
}

describe('the admin pages', () => {
  it('let an operator redrive dead letters one by one or as a selection, after confirming, and the results are then delivered', async () => {
    await as('exploitant', '/dead-letters', async (b) => {
      const { page } = b;
      const rows = page.locator('tr[data-message-id]');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(3);
      expect(await rows.first().textContent()).toContain('Refusé par SI-DEP');
      await b.screenshot('admin-dead-letters');
      expect(await b.accessibilityViolations()).toEqual([]);
      // one by one
      await rows.first().getByRole('button', { name: 'Renvoyer tel quel' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await b.screenshot('admin-dead-letters-confirm');
      expect(await b.accessibilityViolations()).toEqual([]);
      await dialog.getByRole('button', { name: 'Oui, renvoyer' }).click();
      await page.getByRole('status').filter({ hasText: '1 message remis en file.' }).waitFor();
      await page.locator('tr[data-message-id]').nth(2).waitFor({ state: 'detached' });
      // the rest as a selection; cancelling first changes nothing
      for (const box of await page.getByRole('checkbox').all()) await box.check();
      await page.getByRole('button', { name: 'Renvoyer la sélection (2)' }).click();
      await dialog.getByRole('button', { name: 'Annuler' }).click();
      expect(await page.locator('tr[data-message-id]').count()).toBe(2);
      await page.getByRole('button', { name: 'Renvoyer la sélection (2)' }).click();
      await dialog.getByRole('button', { name: 'Oui, renvoyer' }).click();
      await page.getByRole('status').filter({ hasText: '2 messages remis en file.' }).waitFor();
      await page.getByText('Aucun rejet.').waitFor();
    });
    await eventually(async () => ((await Promise.all(deadIds.map(statusOf))).every((s) => s === 'delivered') ? true : undefined));
  });

  it('show a chain-admin the overview, results with their history, statistics and the system, without personal data', async () => {
    await as('admin', '/overview', async (b) => {
      const { page } = b;
      await page.locator('.figures li').first().waitFor();
      // intake, latency, backlog, oldest waiting, failures: each drawn, each with its 24-hour table
      const charts = page.locator('figure.chart');
      expect(await charts.count()).toBe(5);
      for (const chart of await charts.all()) {
        expect(await chart.locator('svg[role="img"]').count()).toBe(1);
        expect(await chart.locator('table tbody tr').count()).toBe(24);
      }
      expect(await charts.first().locator('.series rect.bar').count()).toBeGreaterThan(0);
      expect(await page.getByRole('img', { name: 'Résultats reçus et transmis par heure' }).count()).toBe(1);
      await b.screenshot('admin-overview');
      expect(await b.accessibilityViolations()).toEqual([]);

      await page.goto(`${w.webUrl}/#/results?id=${deliveredId}`);
      await page.locator('.timeline li').first().waitFor();
      expect(await page.locator('.timeline').textContent()).toMatch(/Reçu.*Transmis/);
      await b.screenshot('admin-results');
      expect(await b.accessibilityViolations()).toEqual([]);

      await page.goto(`${w.webUrl}/#/statistics`);
      // the per-pharmacy table, not the chart's table of hours above it
      const row = page.getByRole('group', { name: 'Statistiques par pharmacie' }).locator('table tbody tr').first();
      await row.waitFor();
      expect(await row.textContent()).toContain('759999907');
      const csv = page.getByRole('link', { name: 'Exporter en CSV' });
      const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
      expect(download.suggestedFilename()).toMatch(/^statistics-day-.*\.csv$/);
      await b.screenshot('admin-statistics');
      expect(await b.accessibilityViolations()).toEqual([]);

      await page.goto(`${w.webUrl}/#/pharmacies`);
      await page.getByRole('cell', { name: '759999915', exact: true }).waitFor();
      await b.screenshot('admin-pharmacies');
      expect(await b.accessibilityViolations()).toEqual([]);

      await page.goto(`${w.webUrl}/#/system`);
      await page.locator('.checks li').first().waitFor();
      // the results above were sealed under the keyring's first KEK version: all current
      expect(await page.locator('#rewrap').getAttribute('value')).toBe('100');
      await b.screenshot('admin-system');
      expect(await b.accessibilityViolations()).toEqual([]);

      const body = await page.content();
      for (const value of ['Testeur', '185036912345609', '06 39 98']) expect(body).not.toContain(value);
    });
  });

  it('send a person whose session ended to sign in, and back to the page they asked for', async () => {
    await as('auditeur', '/statistics', async (b) => {
      await w.h.db.owner.deleteFrom('web_sessions').where('subject', '=', w.person('auditeur').subject).execute();
      await b.page.goto(`${w.webUrl}/#/system`);
      // the provider may remember the person, or ask again
      const form = b.page.locator('input[name="username"]');
      const back = b.page.waitForURL((u) => u.origin === w.webUrl && u.hash === '#/system' && u.pathname === '/', { timeout: 15_000 });
      await Promise.race([back, form.waitFor({ timeout: 15_000 })]);
      if (await form.isVisible()) await signInAgain(b, 'auditeur');
      await back;
      await b.page.getByRole('heading', { name: 'Système', level: 1 }).waitFor();
      // a new session: the person did sign in again on the way
      const sessions = await w.h.db.owner.selectFrom('web_sessions').select('subject').where('subject', '=', w.person('auditeur').subject).execute();
      expect(sessions).toHaveLength(1);
    });
  });

  it('show a pharmacy manager their own pharmacy only: counter, results, statistics, certificates', async () => {
    await as('titulaire1', '/statistics', async (b) => {
      const nav = (await b.page.locator('header nav').textContent()) as string;
      for (const page of ['Saisie au comptoir', 'Résultats', 'Statistiques', 'Pharmacies']) expect(nav).toContain(page);
      for (const page of ['Vue d’ensemble', 'Rejets', 'Système']) expect(nav).not.toContain(page);
      const table = b.page.getByRole('group', { name: 'Statistiques par pharmacie' });
      await table.locator('tbody tr').first().waitFor();
      const finess = await table.locator('tbody tr td:first-child').allTextContents();
      expect(finess.every((f) => f.includes('759999907'))).toBe(true);
      await b.page.goto(`${w.webUrl}/#/pharmacies`);
      await b.page.getByRole('cell', { name: '759999907', exact: true }).waitFor();
      expect(await b.page.getByRole('cell', { name: '759999915', exact: true }).count()).toBe(0);
    });
  });

  it('give an auditor nothing to change: no dead-letter page, and a redrive is refused', async () => {
    await as('auditeur', '/overview', async (b) => {
      const nav = (await b.page.locator('header nav').textContent()) as string;
      expect(nav).not.toContain('Rejets');
      expect(nav).toContain('Statistiques');
      // English on request, and remembered
      await b.page.getByRole('button', { name: 'English' }).click();
      await b.page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await b.page.reload();
      await b.page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await b.screenshot('admin-overview-english');
      const answer = await b.page.evaluate(async (id) => {
        const me = (await (await fetch('/api/web/v1/me')).json()) as { csrfToken: string };
        const res = await fetch(`/api/web/v1/outbox/dead-letters/${id}/redrive`, { method: 'POST', headers: { 'x-csrf-token': me.csrfToken } });
        return res.status;
      }, randomUUID());
      expect(answer).toBe(403);
    });
  });
});
