import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { WORKER_REDIS } from '../redis/worker-redis.tokens';
import { redisPolicyWarnings } from './redis-policy';

/**
 * How long one readiness check may take. The worker's Redis connection retries forever
 * (`maxRetriesPerRequest: null`), so while Redis is away a PING neither answers nor fails; without
 * a deadline `/health/ready` would hang instead of answering 503.
 */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { status: 'up' } | { status: 'down'; error: string }>;
}

/** What the worker needs before it takes work: PostgreSQL, Redis, and a schema with no pending migration. */
@Injectable()
export class WorkerReadiness {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly db: DataSource,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
  ) {}

  async check(): Promise<ReadinessReport> {
    const probe = async (run: () => Promise<unknown>) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${READINESS_CHECK_TIMEOUT_MS} ms`)),
          READINESS_CHECK_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([run(), deadline]);
        return { status: 'up' as const };
      } catch (error) {
        return { status: 'down' as const, error: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    };
    const [postgres, redis, migrations] = await Promise.all([
      probe(() => this.db.query('SELECT 1')),
      probe(async () => {
        // Not connected: say so at once, rather than queue a PING per probe until Redis returns.
        if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
        await this.redis.ping();
      }),
      probe(async () => {
        if (await this.db.showMigrations())
          throw new Error('migrations are pending (the API applies them at start)');
      }),
    ]);
    const checks = { postgres, redis, migrations };
    return { ready: Object.values(checks).every((check) => check.status === 'up'), checks };
  }

  /** Logs each Redis setting that can lose jobs, loudly, once at start. */
  async warnAboutRedisPolicy(): Promise<void> {
    for (const warning of await redisPolicyWarnings(this.redis))
      this.logger.warn(`WARNING: ${warning}`);
  }
}
