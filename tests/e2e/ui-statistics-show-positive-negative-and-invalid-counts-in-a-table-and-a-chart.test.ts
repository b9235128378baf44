import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { signInThroughTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const ui = webHarnessServingTheUi();
let b: TestBrowser;

/** Two positives, one negative, one invalid at pharmacy 759999907, all received today. */
beforeAll(async () => {
  for (const result of ['260373001', '260373001', '260415000', '455371000124106']) {
    const body = syntheticResult();
    const res = await ui().h.call('759999907', 'POST', '/api/v1/test-results', { body: { ...body, test: { ...body.test, result } }, headers: { 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(202);
  }
  b = await launchBrowser();
  await signInThroughTheUi(b.page, ui().webUrl, ui().person('admin'), '/statistics');
}, 60_000);

afterAll(async () => {
  await b?.close();
});

describe('the statistics page', () => {
  it('shows positive, negative and invalid counts per pharmacy and day, and draws them with a table for screen readers', async () => {
    const { page } = b;
    const row = page.locator('.table-scroll table tbody tr', { hasText: '759999907' });
    await row.waitFor();
    const headers = await page.locator('.table-scroll table thead th').allTextContents();
    const cells = await row.locator('td').allTextContents();
    const cell = (header: string) => cells[headers.indexOf(header)];
    expect([cell('Positifs'), cell('Négatifs'), cell('Invalides')]).toEqual(['2', '1', '1']);

    const chart = page.locator('figure.chart');
    expect(await chart.locator('figcaption').textContent()).toBe('Positifs, négatifs et invalides');
    expect(await chart.locator('svg[role="img"] rect.bar').count()).toBe(3);
    expect(await chart.locator('.chart-summary').textContent()).toContain('Positifs : 2 en tout');
    // the chart's figures, as a table: one row per day, one column per outcome
    const table = chart.locator('table');
    expect(await table.locator('thead th').allTextContents()).toEqual(['Jour', 'Positifs', 'Négatifs', 'Invalides']);
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody td').allTextContents()).toEqual(['2', '1', '1']);
    await b.screenshot('admin-statistics-outcomes');
    expect(await b.accessibilityViolations()).toEqual([]);
  });
});
