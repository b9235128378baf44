import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { requiredSection } from '../config/index.js';
import { createBlindIndex } from '../crypto/index.js';
import type { TestResultInput } from '../results/index.js';
import { createKeyedResultSealer, type DataSubject, type ErasureOutcome, type SubjectResult } from '../results/lifecycle/index.js';
import {
  answerSubjectRequest,
  dataSubjectOf,
  eraseSubject,
  exportSubject,
  findSubject,
  isSubjectReason,
  listSubjectRequests,
  recordSubjectRequest,
  SUBJECT_REASONS,
  type SubjectAction,
  type SubjectExport,
  type SubjectReason,
} from '../subjects/index.js';
import { openConfiguredKeys } from '../vault/index.js';
import { integerFlag, parseCommandLine, UsageError, type CliContext, type Command } from './command.js';

const PERSON = '(--nir N | --nir - | --result-id ID)';

/**
 * `gateway subjects find|export|erase` for the data protection officer, and `subjects requests`,
 * the register of the people's requests. The person is named by NIR (`--nir -` reads it from
 * standard input: out of shell history and `ps`) or by a result id from their receipt; every
 * action is audited with the operator and `--reason`, never with the NIR.
 */
export const subjects: Command = {
  help: `  subjects find ${PERSON}     A person's results across the chain: ids, pharmacies, statuses,
                              dates, no personal value  [--reason R] (default access-request)
  subjects export ${PERSON} --out DIR --reason R
                              Write their results within retention (JSON and a printable page), each
                              an age file under a one-time passphrase shown once (open: age --decrypt)
  subjects erase ${PERSON} --reason R
                              Destroy now the personal data of their results no longer waiting for
                              SI-DEP (exit 1 when some must wait)
  subjects requests list      The register of requests, open ones first with their due date  [--limit N]
  subjects requests record --reason R
                              Record a request received today (due in one month); prints its id
  subjects requests answer <request-id>
                              Mark a request answered
                              R: ${SUBJECT_REASONS.join(', ')}
`,
  async run(argv, ctx) {
    const options = { nir: { type: 'string' }, 'result-id': { type: 'string' }, reason: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string' } } as const;
    const { values, positionals } = parseCommandLine(argv, options);
    const [sub, ...rest] = positionals;
    if (sub === 'requests') return requests(rest, values, ctx);
    if (sub !== 'find' && sub !== 'export' && sub !== 'erase') throw new UsageError();
    if (rest.length > 0) throw new UsageError(`subjects ${sub} takes no positional argument.`);
    const reason = reasonFlag(values.reason, sub === 'find' ? 'access-request' : undefined);
    if (sub === 'export' && values.out === undefined) throw new UsageError('subjects export needs --out DIR.');
    const subject = await subjectFlags(values.nir, values['result-id']);
    const { actor } = ctx.operator(values.operator);
    const action: SubjectAction = { actor, reason };
    // Fail closed: the NIR's index needs the blind-index keys, an export and a receipt's id the data keys.
    const { settings, demoDataDir } = ctx.settings();
    const demoKeyring = demoDataDir === undefined ? undefined : { kind: 'local' as const, localKeyringFile: path.join(demoDataDir, 'keyring.json') };
    const keyManager = requiredSection(settings, 'keyManager', demoKeyring);
    const keys = await openConfiguredKeys(keyManager);
    const blindIndex = createBlindIndex(await keys.blindIndexKeys());
    return ctx.withDatabase(values['database-url'], async (db) => {
      const { guard, sealer } = createKeyedResultSealer<TestResultInput>({ keys, db, settings: keyManager, blindIndex });
      await guard.start();
      try {
        if (sub === 'find') return printFound(await findSubject({ db, sealer }, subject, action), ctx);
        if (sub === 'erase') return printErased(await eraseSubject({ db, sealer }, subject, action), ctx);
        return await exportTo(await exportSubject({ db, sealer }, subject, action), values.out!, ctx);
      } finally {
        guard.stop();
      }
    });
  },
};

function reasonFlag(value: string | undefined, byDefault: SubjectReason | undefined): SubjectReason {
  const reason = value ?? byDefault;
  if (reason === undefined || !isSubjectReason(reason)) throw new UsageError(`--reason takes ${SUBJECT_REASONS.join(', ')}.`);
  return reason;
}

/** The person from `--nir` (or standard input for `--nir -`) or `--result-id`; the message never echoes the value. */
async function subjectFlags(nir: string | undefined, resultId: string | undefined): Promise<DataSubject> {
  const subject = dataSubjectOf({ nir: nir === '-' ? await readStdin() : nir, resultId });
  if (subject === 'name-one') throw new UsageError('Name the person with --nir N (or --nir - to read it from standard input) or --result-id ID, one of them.');
  if (subject === 'nir-invalid') throw new UsageError('--nir takes a NIR of 15 characters with its key.');
  if (subject === 'result-id-invalid') throw new UsageError('--result-id takes a result id (a UUID) from the receipt.');
  return subject;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function printFound(results: SubjectResult[], ctx: CliContext): number {
  const at = (d: Date | null) => d?.toISOString() ?? '-';
  for (const r of results) ctx.out(`${r.id}  ${r.finess}  ${r.status.padEnd(13)} received=${at(r.receivedAt)} delivered=${at(r.deliveredAt)} purged=${at(r.purgedAt)}`);
  ctx.out(`${results.length} result(s)`);
  // found or not, the answer is the finding: 0 either way
  return 0;
}

function printErased({ erased, kept }: ErasureOutcome, ctx: CliContext): number {
  for (const id of erased) ctx.out(`${id}  erased`);
  for (const k of kept) ctx.out(`${k.id}  kept: ${k.why === 'delivery-pending' ? 'not reported to SI-DEP yet (a legal obligation): erase again once delivered or cancelled' : 'purged already'}`);
  const waiting = kept.filter((k) => k.why === 'delivery-pending').length;
  ctx.out(`Erased ${erased.length} result(s); ${waiting} must wait for delivery.`);
  return waiting > 0 ? 1 : 0;
}

async function exportTo(exported: SubjectExport, dir: string, ctx: CliContext): Promise<number> {
  const stem = path.join(dir, `subject-export-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  // 'wx': never overwrite; owner-only
  await writeFile(`${stem}.json.age`, exported.json, { flag: 'wx', mode: 0o600 });
  await writeFile(`${stem}.html.age`, exported.html, { flag: 'wx', mode: 0o600 });
  ctx.out(`Exported ${exported.count} result(s) to ${stem}.json.age and ${stem}.html.age`);
  ctx.out(`One-time passphrase (shown once; give it to the person apart from the files): ${exported.passphrase}`);
  return 0;
}

async function requests(args: string[], values: { reason?: string | undefined; limit?: string | undefined; operator?: string | undefined; 'database-url'?: string | undefined }, ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list' && rest.length === 0) {
    const limit = integerFlag(values.limit, '--limit', { min: 1, max: 10_000 }) ?? 100;
    return ctx.withDatabase(values['database-url'], async (db) => {
      const rows = await listSubjectRequests(db, { limit });
      for (const r of rows) {
        const answered = r.answeredAt ? ` answered=${r.answeredAt.toISOString()} by=${r.answeredBy ?? '-'}` : '';
        ctx.out(`${r.id}  ${r.status.padEnd(8)} ${r.reason.padEnd(14)} received=${r.receivedAt.toISOString()} due=${r.dueAt.toISOString()} by=${r.recordedBy}${answered}`);
      }
      ctx.out(`${rows.length} request(s)`);
      return 0;
    });
  }
  if (sub === 'record' && rest.length === 0) {
    const reason = reasonFlag(values.reason, undefined);
    const { actor } = ctx.operator(values.operator);
    return ctx.withDatabase(values['database-url'], async (db) => {
      ctx.out(await recordSubjectRequest(db, { reason, actor }));
      return 0;
    });
  }
  if (sub === 'answer' && rest.length === 1) {
    const { actor } = ctx.operator(values.operator);
    return ctx.withDatabase(values['database-url'], async (db) => {
      if (await answerSubjectRequest(db, rest[0]!, { actor })) {
        ctx.out(`Request ${rest[0]} answered.`);
        return 0;
      }
      ctx.err(`No open request with id ${rest[0]}.`);
      return 1;
    });
  }
  throw new UsageError();
}
