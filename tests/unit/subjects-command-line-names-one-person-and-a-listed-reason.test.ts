import { describe, expect, it } from 'vitest';
import { runCommandLine, type CliContext } from '../../gateway/src/cli/index.js';
import { dataSubjectOf, isSubjectReason, SUBJECT_REASONS } from '../../gateway/src/subjects/index.js';

const NIR = '185036912345609';
const RESULT_ID = '0dc743b6-3c4a-4e07-856e-fc08fcf45e5d';

/** A context that records stderr and refuses anything else: a usage error must come before settings, keys, database or operator. */
function usageOnlyContext(): { ctx: CliContext; stderr: () => string } {
  const err: string[] = [];
  const record = { err: (line: string) => err.push(`${line}\n`), stderr: (text: string) => err.push(text) };
  const ctx = new Proxy(record, {
    get(target, key) {
      if (key in target) return target[key as keyof typeof target];
      throw new Error(`the command used ctx.${String(key)} before refusing its command line`);
    },
  }) as unknown as CliContext;
  return { ctx, stderr: () => err.join('') };
}

describe('the person and the reason of `gateway subjects`', () => {
  it('lists the four reasons of GDPR art. 15 to 21, and nothing else', () => {
    expect(SUBJECT_REASONS).toEqual(['access-request', 'rectification', 'erasure', 'objection']);
    expect(SUBJECT_REASONS.every(isSubjectReason)).toBe(true);
    for (const other of ['', 'Erasure', 'portability', 'access_request']) expect(isSubjectReason(other)).toBe(false);
  });

  it('names a person by exactly one of a valid NIR (spaces allowed) or a result id', () => {
    expect(dataSubjectOf({ nir: '1 85 03 69 123 456 09' })).toEqual({ nir: NIR });
    expect(dataSubjectOf({ resultId: RESULT_ID.toUpperCase() })).toEqual({ resultId: RESULT_ID });
    expect(dataSubjectOf({})).toBe('name-one');
    expect(dataSubjectOf({ nir: NIR, resultId: RESULT_ID })).toBe('name-one');
    expect(dataSubjectOf({ nir: '185036912345610' })).toBe('nir-invalid');
    expect(dataSubjectOf({ resultId: `${RESULT_ID}'--` })).toBe('result-id-invalid');
  });

  const refused: [string, string[], RegExp][] = [
    ['no person', ['find'], /--nir N .* or --result-id ID/],
    ['two persons', ['find', '--nir', NIR, '--result-id', RESULT_ID], /one of them/],
    ['a NIR with a wrong key', ['find', '--nir', '185036912345610'], /--nir takes a NIR/],
    ['a result id that is no UUID', ['erase', '--result-id', 'abc', '--reason', 'erasure'], /--result-id takes a result id/],
    ['a reason off the list', ['find', '--nir', NIR, '--reason', 'curiosity'], /--reason takes access-request, rectification, erasure, objection/],
    ['an export or erasure without a reason', ['erase', '--nir', NIR], /--reason takes/],
    ['an export without --out', ['export', '--nir', NIR, '--reason', 'access-request'], /--out DIR/],
    ['an unknown subcommand', ['forget', '--nir', NIR], /Unknown command: subjects forget/],
    ['an answer without a request id', ['requests', 'answer'], /Unknown command/],
  ];
  for (const [what, argv, message] of refused) {
    it(`refuses ${what} with exit code 2, never echoing the NIR`, async () => {
      const { ctx, stderr } = usageOnlyContext();
      expect(await runCommandLine(['subjects', ...argv], ctx)).toBe(2);
      expect(stderr()).toMatch(message);
      expect(stderr()).not.toContain('1850369123456');
    });
  }
});
