import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import { ageDecryptWithPassphrase } from '../../gateway/src/subjects/index.js';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticNir, syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
const nir = syntheticNir();
const ids: string[] = [];

beforeAll(async () => {
  w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
  for (const finess of [PHARMACY_A, PHARMACY_B]) {
    const res = await w.h.call(finess, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: finess, patient: { nir } }), headers: { 'idempotency-key': randomUUID() } });
    ids.push(res.body.id as string);
  }
}, 120_000);

afterAll(async () => {
  await w?.close();
});

describe('the data subjects page', () => {
  it('lets the DPO find a person at both pharmacies and export their results, the NIR never in a URL', async () => {
    await asPersonInTheUi(w, 'dpo', '/subjects', async (b) => {
      const { page } = b;
      const urls: string[] = [];
      page.on('request', (r) => urls.push(r.url()));
      await page.getByLabel('NIR', { exact: true }).fill(nir);
      await page.getByRole('button', { name: 'Rechercher' }).click();
      const found = page.getByRole('region', { name: '2 résultats dans la chaîne' });
      await found.waitFor();
      for (const id of ids) expect(await found.textContent()).toContain(id);
      expect(await found.textContent()).toContain(PHARMACY_B);

      await page.getByRole('button', { name: 'Exporter' }).click();
      const passphrase = await page.getByLabel('Phrase secrète').inputValue();
      const link = page.getByRole('link', { name: /\.json\.age$/ });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const exported = JSON.parse((await ageDecryptWithPassphrase(await readFile((await download.path())!), passphrase)).toString());
      expect(exported.results.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());

      for (const [language, toggle] of [['fr', undefined], ['en', 'English']] as const) {
        if (toggle) await page.getByRole('button', { name: toggle }).click();
        for (const width of [390, 1366]) {
          await page.setViewportSize({ width, height: 900 });
          expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(width);
          await b.screenshot(`admin-subjects-${language}-${width}`);
          expect(await b.accessibilityViolations()).toEqual([]);
        }
      }
      // the NIR went in POST bodies only: not in the page's address nor any request's
      expect(page.url()).not.toContain(nir);
      expect(urls.filter((u) => u.includes(nir))).toEqual([]);
      expect(urls.some((u) => u.endsWith('/api/web/v1/admin/subjects/find'))).toBe(true);
    });
  });
});
