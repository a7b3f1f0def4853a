import type { NextFunction, Request, Response } from 'express';
import type { Histogram } from 'prom-client';

/** The `route` label of requests that matched no route (404s, static files): one series, not one per path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Express middleware, mounted first: observes each request's duration when its response is
 * finished (or the connection closed), labelled with the route *template* Express matched
 * (`/v1/webhooks/:id`, never the raw path, so the series stay few), the method and the status.
 */
export function httpMetricsMiddleware(histogram: Histogram<'method' | 'route' | 'status'>) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const stopTimer = histogram.startTimer();
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      stopTimer({
        method: request.method,
        route: routeTemplate(request),
        // A client that hung up before the answer was sent did not get response.statusCode.
        status: response.writableFinished ? String(response.statusCode) : 'aborted',
      });
    };
    response.once('finish', observe);
    response.once('close', observe);
    next();
  };
}

function routeTemplate(request: Request): string {
  const path: unknown = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : UNMATCHED_ROUTE;
}
