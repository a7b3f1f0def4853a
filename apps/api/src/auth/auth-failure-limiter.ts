import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { REDIS_CLIENT } from '../redis/redis.tokens';
import { clientGroup } from './client-group';

/** Failed authentications one client may make per window before it gets 429. */
export const AUTH_FAILURE_LIMIT = 20;
export const AUTH_FAILURE_WINDOW_SECONDS = 60;

/**
 * Counts failed authentications per client in Redis (shared by every API instance), so a
 * brute-forcing client is slowed without touching anyone else. A client is its address, or its
 * /64 for IPv6 (`clientGroup`): new interface ids buy no new attempts. When Redis is unreachable
 * it fails open: authentication itself never depends on Redis.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly logger = new Logger(AuthFailureLimiter.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /** Seconds until the client may try again, or 0 when it is not limited. */
  async retryAfter(client: string): Promise<number> {
    try {
      const [count, ttl] = (await this.redis
        .multi()
        .get(this.key(client))
        .ttl(this.key(client))
        .exec()) as [[Error | null, string | null], [Error | null, number]];
      return Number(count[1] ?? 0) >= AUTH_FAILURE_LIMIT ? Math.max(1, ttl[1]) : 0;
    } catch (error) {
      this.warn(error);
      return 0;
    }
  }

  /** Records a failure; returns seconds to wait when this failure crossed the limit, else 0. */
  async recordFailure(client: string): Promise<number> {
    try {
      const key = this.key(client);
      const results = (await this.redis
        .multi()
        .incr(key)
        .expire(key, AUTH_FAILURE_WINDOW_SECONDS, 'NX')
        .ttl(key)
        .exec()) as [[Error | null, number], unknown, [Error | null, number]];
      return results[0][1] > AUTH_FAILURE_LIMIT ? Math.max(1, results[2][1]) : 0;
    } catch (error) {
      this.warn(error);
      return 0;
    }
  }

  private key(client: string): string {
    return `${this.config.redisPrefix}:auth-failures:${clientGroup(client)}`;
  }

  private warn(error: unknown): void {
    this.logger.warn(
      `auth failure counter unavailable (${(error as Error).message}); not rate limiting`,
    );
  }
}
