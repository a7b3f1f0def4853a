import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { metricsScrapeAllowed } from '@herald/observability';
import type { Request, Response } from 'express';
import { Access } from '../auth/access.decorator';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { clientAddress } from '../auth/auth.guard';
import { ProblemException } from '../common/problem.exception';
import { ApiMetrics } from './api-metrics';

/**
 * Prometheus scrapes this. Public like the health routes (Herald's credentials are people's, not
 * a scraper's), unless HERALD_METRICS_TOKEN is set: then only `Authorization: Bearer <token>`.
 * A wrong token is a failed authentication like any other (AuthFailureLimiter): a client that
 * keeps failing is refused with 429 before its token is even compared.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ApiMetrics,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  @Get()
  @Access('public')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'HTTP request durations, queue depths by state, relay lag and process metrics. Open unless HERALD_METRICS_TOKEN is set; then it needs `Authorization: Bearer <that token>`.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4' })
  async scrape(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (this.config.metricsToken !== null) await this.authenticate(request);
    const body = await this.metrics.registry.metrics();
    response.status(200).type(this.metrics.registry.contentType).send(body);
  }

  private async authenticate(request: Request): Promise<void> {
    const client = clientAddress(request);
    const wait = await this.limiter.retryAfter(client);
    if (wait > 0)
      throw ProblemException.tooManyRequests(
        'Too many failed authentications; try again later',
        wait,
      );
    const { authorization } = request.headers;
    if (metricsScrapeAllowed(this.config.metricsToken, authorization)) return;
    // Only a token that was presented and rejected counts: a scrape without one is not guessing.
    const limited = authorization === undefined ? 0 : await this.limiter.recordFailure(client);
    if (limited > 0)
      throw ProblemException.tooManyRequests(
        'Too many failed authentications; try again later',
        limited,
      );
    throw ProblemException.unauthorized(
      'The metrics need Authorization: Bearer <HERALD_METRICS_TOKEN>',
    );
  }
}
