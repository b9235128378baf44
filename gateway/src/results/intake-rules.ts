import type { $RefinementCtx, ParsePayload } from 'zod/v4/core';
import type { IntakeIssueCode } from './issue-codes.js';

// How the intake schema's rules raise an issue: always with our code in `params.code`, which
// `toFieldIssues` turns into `{ pointer, code }`.

export function addCodedIssue<T>(ctx: $RefinementCtx<T>, code: IntakeIssueCode, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', path, params: { code } });
}

/** A field rule: `issueOf` names what is wrong with the value, or returns undefined. */
export const rejectsWith =
  (issueOf: (value: string) => IntakeIssueCode | undefined) =>
  (value: string, ctx: $RefinementCtx<string>): void => {
    const code = issueOf(value);
    if (code !== undefined) addCodedIssue(ctx, code);
  };

/**
 * Runs a cross-field rule once the fields it reads have parsed, even when other fields
 * failed: the rule sees valid values and its issue comes out in the same pass.
 */
export const onceValid = (...keys: string[]) => ({
  when: (payload: ParsePayload): boolean =>
    payload.issues.every(
      (issue) =>
        issue.code === 'unrecognized_keys' ||
        (issue.path !== undefined && issue.path.length > 0 && !keys.includes(String(issue.path[0]))),
    ),
});

/** At least one of `keys` must be given; the issue (`required`) points at their object. */
export const oneRequired = <K extends string>(...keys: K[]) =>
  [
    (value: Partial<Record<K, unknown>>, ctx: $RefinementCtx<Partial<Record<K, unknown>>>): void => {
      if (keys.every((key) => value[key] === undefined)) addCodedIssue(ctx, 'required');
    },
    onceValid(...keys),
  ] as const;
