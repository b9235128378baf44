import { appendAudit, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { TestResultInput } from '../results/index.js';
import type { ResultSealer, SubjectResult } from '../results/lifecycle/index.js';
import { ageEncryptWithPassphrase, oneTimePassphrase } from './age-passphrase.js';
import type { SubjectReason } from './reasons.js';

/** One result handed to the person: its receipt and the document as the pharmacy submitted it. */
export interface ExportedResult {
  id: string;
  finess: string;
  status: string;
  receivedAt: string;
  deliveredAt: string | null;
  document: TestResultInput;
}

/** The export's two files, each an age file (`age --passphrase`) under the same one-time passphrase. */
export interface SubjectExport {
  /** Shown once to the data protection officer, who gives it to the person apart from the files. */
  passphrase: string;
  json: Buffer;
  html: Buffer;
  /** Results exported; those purged before (past retention or erased) have nothing left to export. */
  count: number;
}

/**
 * Opens, through the result sealer (the key manager must answer: nothing is exported otherwise),
 * the person's results still holding their data, and encrypts them as JSON and as a printable
 * page under a new one-time passphrase. Audited per result as `subject.export` with the actor and
 * the reason, in one transaction written before the files are returned.
 * @example const { passphrase, json, html } = await exportSubjectResults({ db, sealer }, results, { actor, reason });
 */
export async function exportSubjectResults(
  d: { db: Database; sealer: ResultSealer<TestResultInput> },
  results: readonly SubjectResult[],
  o: { actor: AuditEvent['actor']; reason: SubjectReason; now?: Date },
): Promise<SubjectExport> {
  const live = results.filter((r) => r.purgedAt === null).map((r) => r.id);
  const rows = live.length ? await d.db.selectFrom('test_results').select(['id', 'pharmacy_id', 'sealed', 'data_key_id']).where('id', 'in', live).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const exported: ExportedResult[] = [];
  for (const r of results) {
    const row = byId.get(r.id);
    if (!row?.sealed || !row.data_key_id) continue;
    const { result } = await d.sealer.open({ id: row.id, pharmacy_id: row.pharmacy_id, sealed: row.sealed, data_key_id: row.data_key_id });
    exported.push({ id: r.id, finess: r.finess, status: r.status, receivedAt: r.receivedAt.toISOString(), deliveredAt: r.deliveredAt?.toISOString() ?? null, document: result });
  }
  await appendAudit(d.db, exported.map((r) => ({ actor: o.actor, action: 'subject.export', object: { type: 'test-result', id: r.id }, outcome: 'success' as const, reason: o.reason })));
  const generatedAt = (o.now ?? new Date()).toISOString();
  const passphrase = oneTimePassphrase();
  const json = JSON.stringify({ generatedAt, results: exported }, null, 2);
  return {
    passphrase,
    json: await ageEncryptWithPassphrase(Buffer.from(json), passphrase),
    html: await ageEncryptWithPassphrase(Buffer.from(printablePage(generatedAt, exported)), passphrase),
    count: exported.length,
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Every field of a document as `path: value` rows, whatever the schema holds. */
function fields(value: unknown, path = ''): [string, string][] {
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => fields(v, path ? `${path}.${k}` : k));
  return [[path, String(value)]];
}

/** A self-contained page (no script, no remote resource) the controller prints for the person. */
function printablePage(generatedAt: string, results: readonly ExportedResult[]): string {
  const sections = results.map((r) => {
    const rows = fields({ id: r.id, finess: r.finess, status: r.status, receivedAt: r.receivedAt, deliveredAt: r.deliveredAt ?? '', ...r.document })
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join('\n');
    return `<section><h2>${escapeHtml(r.id)}</h2><table>\n${rows}\n</table></section>`;
  });
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Vos résultats de test / Your test results</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}th,td{border:1px solid #999;padding:.3em .6em;text-align:left}th{font-weight:normal;color:#444}section{break-inside:avoid}</style>
</head><body>
<h1>Vos résultats de test / Your test results</h1>
<p>Export du / Exported on ${escapeHtml(generatedAt)} — ${results.length} résultat(s) / result(s)</p>
${sections.join('\n')}
</body></html>
`;
}
