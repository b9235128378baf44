import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { JWKS_ENDPOINT, RECEIPT_ENDPOINTS } from '../receipts/index.js';
import type { IntakeSchema } from '../results/index.js';
import { PREFILL_ENDPOINTS } from './prefill-api.js';
import { RESULTS_ENDPOINTS } from './results-api.js';
import { INTAKE_API_PREFIX } from './routes.js';

const METHODS = { GET: 'get', POST: 'post' } as const;

/**
 * The intake API's OpenAPI 3.1 document, made from the results routes' own declarations and the
 * very schema that validates submissions: the contract for pharmacy-software vendors cannot
 * drift from the code.
 */
export function intakeOpenApiDocument(intakeSchema: IntakeSchema): unknown {
  const doc = new OpenAPIHono();
  for (const e of [...Object.values(RESULTS_ENDPOINTS), ...Object.values(RECEIPT_ENDPOINTS), ...Object.values(PREFILL_ENDPOINTS)]) {
    // OpenAPI writes a path parameter `{id}` where Hono writes `:id`
    doc.openAPIRegistry.registerPath(createRoute({ method: METHODS[e.method], path: e.path.replace(/:(\w+)/g, '{$1}'), ...e.schemas({ intake: intakeSchema }) }));
  }
  doc.openAPIRegistry.registerPath(createRoute({ method: 'get', path: JWKS_ENDPOINT.path, ...JWKS_ENDPOINT.schemas() }));
  const document = doc.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'SI-DEP gateway intake API',
      version: '1.0.0',
      description: 'For pharmacy software, over mutual TLS: every call presents the pharmacy\'s client certificate.',
    },
    servers: [{ url: INTAKE_API_PREFIX }],
  });
  // a well-known document, at the listener's root rather than under the API's prefix
  const jwks = document.paths?.[JWKS_ENDPOINT.path];
  if (jwks) jwks.servers = [{ url: '/' }];
  return document;
}
