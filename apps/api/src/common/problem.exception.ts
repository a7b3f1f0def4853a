import { HttpException } from '@nestjs/common';
import { problem, type FieldError, type Problem } from './problem';

/** An HTTP error that already carries its RFC 9457 body. */
export class ProblemException extends HttpException {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem, problem.status);
  }

  static badRequest(slug: string, detail: string): ProblemException {
    return new ProblemException(problem(400, slug, detail));
  }

  static validation(errors: FieldError[], status = 400): ProblemException {
    const detail =
      errors.length === 1
        ? `${errors[0].field}: ${errors[0].message}`
        : `${errors.length} fields are invalid`;
    return new ProblemException(problem(status, 'validation', detail, { errors }));
  }

  static unauthorized(detail = 'Missing or invalid credentials'): ProblemException {
    return new ProblemException(problem(401, 'unauthorized', detail), {
      'www-authenticate': 'Bearer',
    });
  }

  static forbidden(detail = 'Your role may not do this'): ProblemException {
    return new ProblemException(problem(403, 'forbidden', detail));
  }

  static notFound(detail: string): ProblemException {
    return new ProblemException(problem(404, 'not-found', detail));
  }

  static conflict(detail: string): ProblemException {
    return new ProblemException(problem(409, 'conflict', detail));
  }

  static tooManyRequests(detail: string, retryAfterSeconds: number): ProblemException {
    return new ProblemException(problem(429, 'rate-limited', detail), {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}
