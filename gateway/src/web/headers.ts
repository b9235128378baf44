import type { MiddlewareHandler } from 'hono';
import type { WebEnv } from './env.js';

/**
 * No inline script or style anywhere (the UI is built to files), nothing from other origins,
 * never framed: a strict CSP (CSP Level 3) without `unsafe-inline` or `unsafe-eval`.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // two years, as the HSTS preload list asks
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Security headers on every answer of the web listener, errors included; no-store unless set. */
export const securityHeaders = (): MiddlewareHandler<WebEnv> =>
  async function securityHeaders(c, next) {
    await next();
    for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  };
