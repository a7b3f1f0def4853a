import type { Redis } from 'ioredis';

/**
 * BullMQ loses jobs silently when Redis evicts keys. Returns a warning when the server's
 * `maxmemory-policy` is not `noeviction` or its persistence is off, or null when all is well.
 */
export async function redisPolicyWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      warnings.push(
        `Redis maxmemory-policy is "${policy}": queued jobs can be evicted. Set it to noeviction.`,
      );
    }
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as [string, string];
    if (appendonly !== 'yes') {
      warnings.push(
        'Redis AOF persistence is off (appendonly no): a Redis restart loses queued jobs until the reconciler re-enqueues them.',
      );
    }
  } catch (error) {
    warnings.push(
      `Could not read the Redis configuration (${(error as Error).message}); make sure maxmemory-policy is noeviction.`,
    );
  }
  return warnings;
}
