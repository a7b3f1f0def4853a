import { Redis } from 'ioredis';
import type { TestApi } from './test-api';
import { testRedisUrl } from './test-database';

/** A short-lived client of the test run's Redis (the suite's app has its own). */
export async function withRedis<T>(run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Every key under the suite's prefix with its value, whatever its type, as text. */
export async function redisEntries(api: TestApi): Promise<{ key: string; value: string }[]> {
  return withRedis(async (redis) => {
    const keys = await keysMatching(redis, `${api.config.redisPrefix}*`);
    const entries: { key: string; value: string }[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      switch (type) {
        case 'string':
          value = await redis.get(key);
          break;
        case 'hash':
          value = await redis.hgetall(key);
          break;
        case 'list':
          value = await redis.lrange(key, 0, -1);
          break;
        case 'set':
          value = await redis.smembers(key);
          break;
        case 'zset':
          value = await redis.zrange(key, 0, -1, 'WITHSCORES');
          break;
        case 'stream':
          value = await redis.xrange(key, '-', '+');
          break;
        default:
          value = `(${type})`;
      }
      entries.push({ key, value: JSON.stringify(value) });
    }
    return entries;
  });
}

/** Forgets the failed-authentication counters of the suite's app, so a test starts unthrottled. */
export async function resetAuthFailures(api: TestApi): Promise<void> {
  await withRedis(async (redis) => {
    const keys = await keysMatching(redis, `${api.config.redisPrefix}:auth-failures:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
}
