// a leaf: the admin UI imports this file to put every action into words (no Node import may follow)

/**
 * Every action the gateway writes to the audit log, by the code (`AuditEvent.action` takes only
 * these) and by the database functions of `migrations/` (a unit test reads them there). The
 * audit page shows each in words and offers them as its "Action" filter.
 */
export const AUDIT_ACTIONS = [
  // results: intake, pharmacy software and the counter page
  'result.create',
  'result.correct',
  'result.cancel',
  'result.access',
  'result.list-status',
  'result.list-summary',
  'result.read-status',
  'result.read-receipt',
  'result.reveal',
  'result.purge',
  'result.deliver.original',
  'result.deliver.correction',
  'result.deliver.cancellation',
  // one-time counter-prefill tokens: pharmacy software issues, the counter page redeems
  'counter-prefill.create',
  'counter-prefill.redeem',
  // people and sessions
  'authenticate',
  'login',
  'logout',
  'session.open',
  'session.expire',
  'session.revoke',
  'break-glass.link',
  'enrolment.add',
  'enrolment.revoke',
  'enrolment.recertify',
  // pharmacies and their certificates
  'pharmacy.add',
  'pharmacy.deactivate',
  'pharmacy.reactivate',
  'pharmacy.offboard',
  'certificate.issue',
  'certificate.register',
  'certificate.revoke',
  'crl.publish',
  // keys
  'keys.rotate',
  'keys.rewrap',
  'keys.retire',
  'keys.reindex',
  'keys.rotate-blind-index',
  'keys.retire-blind-index',
  // the audit log itself, statistics, the outbox and webhooks
  'audit.search',
  'audit.verify',
  'audit.export',
  'audit.prune',
  'statistics.export',
  'outbox.redrive',
  'outbox.resume',
  'webhook.add',
  'webhook.remove',
  'webhook.rotate-secret',
  'webhook.test',
  'webhook.replay',
  // the people tested (GDPR)
  'subject.find',
  'subject.export',
  'subject.request',
  'subject.answer',
  // a right refused inside a page's handler (`requireScope`), one per capability
  'admin.results',
  'admin.reveal',
  'admin.receipts',
  'admin.certificates',
  'admin.enrolments',
  'admin.redrive',
  'admin.keys',
  'admin.key-status',
  'admin.audit',
  'admin.statistics',
  'admin.data-subjects',
  'admin.access-review',
] as const;

export type NamedAuditAction = (typeof AUDIT_ACTIONS)[number];

/** A web request refused before its handler (CSRF, missing right): its method and route, `POST /api/web/v1/admin/enrolments`. */
export type RefusedRequestAction = `${string} /${string}`;

/**
 * The action of a web request refused before its handler.
 * @example refusedRequestAction('POST', '/api/web/v1/admin/enrolments') // 'POST /api/web/v1/admin/enrolments'
 */
export function refusedRequestAction(method: string, route: string): RefusedRequestAction {
  return `${method} /${route.replace(/^\//, '')}`;
}

export type AuditAction = NamedAuditAction | RefusedRequestAction;

const REFUSED_REQUEST = /^(GET|HEAD|POST|PUT|PATCH|DELETE) (\/\S*)$/;

/**
 * A refused request's method and route, or undefined for a named action.
 * @example refusedRequest('POST /api/web/v1/admin/enrolments') // { method: 'POST', route: '/api/web/v1/admin/enrolments' }
 */
export function refusedRequest(action: string): { method: string; route: string } | undefined {
  const m = REFUSED_REQUEST.exec(action);
  return m ? { method: m[1] as string, route: m[2] as string } : undefined;
}

/** The background jobs that act as `system` actors, by their actor id. */
export const SYSTEM_ACTORS = ['relay', 'purge', 'crl-refresh'] as const;
