import type { HeraldConfig } from '@herald/config';
import type { Request, Response } from 'express';
import { Registry } from 'prom-client';
import type { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { ProblemException } from '../common/problem.exception';
import type { ApiMetrics } from './api-metrics';
import { MetricsController } from './metrics.controller';

const TOKEN = 'a-metrics-token-of-16+';

/** Counts failures per client; limited once a client has `limit` of them. */
class FakeLimiter {
  readonly failures = new Map<string, number>();
  constructor(private readonly limit: number) {}
  retryAfter(client: string): Promise<number> {
    return Promise.resolve((this.failures.get(client) ?? 0) >= this.limit ? 30 : 0);
  }
  recordFailure(client: string): Promise<number> {
    const count = (this.failures.get(client) ?? 0) + 1;
    this.failures.set(client, count);
    return Promise.resolve(count > this.limit ? 30 : 0);
  }
}

function scrapeRequest(authorization?: string, ip = '192.0.2.1'): Request {
  return { ip, headers: authorization === undefined ? {} : { authorization } } as Request;
}

function fakeResponse(): Response & { sent?: string } {
  const response = {
    status: () => response,
    type: () => response,
    send: (body: string) => {
      response.sent = body;
      return response;
    },
  } as unknown as Response & { sent?: string };
  return response;
}

async function statusOf(promise: Promise<void>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof ProblemException) return error.getStatus();
    throw error;
  }
}

describe(MetricsController.name, () => {
  const metrics = { registry: new Registry() } as unknown as ApiMetrics;
  const make = (token: string | null, limiter = new FakeLimiter(3)) => ({
    limiter,
    sut: new MetricsController(
      metrics,
      { metricsToken: token } as HeraldConfig,
      limiter as unknown as AuthFailureLimiter,
    ),
  });

  it('without HERALD_METRICS_TOKEN answers anyone and counts nothing', async () => {
    const { sut, limiter } = make(null);
    expect(await statusOf(sut.scrape(scrapeRequest(), fakeResponse()))).toBe(200);
    expect(await statusOf(sut.scrape(scrapeRequest('Bearer nonsense'), fakeResponse()))).toBe(200);
    expect(limiter.failures.size).toBe(0);
  });

  it('with a token: the right one passes, a wrong one is 401 and counted as a failure of that client', async () => {
    const { sut, limiter } = make(TOKEN);
    expect(await statusOf(sut.scrape(scrapeRequest(`Bearer ${TOKEN}`), fakeResponse()))).toBe(200);
    expect(await statusOf(sut.scrape(scrapeRequest('Bearer wrong'), fakeResponse()))).toBe(401);
    expect(limiter.failures.get('192.0.2.1')).toBe(1);
  });

  it('a scrape without a token is 401 but not a failure: it is not a guess', async () => {
    const { sut, limiter } = make(TOKEN);
    expect(await statusOf(sut.scrape(scrapeRequest(), fakeResponse()))).toBe(401);
    expect(limiter.failures.size).toBe(0);
  });

  it('a client past the limit gets 429, even with the right token; another client does not', async () => {
    const { sut } = make(TOKEN);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++)
      statuses.push(
        await statusOf(sut.scrape(scrapeRequest(`Bearer guess-${attempt}`), fakeResponse())),
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(await statusOf(sut.scrape(scrapeRequest(`Bearer ${TOKEN}`), fakeResponse()))).toBe(429);
    expect(
      await statusOf(sut.scrape(scrapeRequest(`Bearer ${TOKEN}`, '192.0.2.2'), fakeResponse())),
    ).toBe(200);
  });
});
