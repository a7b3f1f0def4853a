import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { clientAddress, CSRF_HEADER } from '../auth/auth.guard';
import { SESSION_COOKIE } from '../auth/session-cookie';
import { SessionService } from '../auth/session.service';
import { problem, PROBLEM_CONTENT_TYPE } from '../common/problem';
import { ProblemException } from '../common/problem.exception';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN_PAGE = '/console';

/**
 * The gate in front of Bull Board, which is an Express app of its own and never passes the Nest
 * AuthGuard: only a console session (the httpOnly cookie) of an admin gets in. Anyone else gets
 * 401 (a browser is sent to the console's sign-in instead) or 403. Rejected cookies count towards
 * the same per-client failure limit as the API's.
 *
 * The board's own UI changes queues with PUT/POST/DELETE and cannot send the console's CSRF header,
 * so for those the request must show it comes from this origin (Sec-Fetch-Site or Origin); the
 * SameSite=Strict cookie already keeps other sites out, this is the second lock.
 */
@Injectable()
export class AdminSessionMiddleware implements NestMiddleware {
  private readonly logger = new Logger(AdminSessionMiddleware.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    try {
      const refusal = await this.refusal(request);
      if (!refusal) {
        // The board's buttons change queues: no other page may frame it (clickjacking).
        response.setHeader('X-Frame-Options', 'DENY');
        response.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
        // Job data is operational detail: keep it out of shared caches and the browser's disk cache.
        if (!request.path.startsWith('/static/')) response.setHeader('Cache-Control', 'no-store');
        next();
        return;
      }
      this.refuse(request, response, refusal);
    } catch (error) {
      this.logger.error(
        `queue dashboard gate failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
      send(
        response,
        problem(500, 'internal', 'Something went wrong on our side; it has been logged'),
      );
    }
  }

  /** Why this request may not pass, or null when it may. */
  private async refusal(request: Request): Promise<ProblemException | null> {
    const cookie = (request.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!cookie)
      return ProblemException.unauthorized('Sign in to the console as an admin to see the queues');
    const client = clientAddress(request);
    const wait = await this.limiter.retryAfter(client);
    if (wait > 0)
      return ProblemException.tooManyRequests(
        'Too many failed authentications; try again later',
        wait,
      );
    const owner = await this.sessions.resolve(cookie);
    if (!owner) {
      const limited = await this.limiter.recordFailure(client);
      if (limited > 0)
        return ProblemException.tooManyRequests(
          'Too many failed authentications; try again later',
          limited,
        );
      return ProblemException.unauthorized(
        'Your console session has ended; sign in again to see the queues',
      );
    }
    if (owner.role !== 'admin')
      return ProblemException.forbidden('The queue dashboard is for admins');
    if (!SAFE_METHODS.has(request.method) && !fromThisOrigin(request))
      return ProblemException.forbidden(
        `Changes through the queue dashboard must come from its own page (or carry ${CSRF_HEADER})`,
      );
    return null;
  }

  private refuse(request: Request, response: Response, refusal: ProblemException): void {
    const { status } = refusal.problem;
    const browser = request.method === 'GET' && request.accepts(['json', 'html']) === 'html';
    if (browser && status === 401) {
      const next = encodeURIComponent(request.originalUrl);
      response.redirect(303, `${SIGN_IN_PAGE}?next=${next}`);
      return;
    }
    if (browser && status === 403) {
      response
        .status(403)
        .setHeader('Content-Security-Policy', "default-src 'none'")
        .type('html')
        .send(
          '<!doctype html><html lang="en"><meta charset="utf-8"><title>Forbidden · Herald</title>' +
            '<p>The queue dashboard is for admins. <a href="/console">Back to the console</a></p></html>',
        );
      return;
    }
    for (const [name, value] of Object.entries(refusal.headers)) response.setHeader(name, value);
    send(response, refusal.problem);
  }
}

function send(response: Response, body: ReturnType<typeof problem>): void {
  response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** A state change that the browser says came from a page of this very origin (or the console's header). */
function fromThisOrigin(request: Request): boolean {
  if (request.headers[CSRF_HEADER] !== undefined) return true;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  return origin !== undefined && origin === `${request.protocol}://${request.get('host')}`;
}
