import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { CommitOutcomeUnknown, ConcurrencyError, isDatabaseUnavailable } from '@herald/event-store';
import { DomainError, InvalidInput } from '@herald/domain';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problem, type Problem } from './problem';
import { ProblemException } from './problem.exception';

const DOMAIN_STATUS = { not_found: 404, conflict: 409, invalid: 422, forbidden: 403 } as const;

/** Errors that Express's body parser raises for a bad request body, by its `type`. */
const BODY_PARSER_PROBLEMS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed-json', 'The request body is not valid JSON'],
  'entity.too.large': [413, 'body-too-large', 'The request body is too large'],
  'encoding.unsupported': [
    415,
    'unsupported-encoding',
    'The request body encoding is not supported',
  ],
  'charset.unsupported': [415, 'unsupported-charset', 'The request body charset is not supported'],
  'request.aborted': [400, 'request-aborted', 'The request was aborted'],
  'request.size.invalid': [
    400,
    'malformed-body',
    'The request body length does not match its headers',
  ],
};

/** Seconds a client is told to wait before retrying a request PostgreSQL could not serve. */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Turns every error into an RFC 9457 problem response. PostgreSQL being unreachable is not a bug
 * of ours: it answers 503 with Retry-After (the request may be repeated as it is). Anything else
 * unexpected is logged and answered with a bare 500 that reveals nothing about its cause.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { body, headers } = this.toProblem(error, request);
    if (response.headersSent) return;
    response.status(body.status);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(
    error: unknown,
    request: Request,
  ): { body: Problem; headers: Record<string, string> } {
    if (error instanceof ProblemException) return { body: error.problem, headers: error.headers };
    if (error instanceof ConcurrencyError) {
      return {
        body: problem(
          409,
          'concurrent-modification',
          'Someone else changed this at the same time; read it again and retry',
        ),
        headers: {},
      };
    }
    if (error instanceof InvalidInput) {
      const invalid = ProblemException.validation(
        [{ field: error.field, message: error.reason }],
        422,
      );
      return { body: invalid.problem, headers: {} };
    }
    if (error instanceof DomainError) {
      return {
        body: problem(DOMAIN_STATUS[error.kind], kebabCase(error.name), error.message),
        headers: {},
      };
    }
    const bodyParserProblem = bodyParserError(error);
    if (bodyParserProblem) return { body: bodyParserProblem, headers: {} };
    if (error instanceof HttpException && error.getStatus() < 500) {
      const status = error.getStatus();
      const detail = status === 404 ? `No route ${request.method} ${request.path}` : error.message;
      return {
        body: problem(
          status,
          status === 404 ? 'not-found' : status === 400 ? 'bad-request' : 'http-error',
          detail,
        ),
        headers: {},
      };
    }
    // Before the generic check: it wraps a connection error, but unlike it the change may be kept.
    if (error instanceof CommitOutcomeUnknown) {
      this.logger.warn(
        `${request.method} ${request.path}: connection lost while committing (${error.message})`,
      );
      return {
        body: problem(
          503,
          'commit-outcome-unknown',
          'The database went away while committing this change: it may or may not have been ' +
            'recorded. Retry with the same Idempotency-Key (entity changes), or check before ' +
            'retrying',
        ),
        headers: { 'retry-after': String(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS) },
      };
    }
    if (isDatabaseUnavailable(error)) {
      this.logger.warn(
        `${request.method} ${request.path}: PostgreSQL unavailable (${(error as Error).message})`,
      );
      return {
        body: problem(
          503,
          'database-unavailable',
          'The database is unavailable; retry shortly (with the same Idempotency-Key, if the ' +
            'request had one)',
        ),
        headers: { 'retry-after': String(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS) },
      };
    }
    this.logger.error(
      `Unhandled error on ${request.method} ${request.path}: ${error instanceof Error ? error.stack : String(error)}`,
    );
    return {
      body: problem(500, 'internal', 'Something went wrong on our side; it has been logged'),
      headers: {},
    };
  }
}

function bodyParserError(error: unknown): Problem | null {
  if (typeof error !== 'object' || error === null) return null;
  const { type, status } = error as { type?: unknown; status?: unknown };
  if (typeof type === 'string' && BODY_PARSER_PROBLEMS[type]) {
    const [code, slug, detail] = BODY_PARSER_PROBLEMS[type];
    return problem(code, slug, detail);
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && type !== undefined) {
    return problem(status, 'bad-request', 'The request could not be read');
  }
  return null;
}

/** `EmailAlreadyTaken` → `email-already-taken`: the problem type of a domain error. */
function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
