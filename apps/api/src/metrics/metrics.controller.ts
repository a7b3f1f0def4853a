import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { metricsScrapeAllowed } from '@herald/observability';
import type { Request, Response } from 'express';
import { Access } from '../auth/access.decorator';
import { ProblemException } from '../common/problem.exception';
import { ApiMetrics } from './api-metrics';

/**
 * Prometheus scrapes this. Public like the health routes (Herald's credentials are people's, not
 * a scraper's), unless HERALD_METRICS_TOKEN is set: then only `Authorization: Bearer <token>`.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ApiMetrics,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
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
    if (!metricsScrapeAllowed(this.config.metricsToken, request.headers.authorization))
      throw ProblemException.unauthorized(
        'The metrics need Authorization: Bearer <HERALD_METRICS_TOKEN>',
      );
    const body = await this.metrics.registry.metrics();
    response.status(200).type(this.metrics.registry.contentType).send(body);
  }
}
