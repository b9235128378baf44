import { randomUUID } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { eventually, PHARMACY_A } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { asPersonInTheUi } from '../support/ui-sign-in.js';
import { webHarnessServingTheUi } from '../support/web-harness.js';

const w = webHarnessServingTheUi();

/** A result SI-DEP has acknowledged, through the pharmacy's own intake. */
async function deliveredResult(): Promise<string> {
  const res = await w().h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_A }), headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  await eventually(async () => ((await w().h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
  return id;
}

describe('the printable delivery receipt', () => {
  it("shows a delivered result's signed receipt, says how to verify it, and prints it to a PDF", async () => {
    const id = await deliveredResult();
    await asPersonInTheUi(w(), 'titulaire1', `/results?id=${id}`, async (b) => {
      const { page } = b;
      const receipt = page.getByRole('region', { name: 'Reçu de transmission signé' });
      const jws = ((await receipt.locator('.receipt-jws').textContent()) ?? '').trim();
      expect(jws.split('.')).toHaveLength(3);

      // how to verify: the command, and the public keys the page links to, without an account
      await receipt.getByText('gateway receipt verify', { exact: false }).waitFor();
      const jwksUrl = (await receipt.getByRole('link').getAttribute('href')) as string;
      expect(jwksUrl).toBe(`${w().webUrl}/.well-known/jwks.json`);
      const kid = (await receipt.locator('code').first().textContent()) as string;
      // anyone holding the receipt verifies it with any JOSE library, fetching the keys without signing in
      const jwks = (await w().browser().fetch('GET', jwksUrl)).json() as JSONWebKeySet;
      const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid });
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ sub: id, finess: PHARMACY_A });
      expect(await b.accessibilityViolations()).toEqual([]);

      // on paper: the receipt and how to verify it, without the navigation
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.top').isVisible()).toBe(false);
      expect(await receipt.locator('.receipt-jws').isVisible()).toBe(true);
      expect(await receipt.getByText('gateway receipt verify', { exact: false }).isVisible()).toBe(true);
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdf.toString('latin1');
      expect(text.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
      // text drawn with embedded fonts: far more than an empty page's few kilobytes
      expect(pdf.length).toBeGreaterThan(20_000);
      expect(text).toMatch(/\/FontFile2?|\/FontFile3/);
      await page.emulateMedia({ media: 'screen' });
      await b.screenshot('receipt-printable');
    });
  });
});
