import type { Handler } from 'hono';
import type { Route } from '../http/index.js';
import type { Access } from './access.js';
import type { WebEnv } from './env.js';

/** One route of the web listener and who may call it. */
export type WebRoute = Route<Access>;

/** Registers a route of these tables behind its access rule (`createWebApp`'s `on`). */
export type RegisterWebRoute = (r: WebRoute, ...handlers: Handler<WebEnv>[]) => void;

/**
 * The web listener's own routes (sign-in, intake for people, dead letters); the admin routes
 * have their tables beside their handlers. `createWebApp` registers routes only through these
 * tables, gathered in `app/route-table.ts`, which the authorization-matrix test walks.
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
