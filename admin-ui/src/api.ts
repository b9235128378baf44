/**
 * The web listener's JSON API as the pages use it. Every change carries the session's CSRF
 * token; a 401 (session expired or absent) sends the person to sign in and back here.
 */

import type { FieldIssue } from '../../gateway/src/errors.js';

export const API = '/api/web/v1';
const CSRF_HEADER = 'x-csrf-token';

const SIGN_IN = '/auth/login';
const RETURN_TO = 'sidep-gateway.returnTo';

/**
 * Sends the person to sign in, remembering where they were: the tab's session storage
 * survives the round trip through the identity provider, and the server needs no parameter
 * (so no open redirect).
 */
let leaving = false;
function signIn(): void {
  // several calls may find the session gone at once: leave once
  if (leaving) return;
  leaving = true;
  sessionStorage.setItem(RETURN_TO, `${window.location.hash}`);
  window.location.assign(SIGN_IN);
}

/** After a sign-in, the page the person was on when their session ended (once). */
export function takeReturnTo(): string | undefined {
  const hash = sessionStorage.getItem(RETURN_TO) ?? undefined;
  sessionStorage.removeItem(RETURN_TO);
  // only an in-app route: never a URL someone else could have put there
  return hash && /^#\/[\w/?=&.-]*$/.test(hash) ? hash : undefined;
}

/** An RFC 9457 problem from the server: `code` is stable, `errors[]` point at fields. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly instance: string,
    readonly errors: FieldIssue[],
    readonly body: Record<string, unknown>,
  ) {
    super(code);
  }
}

let csrfToken = '';

/** Remembers the session's CSRF token (from `GET /me`) for the changes that follow. */
export function rememberCsrfToken(token: string): void {
  csrfToken = token;
}

async function problemOf(res: Response): Promise<ApiProblem> {
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const errors = Array.isArray(body.errors) ? (body.errors as FieldIssue[]) : [];
  return new ApiProblem(res.status, typeof body.code === 'string' ? body.code : 'internal', typeof body.instance === 'string' ? body.instance : '', errors, body);
}

/** Sends one request; resolves to the response (JSON or text) or throws an `ApiProblem`. */
export async function call<T>(method: 'GET' | 'POST', path: string, o: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
  if (method !== 'GET') headers[CSRF_HEADER] = csrfToken;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  if (res.status === 401) {
    signIn();
    // the page is leaving; never settle, so no error flashes before it goes
    return new Promise<T>(() => undefined);
  }
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  // a CSV or other download is fetched by the browser itself, not here
  return (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as T) : ((await res.text()) as T);
}

/** Ends the session, then follows the provider's end-session redirect. */
export async function signOut(): Promise<void> {
  const res = await fetch('/auth/logout', { method: 'POST', headers: { [CSRF_HEADER]: csrfToken, accept: 'application/json' }, credentials: 'same-origin' });
  const body = (await res.json().catch(() => ({}))) as { redirect?: string };
  window.location.assign(body.redirect ?? SIGN_IN);
}
