import { getCookie } from 'hono/cookie';
import type { Context, MiddlewareHandler } from 'hono';
import { appendAuditNow, refusedRequestAction, type AuditAction, type AuditEvent } from '../audit/index.js';
import { CSRF_HEADER, csrfTokenMatches } from '../auth/csrf.js';
import { liveGrants } from '../auth/enrolments.js';
import { narrow, rightsOf, type Capability } from '../auth/rbac.js';
import { SESSION_COOKIE, type SessionStore } from '../auth/sessions.js';
import type { Database } from '../db/index.js';
import { CsrfFailed, Forbidden } from '../errors.js';
import { sourceIp, type RefusedTraffic } from '../http/index.js';
import type { WebEnv } from './env.js';

export { sourceIp };

/** Who may call a web route: anyone, any signed-in person, or holders of a right (`auth/rbac.ts`). */
export type Access = 'public' | 'session' | Capability;

export interface AccessDeps {
  db: Database;
  sessions: SessionStore;
  /** `https://host[:port]` browsers use; a state-changing request from another Origin is refused. */
  publicOrigin: string;
  /** Requests failing authentication: limited per client address, audited per source and minute. */
  refused: RefusedTraffic;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Appends an audit event about this request, with its id and client address. */
export const auditRequest = (db: Database, c: Context<WebEnv>, e: Omit<AuditEvent, 'requestId' | 'sourceIp'>) =>
  appendAuditNow(db, { ...e, requestId: c.get('requestId'), sourceIp: sourceIp(c) });

/**
 * Enforces one route's `access`: the session (401, or 429 past the client address's allowance
 * for requests failing authentication), then the CSRF token and Origin on state-changing
 * methods (403 `csrf-failed`), then the capability (403). Rights are read from live enrolments
 * on every request, narrowed by what the provider asserted at sign-in, so a revoked or expired
 * enrolment takes effect at once. A signed-in person's refusals are audited one by one; failed
 * authentications per source and minute (`refused`), and not at all for a browser presenting
 * no session (the UI's `/me` before a sign-in) within its allowance.
 */
export const authorize = (deps: AccessDeps, access: Access): MiddlewareHandler<WebEnv> =>
  async function authorize(c, next) {
    if (access === 'public') return next();
    const deny = (action: AuditAction, reason: string, actor: AuditEvent['actor']) => auditRequest(deps.db, c, { actor, action, outcome: 'denied', reason });

    const token = getCookie(c, SESSION_COOKIE);
    const found = token ? await deps.sessions.resolve(token) : null;
    if (!token || !found || 'expired' in found) {
      const expired = found && 'expired' in found ? found.expired : undefined;
      throw await deps.refused.refuse(c, expired ? { actor: { type: 'user', id: expired.userId }, reason: 'session-expired' } : { actor: { type: 'anonymous' }, reason: token ? 'unauthenticated' : 'no-session' });
    }
    const { session } = found;
    const actor = { type: 'user' as const, id: session.userId };
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin');
      if ((origin !== undefined && origin !== deps.publicOrigin) || !csrfTokenMatches(token, c.req.header(CSRF_HEADER))) {
        await deny(refusedRequestAction(c.req.method, c.req.routePath), 'csrf-failed', actor);
        throw new CsrfFailed();
      }
    }
    const rights = rightsOf(narrow(await liveGrants(deps.db, session.issuer, session.subject), { finess: session.claimFiness, mfa: session.mfa }));
    if (access !== 'session' && !rights.scope(access)) {
      await deny(refusedRequestAction(c.req.method, c.req.routePath), 'forbidden', actor);
      throw new Forbidden();
    }
    c.set('session', session);
    c.set('sessionToken', token);
    c.set('rights', rights);
    await next();
  };
