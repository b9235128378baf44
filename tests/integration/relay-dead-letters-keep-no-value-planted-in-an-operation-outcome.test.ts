import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from '../support/database-dump.js';
import { eventually, PHARMACY_A } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { webApiCalls } from '../support/web-api-calls.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

let w: WebHarness;
beforeAll(async () => {
  w = await startWebHarness();
}, 60_000);
afterAll(async () => {
  await w?.close();
});
const { as } = webApiCalls(() => w);

const submission = syntheticResult({ patient: { phone: '06 11 22 33 44', email: 'zoe.planted@example.org', birthName: 'Plantedname', firstNames: ['Plantedgiven'] } });
const { nir, birthDate } = submission.patient as { nir: string; birthDate: string };
const [year, month, day] = birthDate.split('-');
/** The patient's values in the forms an SI-DEP answer could quote them. */
const PLANTED = [nir, 'Plantedname', 'Plantedgiven', '0611223344', '+33611223344', '06 11 22 33 44', 'zoe.planted@example.org', birthDate, `${day}/${month}/${year}`, `${year}${month}${day}`];

/** An OperationOutcome with a personal value in every position an issue has. */
function plantedOutcome(): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    text: { status: 'generated', div: `<div>${PLANTED.join(' ')}</div>` },
    issue: [
      { severity: 'error', code: 'invalid', expression: [`Patient.identifier[${nir}]`], diagnostics: `NIR ${nir} refused`, details: { text: nir, coding: [{ code: nir, display: nir }] }, location: [`/f:Patient/f:identifier[@value='${nir}']`] },
      { severity: 'error', code: 'invalid', expression: ['Patient.telecom.0611223344', 'Patient.telecom.+33611223344'], diagnostics: 'phone 06 11 22 33 44', location: ['Patient.telecom[+33611223344]'] },
      { severity: 'error', code: 'invalid', expression: ["Patient.name.where(family='Plantedname')"], details: { text: 'Plantedname Plantedgiven' } },
      { severity: 'error', code: 'invalid', expression: ['Patient.name.Plantedgiven'] },
      { severity: 'error', code: 'invalid', expression: ['Patient.telecom.where(value=\'zoe.planted@example.org\')'] },
      { severity: 'error', code: 'invalid', expression: [`Patient.birthDate.${birthDate}`, `Patient.birthDate[${year}${month}${day}]`], diagnostics: `${day}/${month}/${year}` },
      { severity: 'error', code: 'zoe.planted@example.org', expression: [`Patient.birthDate[${day}/${month}/${year}]`] },
      { severity: 'error', code: 'required', expression: ['Bundle.entry[6].resource.performer'], diagnostics: nir },
    ],
  };
}

describe('a dead letter from a planted OperationOutcome', () => {
  it('keeps codes and R4 paths only: no planted value in the database, logs, metrics or dead-letter page', async () => {
    await w.h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 422, outcome: plantedOutcome() } });
    const id = (await w.h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: submission, headers: { 'idempotency-key': randomUUID() } })).body.id as string;
    await eventually(async () => ((await w.h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'dead-lettered' ? true : undefined), 30_000);
    await w.h.simulatorControl('POST', '/_control/faults', {});

    const dump = await dumpDatabase(w.h.db.owner);
    expect(dump).toContain('"expression":"Bundle.entry[6].resource.performer"');
    expect(dump).toContain('"expression":"Patient"');
    const deadLetters = await as('exploitant', 'GET', '/api/web/v1/outbox/dead-letters');
    expect(deadLetters.status).toBe(200);
    const page = JSON.stringify(deadLetters.json());
    expect(page).toContain(id);
    const logs = w.h.logs.join('');
    const metrics = await fetch(`${w.h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${w.h.metricsToken}` } }).then((r) => r.text());
    for (const value of PLANTED) {
      expect(dump, `database holds ${value}`).not.toContain(value);
      expect(logs, `logs hold ${value}`).not.toContain(value);
      expect(metrics, `metrics hold ${value}`).not.toContain(value);
      expect(page, `dead-letter page holds ${value}`).not.toContain(value);
    }
  });
});
