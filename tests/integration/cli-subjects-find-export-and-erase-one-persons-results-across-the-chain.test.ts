import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ageDecryptWithPassphrase, openRequestsDueWithin } from '../../gateway/src/subjects/index.js';
import { run } from '../support/child-process.js';
import { eventually, PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticNir, syntheticResult } from '../support/synthetic-result.js';

/**
 * `gateway subjects` on a running gateway's database and keyring: one person tested at both
 * pharmacies, another person beside them, and one of the first person's results still waiting
 * for SI-DEP.
 */
let h: Harness;
let out: string;
const nir = syntheticNir();
const otherNir = syntheticNir();
const ids: { a: string; b: string; other: string; pending: string } = { a: '', b: '', other: '', pending: '' };

const submit = async (finess: string, body: unknown) =>
  (await h.call(finess, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } })).body.id as string;
const statusOf = async (finess: string, id: string) => (await h.call(finess, 'GET', `/api/v1/test-results/${id}`)).body.status as string;

beforeAll(async () => {
  h = await startHarness();
  out = await mkdtemp(join(tmpdir(), 'subjects-'));
  ids.a = await submit(PHARMACY_A, syntheticResult({ patient: { nir } }));
  ids.b = await submit(PHARMACY_B, syntheticResult({ pharmacyFiness: PHARMACY_B, patient: { nir } }));
  ids.other = await submit(PHARMACY_A, syntheticResult({ patient: { nir: otherNir } }));
  await eventually(async () => ((await statusOf(PHARMACY_A, ids.a)) === 'delivered' && (await statusOf(PHARMACY_B, ids.b)) === 'delivered' ? true : undefined));
  // a later test of the same person that SI-DEP has not received yet
  await h.restartGateway({ relay: { enabled: false } as never });
  ids.pending = await submit(PHARMACY_B, syntheticResult({ pharmacyFiness: PHARMACY_B, patient: { nir }, test: { collectedAt: new Date(Date.now() - 50 * 60_000).toISOString() } }));
}, 120_000);
afterAll(async () => {
  await h?.close();
  await rm(out, { recursive: true, force: true });
});

const subjects = (args: string[], input?: string) =>
  run(process.execPath, ['gateway/bin/gateway.js', 'subjects', ...args, '--database-url', h.db.runtimeUrl, '--operator', 'dpo.martin'], {
    env: { PATH: process.env.PATH, USER: 'tester', GATEWAY_KEY_MANAGER_KIND: 'local', GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE: join(h.dir, 'keyring.json') },
    ...(input === undefined ? {} : { input }),
  });

const auditRows = () => h.db.owner.selectFrom('audit_events').selectAll().where('action', 'in', ['subject.find', 'subject.export', 'result.purge']).execute();

describe('gateway subjects', () => {
  it('finds a person by NIR from standard input at both pharmacies, and nothing for another NIR, exiting 0 either way', async () => {
    const found = await subjects(['find', '--nir', '-'], `${nir}\n`);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain(`${ids.a}  ${PHARMACY_A}  delivered`);
    expect(found.stdout).toContain(`${ids.b}  ${PHARMACY_B}  delivered`);
    expect(found.stdout).toContain(`${ids.pending}  ${PHARMACY_B}  received`);
    expect(found.stdout).not.toContain(ids.other);
    expect(found.stdout).toContain('3 result(s)');

    const nobody = await subjects(['find', '--nir', syntheticNir()]);
    expect(nobody).toMatchObject({ code: 0, stdout: expect.stringContaining('0 result(s)') });

    // by the id on a receipt: that result and the person's others, through the NIR index
    const byId = await subjects(['find', '--result-id', ids.a, '--reason', 'rectification']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain(ids.b);
    expect(byId.stdout).not.toContain(ids.other);

    const finds = (await auditRows()).filter((e) => e.action === 'subject.find');
    expect(finds.filter((e) => e.object_id === ids.a).map((e) => e.reason)).toEqual(['access-request', 'rectification']);
    expect(finds.find((e) => e.object_id === null)).toMatchObject({ actor_type: 'user', actor_id: expect.stringMatching(/^cli:.*;operator=dpo\.martin$/), reason: 'access-request' });
  });

  it('exports the person’s results, and only theirs, as age files opened by the one-time passphrase', async () => {
    const r = await subjects(['export', '--nir', nir, '--reason', 'access-request', '--out', out]);
    expect(r.code).toBe(0);
    const passphrase = /One-time passphrase .*: (\S+)$/m.exec(r.stdout)?.[1];
    expect(passphrase).toBeDefined();
    const files = (await readdir(out)).sort();
    expect(files).toEqual([expect.stringMatching(/\.html\.age$/), expect.stringMatching(/\.json\.age$/)]);
    const sealed = await readFile(join(out, files[1]!));
    expect(sealed.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    const json = JSON.parse((await ageDecryptWithPassphrase(sealed, passphrase!)).toString());
    expect(json.results.map((x: { id: string }) => x.id).sort()).toEqual([ids.a, ids.b, ids.pending].sort());
    expect(json.results.every((x: { document: { patient: { nir: string } } }) => x.document.patient.nir === nir)).toBe(true);
    const page = (await ageDecryptWithPassphrase(await readFile(join(out, files[0]!)), passphrase!)).toString();
    expect(page).toContain(nir);
    expect(page).not.toContain(otherNir);
    await expect(ageDecryptWithPassphrase(sealed, 'not-the-passphrase')).rejects.toThrow(/wrong passphrase/);
    expect((await auditRows()).filter((e) => e.action === 'subject.export').map((e) => e.object_id).sort()).toEqual([ids.a, ids.b, ids.pending].sort());
  });

  it('erases the delivered results as the purge does, keeps the one SI-DEP still waits for, and exits 1', async () => {
    const r = await subjects(['erase', '--nir', '-', '--reason', 'erasure'], nir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${ids.pending}  kept: not reported to SI-DEP yet`);
    const rows = await h.db.owner.selectFrom('test_results').selectAll().where('id', 'in', [ids.a, ids.b, ids.pending, ids.other]).execute();
    const row = (id: string) => rows.find((x) => x.id === id)!;
    for (const id of [ids.a, ids.b]) expect(row(id)).toMatchObject({ sealed: null, data_key_id: null, nir_index: null, external_ref_index: null, loinc: null, purged_at: expect.any(Date) });
    expect(row(ids.pending)).toMatchObject({ sealed: expect.any(Buffer), nir_index: expect.any(String), purged_at: null });
    expect(row(ids.other)).toMatchObject({ sealed: expect.any(Buffer), purged_at: null });
    const purges = (await auditRows()).filter((e) => e.action === 'result.purge');
    expect(purges.map((e) => [e.object_id, e.reason]).sort()).toEqual([[ids.a, 'erasure'], [ids.b, 'erasure']].sort());
    expect(purges.every((e) => e.actor_id?.endsWith(';operator=dpo.martin'))).toBe(true);
  });

  it('keeps a register of requests due in one month, counted as due soon within 7 days, until answered', async () => {
    const recorded = await subjects(['requests', 'record', '--reason', 'erasure']);
    expect(recorded.code).toBe(0);
    const id = recorded.stdout.trim();
    const row = await h.db.owner.selectFrom('subject_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reason: 'erasure', status: 'open', recorded_by: expect.stringMatching(/^cli:.*;operator=dpo\.martin$/) });
    expect(row.due_at.getTime()).toBeGreaterThan(row.received_at.getTime() + 27 * 86_400_000);
    expect(await openRequestsDueWithin(h.db.runtime, 7)).toBe(0);
    await h.db.owner.updateTable('subject_requests').set({ received_at: sql`now() - interval '25 days'`, due_at: sql`now() + interval '5 days'` }).where('id', '=', id).execute();
    expect(await openRequestsDueWithin(h.db.runtime, 7)).toBe(1);
    expect((await subjects(['requests', 'list'])).stdout).toMatch(new RegExp(`${id}  open +erasure`));

    expect((await subjects(['requests', 'answer', id])).code).toBe(0);
    expect(await openRequestsDueWithin(h.db.runtime, 7)).toBe(0);
    expect((await subjects(['requests', 'answer', id])).code).toBe(1);
    const audit = await h.db.owner.selectFrom('audit_events').select(['action', 'reason']).where('object_id', '=', id).orderBy('seq').execute();
    expect(audit).toEqual([{ action: 'subject.request', reason: 'erasure' }, { action: 'subject.answer', reason: 'erasure' }]);
  });

  it('never writes the NIR to the audit log, the gateway’s log or its own output', async () => {
    const everything = JSON.stringify(await h.db.owner.selectFrom('audit_events').selectAll().execute());
    expect(everything).not.toContain(nir);
    expect(h.logs.join('\n')).not.toContain(nir);
    const r = await subjects(['find', '--nir', nir]);
    expect(r.stdout + r.stderr).not.toContain(nir);
    // a mistyped NIR (its key's last digit changed, so never the NIR itself) is refused without being echoed
    const bad = await subjects(['find', '--nir', `${nir.slice(0, 14)}${(Number(nir[14]) + 1) % 10}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain(nir.slice(0, 14));
  });
});
