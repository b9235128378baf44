import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header the UI sends the token in on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a session: derived from the session's cookie token, so it needs no storage,
 * changes with every session and cannot be computed without the cookie (synchronizer token
 * without a table).
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('csrf-v1').digest('base64url');
}

/** Whether `given` is the session's CSRF token (constant-time). */
export function csrfTokenMatches(sessionToken: string, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
