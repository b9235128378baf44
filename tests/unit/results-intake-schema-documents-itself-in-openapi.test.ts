import { describe, it, expect } from 'vitest';
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { EXAMPLE_SUBMISSION, createIntakeSchema } from '../../gateway/src/results/index.js';
import { issuesOf } from './results-intake-kit.js';

function openApiComponents() {
  const app = new OpenAPIHono();
  const schema = createIntakeSchema({ now: () => new Date() });
  const route = createRoute({
    method: 'post',
    path: '/api/v1/test-results',
    request: { body: { content: { 'application/json': { schema } } } },
    responses: { 202: { description: 'Accepted' } },
  });
  app.openapi(route, (c) => c.body(null, 202));
  return app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'intake', version: '1' } }).components?.schemas ?? {};
}

describe('intake OpenAPI', () => {
  it('names the body TestResultSubmission, closed to unknown fields, with its example', () => {
    const submission = openApiComponents().TestResultSubmission;
    expect(submission).toMatchObject({
      type: 'object',
      required: ['performer', 'patient', 'test'],
      additionalProperties: false,
      example: EXAMPLE_SUBMISSION,
    });
  });

  it('documents allow-lists and formats', () => {
    const json = JSON.stringify(openApiComponents().TestResultSubmission);
    for (const fragment of ['"enum":["94558-4","97097-0"]', '"format":"date-time"', '"format":"date"', '"maxLength":254', '"default":"PROV"']) {
      expect(json).toContain(fragment);
    }
  });

  it('shows an example that is itself valid (when its times are recent)', () => {
    const collectedAt = new Date(EXAMPLE_SUBMISSION.test.collectedAt);
    expect(issuesOf(EXAMPLE_SUBMISSION, { now: () => new Date(collectedAt.getTime() + 30 * 60_000) })).toEqual([]);
  });
});
