import { Hono, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import {
  idParam,
  json,
  jsonRequest,
  SUBJECT_ACTION_BODY,
  SUBJECT_FIND_BODY,
  SUBJECT_REQUEST_BODY,
  SubjectErasureSchema,
  SubjectExportSchema,
  SubjectRequestSchema,
  SubjectRequestsSchema,
  SubjectResultsSchema,
} from '../api-schemas/index.js';
import type { Database } from '../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { toFieldIssues, type TestResultInput } from '../results/index.js';
import type { DataSubject, ResultSealer } from '../results/lifecycle/index.js';
import { answerSubjectRequest, dataSubjectOf, eraseSubject, exportSubject, findSubject, listSubjectRequests, recordSubjectRequest, subjectRequest } from '../subjects/index.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { requireScope } from './registry-access.js';
import { requester } from './requester.js';

/**
 * The data protection officer's page (`data-subjects`): every route that names a person is a
 * POST whose body holds the NIR or the receipt's result id, never the URL (access logs, browser
 * history, proxies keep URLs).
 */
export const SUBJECT_ROUTES = {
  find: {
    method: 'POST',
    path: '/api/web/v1/admin/subjects/find',
    access: 'data-subjects',
    schemas: () => ({ summary: "A person's results across the chain, without personal values", request: { body: jsonRequest(SUBJECT_FIND_BODY) }, responses: { 200: json('The results', SubjectResultsSchema) } }),
  },
  export: {
    method: 'POST',
    path: '/api/web/v1/admin/subjects/export',
    access: 'data-subjects',
    schemas: () => ({ summary: "A person's results within retention, as age files under a one-time passphrase", request: { body: jsonRequest(SUBJECT_ACTION_BODY) }, responses: { 200: json('The files and the passphrase, shown once', SubjectExportSchema) } }),
  },
  erase: {
    method: 'POST',
    path: '/api/web/v1/admin/subjects/erase',
    access: 'data-subjects',
    schemas: () => ({ summary: "Destroy now the personal data of a person's results no longer waiting for SI-DEP", request: { body: jsonRequest(SUBJECT_ACTION_BODY) }, responses: { 200: json('What was erased and what must wait', SubjectErasureSchema) } }),
  },
  requests: {
    method: 'GET',
    path: '/api/web/v1/admin/subjects/requests',
    access: 'data-subjects',
    schemas: () => ({ summary: 'The register of requests, open ones first by due date', responses: { 200: json('The register', SubjectRequestsSchema) } }),
  },
  record: {
    method: 'POST',
    path: '/api/web/v1/admin/subjects/requests',
    access: 'data-subjects',
    schemas: () => ({ summary: 'Record a request received today, due in one month', request: { body: jsonRequest(SUBJECT_REQUEST_BODY) }, responses: { 200: json('The request', SubjectRequestSchema) } }),
  },
  answer: {
    method: 'POST',
    path: '/api/web/v1/admin/subjects/requests/:id/answer',
    access: 'data-subjects',
    schemas: () => ({ summary: 'Mark a request answered', request: { params: idParam }, responses: { 200: json('The request', SubjectRequestSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

const REGISTER_PAGE = 500;

/**
 * The rights of the people tested on the web: find, export, erase (`subjects/actions.ts`, each
 * audited as the signed-in person with the reason, the request id and address) and the register.
 * @example const { routes, app } = createSubjectRoutes({ db, sealer, jsonBody });
 */
export function createSubjectRoutes(deps: { db: Database; sealer: ResultSealer<TestResultInput>; jsonBody: MiddlewareHandler<WebEnv> }): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = SUBJECT_ROUTES;
  const d = { db: deps.db, sealer: deps.sealer };

  app.post(R.find.path, deps.jsonBody, async (c) => {
    await requireScope(deps.db, c, 'data-subjects');
    const body = parse(SUBJECT_FIND_BODY, c.get('body'));
    const items = await findSubject(d, subjectOf(body), { ...requester(c), reason: body.reason ?? 'access-request' });
    return c.json({ items });
  });

  app.post(R.export.path, deps.jsonBody, async (c) => {
    await requireScope(deps.db, c, 'data-subjects');
    const body = parse(SUBJECT_ACTION_BODY, c.get('body'));
    const exported = await exportSubject(d, subjectOf(body), { ...requester(c), reason: body.reason });
    const stem = `subject-export-${new Date().toISOString().slice(0, 10)}`;
    c.header('cache-control', 'no-store');
    return c.json({
      passphrase: exported.passphrase,
      count: exported.count,
      files: [
        { name: `${stem}.json.age`, base64: exported.json.toString('base64') },
        { name: `${stem}.html.age`, base64: exported.html.toString('base64') },
      ],
    });
  });

  app.post(R.erase.path, deps.jsonBody, async (c) => {
    await requireScope(deps.db, c, 'data-subjects');
    const body = parse(SUBJECT_ACTION_BODY, c.get('body'));
    const { erased, kept } = await eraseSubject(d, subjectOf(body), { ...requester(c), reason: body.reason });
    return c.json({ erased, kept });
  });

  app.get(R.requests.path, async (c) => {
    await requireScope(deps.db, c, 'data-subjects');
    return c.json({ items: await listSubjectRequests(deps.db, { limit: REGISTER_PAGE }) });
  });

  app.post(R.record.path, deps.jsonBody, async (c) => {
    await requireScope(deps.db, c, 'data-subjects');
    const { reason } = parse(SUBJECT_REQUEST_BODY, c.get('body'));
    const id = await recordSubjectRequest(deps.db, { reason, actor: requester(c).actor });
    return c.json(await requestById(deps.db, id));
  });

  app.post(R.answer.path, async (c) => {
    await requireScope(deps.db, c, 'data-subjects');
    const id = c.req.param('id') ?? '';
    if (!(await answerSubjectRequest(deps.db, id, { actor: requester(c).actor }))) throw new NotFound();
    return c.json(await requestById(deps.db, id));
  });

  return { routes: Object.values(R), app };
}

/** The body's fields, or a validation problem naming the field and a code, never its value. */
function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(toFieldIssues(parsed.error, body));
  return parsed.data;
}

function subjectOf(body: { nir?: string | undefined; resultId?: string | undefined }): DataSubject {
  const subject = dataSubjectOf(body);
  if (subject === 'name-one') throw new ValidationFailed([{ pointer: '/nir', code: 'required' }]);
  if (subject === 'nir-invalid') throw new ValidationFailed([{ pointer: '/nir', code: 'invalid' }]);
  if (subject === 'result-id-invalid') throw new ValidationFailed([{ pointer: '/resultId', code: 'invalid' }]);
  return subject;
}

async function requestById(db: Database, id: string) {
  const found = await subjectRequest(db, id);
  if (!found) throw new NotFound();
  return found;
}
