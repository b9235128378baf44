import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, PHARMACY_A } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

/**
 * Issue #19, defects 8 and 15 beyond the audit page: the overview fits a 1366 px screen and says
 * "< 1 s" for a sub-second delivery; dead letters name their pharmacy, their date and their
 * reason in words; results say why SI-DEP refused in words; the system page speaks French.
 */
const ui = webHarnessServingTheUi();
let refused: string;

const bodyText = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText);

beforeAll(async () => {
  const h = ui().h;
  const submit = async () => (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
  const statusOf = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status as string;
  // delivered by the simulator within a second: the overview's delivery time is under a second
  const delivered = await submit();
  await eventually(async () => ((await statusOf(delivered)) === 'delivered' ? true : undefined));
  await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 422 } });
  refused = await submit();
  await eventually(async () => ((await statusOf(refused)) === 'dead-lettered' ? true : undefined));
  await h.simulatorControl('POST', '/_control/faults', {});
}, 120_000);

describe('the operator’s pages', () => {
  it('the overview fits 1366 px, its hidden tables included, and a sub-second delivery reads “< 1 s”, not “0 s”', async () => {
    await asPersonInTheUi(ui(), 'admin', '/overview', async (b) => {
      const { page } = b;
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.locator('figure.chart').first().waitFor();
      const widths = await page.evaluate(() => {
        const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
        return { page: g.document.documentElement.scrollWidth, window: g.innerWidth };
      });
      expect.soft(widths.page).toBeLessThanOrEqual(widths.window);
      const latency = page.locator('.figures li').filter({ hasText: 'Délai de transmission' }).locator('.figure');
      expect(await latency.textContent()).toBe('< 1 s');
    });
  });

  it('dead letters show the pharmacy, the date and the reason in words, no code or HTTP status', async () => {
    await asPersonInTheUi(ui(), 'exploitant', '/dead-letters', async (b) => {
      const row = b.page.locator('tr[data-message-id]').first();
      await row.waitFor();
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      expect(text).toContain('Pharmacie 759999907 (759999907)');
      expect(text).toMatch(/\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
      expect(text).toContain('Refusé par SI-DEP');
      expect(text).toContain('Règle métier de SI-DEP non respectée');
      expect(text).not.toMatch(/sidep-rejected|business-rule|HTTP|422/);
      const headers = await b.page.locator('thead th').allInnerTexts();
      expect(headers).toEqual(expect.arrayContaining(['Pharmacie', 'Mis en file le']));
    });
  });

  it('a refused result says why in words, in French and in English', async () => {
    await asPersonInTheUi(ui(), 'admin', '/results?status=dead-lettered', async (b) => {
      const row = b.page.locator('table tbody tr').filter({ hasText: refused });
      await row.waitFor();
      expect(await row.innerText()).toContain('Refusé par SI-DEP');
      expect(await row.innerText()).not.toContain('sidep-rejected');
      await b.page.getByRole('button', { name: 'English' }).click();
      await b.page.getByRole('heading', { name: 'Find a result', level: 1 }).waitFor();
      expect(await row.innerText()).toContain('Refused by SI-DEP');
      expect(await row.innerText()).not.toContain('sidep-rejected');
    });
  });

  it('the system page names its checks and settings and says what it found in French', async () => {
    await asPersonInTheUi(ui(), 'admin', '/system', async (b) => {
      await b.page.locator('.checks li').first().waitFor();
      const text = await bodyText(b.page);
      expect(text).toContain('Certificat du serveur de réception');
      expect(text).toMatch(/valable encore \d+ jours, la clé correspond/);
      expect(text).toMatch(/la connexion (n’)?est (pas )?chiffrée/);
      expect(text).toContain('Envoi vers SI-DEP actif');
      expect(text).not.toMatch(/valid for|encrypted|tls\.intake|database\.tls|relay\.enabled/);
    });
  });
});
