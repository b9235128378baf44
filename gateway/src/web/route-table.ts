import type { Access } from './access.js';

export type Method = 'GET' | 'POST';

/** One route of the web listener and who may call it. */
export interface WebRoute {
  method: Method;
  path: string;
  access: Access;
}

/**
 * Every route of the web listener, in one table: `createWebApp` registers routes only through
 * it, so no route exists without its access rule, and the authorization-matrix test walks the
 * app's registered routes against its own expectations.
 */
export const WEB_ROUTES = {
  login: { method: 'GET', path: '/auth/login', access: 'public' },
  callback: { method: 'GET', path: '/auth/callback', access: 'public' },
  signedOut: { method: 'GET', path: '/auth/signed-out', access: 'public' },
  breakGlassPage: { method: 'GET', path: '/auth/break-glass', access: 'public' },
  breakGlass: { method: 'POST', path: '/auth/break-glass', access: 'public' },
  logout: { method: 'POST', path: '/auth/logout', access: 'session' },
  me: { method: 'GET', path: '/api/web/v1/me', access: 'session' },
  submit: { method: 'POST', path: '/api/web/v1/test-results', access: 'results' },
  listResults: { method: 'GET', path: '/api/web/v1/test-results', access: 'results' },
  resultStatus: { method: 'GET', path: '/api/web/v1/test-results/:id', access: 'results' },
  correct: { method: 'POST', path: '/api/web/v1/test-results/:id/corrections', access: 'results' },
  cancel: { method: 'POST', path: '/api/web/v1/test-results/:id/cancellation', access: 'results' },
  deadLetters: { method: 'GET', path: '/api/web/v1/outbox/dead-letters', access: 'redrive' },
  redrive: { method: 'POST', path: '/api/web/v1/outbox/dead-letters/:id/redrive', access: 'redrive' },
  ui: { method: 'GET', path: '/*', access: 'public' },
} as const satisfies Record<string, WebRoute>;
