import { bullmqOptions } from '@herald/queues';
import { loadConfig } from '@herald/config';
import { testRedisUrl } from '@herald/testing/test-database';
import { withRedis } from '@herald/testing/test-redis';
import { Queue, Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { applyJobLock } from './job-lock';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(applyJobLock.name, () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    REDIS_URL: testRedisUrl(),
    HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
    HERALD_REDIS_PREFIX: `test-lock-${randomBytes(4).toString('hex')}`,
  });
  const options = bullmqOptions(config);
  let queue: Queue;
  let sut: Worker;
  let release: () => void = () => undefined;

  beforeEach(() => {
    queue = new Queue('locks', options);
    sut = new Worker('locks', () => new Promise<void>((resolve) => (release = resolve)), {
      ...options,
      autorun: false,
    });
  });

  afterEach(async () => {
    release();
    await sut.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('claims a running job for the configured time and keeps renewing the claim', async () => {
    applyJobLock(sut, 1000);
    void sut.run();
    await queue.add('job', {}, { jobId: 'held' });
    const lockKey = `${config.redisPrefix}:locks:held:lock`;

    await withRedis(async (redis) => {
      for (const deadline = Date.now() + 10_000; !(await redis.exists(lockKey)); await sleep(20))
        if (Date.now() > deadline) throw new Error('the job never started');
      const ttl = await redis.pttl(lockKey);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1000);
      // Three lock lifetimes later the running job is still claimed: the claim was renewed.
      await sleep(3000);
      expect(await redis.pttl(lockKey)).toBeGreaterThan(0);
    });
    expect(sut.opts.stalledInterval).toBe(1000);
  });
});
