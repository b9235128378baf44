import type { z } from 'zod';
import type { FieldIssue } from '../errors.js';
import { isIntakeIssueCode, type IntakeIssueCode } from './issue-codes.js';

/**
 * Maps every zod issue to `{pointer, code}`: RFC 6901 pointer into the submitted body, our
 * stable code. Zod's messages and any input value are dropped: messages can quote the input.
 *
 * `body` is the value that was parsed; zod v4 reports a missing field and a field of the wrong
 * type alike (`invalid_type`), so `required` is told apart by looking the field up.
 *
 * @example
 * const parsed = schema.safeParse(body);
 * if (!parsed.success) throw new ValidationFailed(toFieldIssues(parsed.error, body));
 */
export function toFieldIssues(error: z.ZodError, body: unknown): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ pointer: toPointer([...issue.path, key]), code: 'unknown-field' }));
    }
    return [{ pointer: toPointer(issue.path), code: codeOf(issue, body) }];
  });
}

function codeOf(issue: z.core.$ZodIssue, body: unknown): IntakeIssueCode {
  if (issue.code === 'custom') {
    const code: unknown = issue.params?.code;
    return isIntakeIssueCode(code) ? code : 'invalid-value';
  }
  if (valueAt(body, issue.path) === undefined) return 'required';
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_union':
      return 'invalid-type';
    case 'too_big':
      return 'too-long';
    case 'too_small':
      // Only empty strings and arrays reach this: something is needed there.
      return 'required';
    case 'invalid_format':
      return issue.format === 'date' || issue.format === 'datetime' ? 'date-format' : 'invalid-format';
    default:
      return 'invalid-value';
  }
}

/** The value at `path`, following own properties only; `undefined` when any step is absent. */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node = body;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = Reflect.get(node, segment);
  }
  return node;
}

/** RFC 6901: `~` → `~0`, `/` → `~1`, segments joined by `/`; the whole body is `""`. */
function toPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
