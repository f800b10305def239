/**
 * The API's one error shape, `{statusCode, code, field?, message}` (ApiError in ../protocol.ts), for every
 * error the server answers: faults raised by handlers, schema violations, bodies fastify cannot read
 * (not JSON, wrong content type, too large), unknown routes, refused writes and scenario files that do
 * not validate. fastify's own error bodies never reach a client.
 */
import { basename } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError, ApiErrorCode } from '../protocol.ts';
import { ScenarioError } from '../scenario/load.ts';

/** Error thrown by handlers and hooks: answered as this ApiError. */
export class ApiFault extends Error {
  constructor(readonly statusCode: number, readonly code: ApiErrorCode, message: string, readonly field?: string) { super(message); }
}

/** What fastify's request-reading errors become: our code, the field at fault and a message. */
const READ_ERRORS: Record<string, (limit: number) => [code: ApiErrorCode, field: string, message: string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => ['INVALID_JSON', 'body', 'body: not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ['EMPTY_BODY', 'body', 'body: empty; expected a JSON object'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ['UNSUPPORTED_MEDIA_TYPE', 'content-type', 'content-type: expected application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ['BAD_CONTENT_LENGTH', 'content-length', 'content-length: does not match the body'],
  FST_ERR_CTP_BODY_TOO_LARGE: (limit) => ['BODY_TOO_LARGE', 'body', `body: larger than ${limit} bytes`],
};

/** A value as it came, shortened. */
function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** ajv's first error as an ApiError naming the field (dotted path within the body or params). */
function validationError(err: FastifyError): ApiError {
  const v = err.validation![0]!;
  const p = v.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  const path = v.instancePath.split('/').slice(1);
  const named = p.missingProperty ?? p.additionalProperty;
  if (named !== undefined) path.push(named);
  const field = path.length > 0 ? path.join('.') : (err.validationContext ?? 'body');
  let what: string;
  switch (v.keyword) {
    case 'required': what = 'required'; break;
    case 'additionalProperties': what = 'unknown field'; break;
    // The control schema forbids the fields another action takes with `false` schemas.
    case 'false schema': what = 'not allowed with this action'; break;
    case 'enum': what = `must be one of ${(p.allowedValues ?? []).map(String).join(', ')}`; break;
    default: {
      // With ajv's verbose option the error carries the schema and the value: say what was expected
      // in the schema's own words where it has them, and what came.
      const described = ((v as { parentSchema?: { description?: string } }).parentSchema)?.description;
      const got = 'data' in v ? `, got ${shown(v.data)}` : '';
      what = described !== undefined && (v.keyword === 'pattern' || v.keyword === 'maxLength' || v.keyword === 'type')
        ? `expected ${described}${got}` : `${v.message ?? 'invalid'}${got}`;
    }
  }
  return { statusCode: 400, code: 'BAD_REQUEST', field, message: `${field}: ${what}` };
}

/**
 * Install the error handler and the 404 handler on `app`. `bodyLimit` is quoted in the too-large message.
 * Scenario files that fail validation and server faults are logged through fastify's logger (pino);
 * refused writes are logged as warnings, since they may be somebody probing an exposed server.
 */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let body: ApiError;
    if (err instanceof ApiFault) {
      body = { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
      if (err.statusCode === 401 || err.statusCode === 403) req.log.warn({ method: req.method, url: req.url.split('?')[0], ip: req.ip, code: err.code }, err.message);
    } else if (err instanceof ScenarioError) {
      // A file of the library that does not validate: the request was fine, the named scenario is not.
      const file = err.source ? basename(err.source) : 'scenario';
      body = { statusCode: 422, code: 'SCENARIO_INVALID', field: err.field, message: `${file}: ${err.message}` };
      req.log.error({ file: err.source, field: err.field }, `scenario invalid: ${body.message}`);
    } else if (err.validation) {
      body = validationError(err);
    } else if (err.code && READ_ERRORS[err.code]) {
      const [code, field, message] = READ_ERRORS[err.code]!(bodyLimit);
      body = { statusCode: err.statusCode ?? 400, code, field, message };
    } else if ((err.statusCode ?? 500) < 500) {
      body = { statusCode: err.statusCode!, code: 'BAD_REQUEST', message: err.message };
    } else {
      req.log.error({ err }, 'internal error');
      body = { statusCode: 500, code: 'INTERNAL', message: 'internal error (logged by the server)' };
    }
    if (body.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.code(body.statusCode).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    // The path only: a query string may hold the access token.
    const path = req.url.split('?')[0];
    const body: ApiError = { statusCode: 404, code: 'NOT_FOUND', message: `no route ${req.method} ${path}` };
    void reply.code(404).send(body);
  });
}
