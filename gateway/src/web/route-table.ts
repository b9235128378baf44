import type { Handler } from 'hono';
import { z } from '@hono/zod-openapi';
import { DeadLettersSchema, idParam, json, MeSchema, RedrivenSchema } from '../api-schemas/index.js';
import { mountedAt, type Route } from '../http/index.js';
import { RESULTS_ENDPOINTS } from '../intake/results-api.js';
import { JWKS_ENDPOINT } from '../receipts/api.js';
import type { Access } from './access.js';
import type { WebEnv } from './env.js';

/** One route of the web listener and who may call it. */
export type WebRoute = Route<Access>;

/** Registers a route of these tables behind its access rule (`createWebApp`'s `on`). */
export type RegisterWebRoute = (r: WebRoute, ...handlers: Handler<WebEnv>[]) => void;

/** Where the web listener serves the JSON API of the admin UI. */
export const WEB_API_PREFIX = '/api/web/v1';

/**
 * The web listener's own routes (sign-in, dead letters); the results API and the admin routes
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
  me: { method: 'GET', path: `${WEB_API_PREFIX}/me`, access: 'session', schemas: () => ({ summary: 'Who is signed in', responses: { 200: json('The person, their rights and the CSRF token', MeSchema) } }) },
  deadLetters: {
    method: 'GET',
    path: `${WEB_API_PREFIX}/outbox/dead-letters`,
    access: 'redrive',
    schemas: () => ({
      summary: 'The dead letters, newest first',
      request: { query: z.object({ limit: z.string().optional().openapi({ description: '1..500, default 100' }) }) },
      responses: { 200: json('The dead messages', DeadLettersSchema) },
    }),
  },
  redrive: {
    method: 'POST',
    path: `${WEB_API_PREFIX}/outbox/dead-letters/:id/redrive`,
    access: 'redrive',
    schemas: () => ({ summary: 'Redrive a dead letter unchanged', request: { params: idParam }, responses: { 200: json('Redriven', RedrivenSchema) } }),
  },
  // the receipt-signing public keys: anyone holding a receipt verifies it without an account
  jwks: { ...JWKS_ENDPOINT, access: 'public' },
  ui: { method: 'GET', path: '/*', access: 'public' },
} as const satisfies Record<string, WebRoute>;

/** The results API of the intake listener (`intake/results-api.ts`), for people holding the `results` right. */
export const WEB_RESULTS_ROUTES: readonly WebRoute[] = mountedAt(RESULTS_ENDPOINTS, WEB_API_PREFIX, 'results');
