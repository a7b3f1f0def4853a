import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { Redis } from 'ioredis';
import { WORKER_REDIS } from './worker-redis.tokens';

@Global()
@Module({
  providers: [
    {
      provide: WORKER_REDIS,
      inject: [HERALD_CONFIG],
      // BullMQ workers block on Redis and must retry for as long as Redis is away, never give up a command.
      useFactory: (config: HeraldConfig) =>
        new Redis(config.redisUrl, { maxRetriesPerRequest: null }).on('error', () => undefined),
    },
  ],
  exports: [WORKER_REDIS],
})
export class WorkerRedisModule implements OnApplicationShutdown {
  constructor(@Inject(WORKER_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
