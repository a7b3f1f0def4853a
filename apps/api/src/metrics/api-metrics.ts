import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { createMetricsRegistry, registerQueueDepth, registerRelayLag } from '@herald/observability';
import { HERALD_QUEUES } from '@herald/queues';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Histogram, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { REDIS_CLIENT } from '../redis/redis.tokens';

/**
 * The API's Prometheus metrics: request durations (recorded by httpMetricsMiddleware), the depth
 * of Herald's queues, the relay's lag, and Node.js process metrics.
 *
 * The queue depths are read through queue handles of its own on the API's fail-fast Redis client
 * (no offline queue), so a scrape while Redis is away gets no queue series rather than a wait.
 */
@Injectable()
export class ApiMetrics implements OnApplicationShutdown {
  readonly registry: Registry = createMetricsRegistry();
  readonly httpRequestDuration = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'Duration of HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly queues: Queue[];

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    @Inject(REDIS_CLIENT) redis: Redis,
    db: DataSource,
  ) {
    // Redis errors surface as a missing series in the scrape (and in /health/ready), not as logs.
    this.queues = HERALD_QUEUES.map((name) =>
      new Queue(name, { connection: redis, prefix: config.redisPrefix }).on(
        'error',
        () => undefined,
      ),
    );
    registerQueueDepth(this.registry, this.queues);
    registerRelayLag(this.registry, db);
  }

  async onApplicationShutdown(): Promise<void> {
    // Shared connection: closing a handle leaves the client to RedisModule.
    await Promise.all(this.queues.map((queue) => queue.close().catch(() => undefined)));
  }
}
