import { ADMIN_ROUTES } from '../admin/routes.js';
import { AUDIT_ROUTES } from '../admin/audit-routes.js';
import { CERTIFICATE_ROUTES } from '../admin/certificate-routes.js';
import { ENROLMENT_ROUTES } from '../admin/enrolment-routes.js';
import { ACCESS_REVIEW_ROUTES } from '../admin/access-review-routes.js';
import { KEY_ROUTES } from '../admin/keys-routes.js';
import { PHARMACY_ROUTES } from '../admin/pharmacy-routes.js';
import { OFFBOARDING_ROUTES } from '../admin/offboarding-routes.js';
import { SUBJECT_ROUTES } from '../admin/subjects-routes.js';
import { COUNTER_ROUTES } from '../admin/counter-routes.js';
import { WEBHOOK_ROUTES } from '../admin/webhook-routes.js';
import { INTAKE_ROUTES, type IntakeRoute } from '../intake/routes.js';
import { WEB_RESULTS_ROUTES, WEB_ROUTES, type WebRoute } from '../web/route-table.js';
import { PREFILL_WEB_ROUTES } from '../web/prefill-routes.js';
import { METRICS_ROUTES, type MetricsRoute } from './metrics-routes.js';

/** Every listener's routes, each with the access rule its listener enforces before any handler. */
export interface RouteTable {
  /** mTLS: pharmacy systems by client certificate, results scoped to the certificate's pharmacy. */
  intake: readonly IntakeRoute[];
  /** Internal: Prometheus by bearer token; the probes public. */
  metrics: readonly MetricsRoute[];
  /** Browsers: public sign-in pages, else a session and a capability (`auth/rbac.ts`). */
  web: readonly WebRoute[];
}

/**
 * The one route table of the gateway, gathered from the tables each listener registers through.
 * The authorization tests enumerate it, and check that each listener registers exactly these
 * routes, so a route added without an access rule and an expected answer fails the build.
 * @example const publicRoutes = ROUTE_TABLE.web.filter((r) => r.access === 'public');
 */
export const ROUTE_TABLE: RouteTable = {
  intake: INTAKE_ROUTES,
  metrics: Object.values(METRICS_ROUTES),
  web: [
    ...Object.values(WEB_ROUTES),
    ...WEB_RESULTS_ROUTES,
    ...Object.values(PREFILL_WEB_ROUTES),
    ...Object.values(ADMIN_ROUTES),
    ...Object.values(PHARMACY_ROUTES),
    ...Object.values(CERTIFICATE_ROUTES),
    ...Object.values(ENROLMENT_ROUTES),
    ...Object.values(OFFBOARDING_ROUTES),
    ...Object.values(ACCESS_REVIEW_ROUTES),
    ...Object.values(SUBJECT_ROUTES),
    ...Object.values(COUNTER_ROUTES),
    ...Object.values(AUDIT_ROUTES),
    ...Object.values(KEY_ROUTES),
    ...Object.values(WEBHOOK_ROUTES),
  ],
};
