import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';

export interface MetricsAnswer {
  status: 200 | 401;
  headers: Record<string, string>;
  body: string;
}

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Whether a scrape may read the metrics: always when no token is configured (the endpoint is
 * public, as scrape endpoints usually are: it shows counts, never ids or secrets); otherwise only
 * with `Authorization: Bearer <token>`, compared in constant time.
 */
export function metricsScrapeAllowed(token: string | null, authorization: unknown): boolean {
  if (token === null) return true;
  if (typeof authorization !== 'string' || !/^bearer /i.test(authorization)) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(authorization.slice(7).trim()), digest(token));
}

/** The answer of `GET /metrics` on the worker's health port (the API's controller does the same). */
export async function answerMetricsScrape(
  registry: Registry,
  token: string | null,
  authorization: unknown,
): Promise<MetricsAnswer> {
  if (!metricsScrapeAllowed(token, authorization)) {
    return {
      status: 401,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': 'Bearer' },
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'The metrics need Authorization: Bearer <HERALD_METRICS_TOKEN>',
      }),
    };
  }
  return {
    status: 200,
    headers: { 'content-type': registry.contentType },
    body: await registry.metrics(),
  };
}
