import type { Context } from 'hono';
import type { AuditEvent } from '../audit/index.js';
import { sourceIp } from '../web/access.js';
import type { WebEnv } from '../web/env.js';

/** The signed-in person as the audit log names them. */
export const actorOf = (c: Context<WebEnv>): AuditEvent['actor'] => ({ type: 'user', id: c.get('session').userId });

/**
 * What a request's audit events say about who asked: the signed-in person, the request id, the
 * client address.
 * @example await appendAuditNow(db, { ...requester(c), action: 'audit.export', outcome: 'success' });
 */
export const requester = (c: Context<WebEnv>) => ({ actor: actorOf(c), requestId: c.get('requestId'), sourceIp: sourceIp(c) });
