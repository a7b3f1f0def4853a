import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@herald/config';
import { createTestDatabase, testRedisUrl } from '@herald/testing/test-database';
import { randomBytes } from 'node:crypto';
import { DispatchProcessor } from '../dispatch/dispatch.processor';
import { WorkerModule } from '../worker.module';

describe('WorkerModule processors', () => {
  it('start: the real worker has exactly one processor per queue, and shuts down cleanly', async () => {
    const database = await createTestDatabase();
    try {
      const config = loadConfig({
        DATABASE_URL: database.url,
        REDIS_URL: testRedisUrl(),
        HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
        HERALD_REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
        HERALD_WORKER_PORT: '0',
      });
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
        logger: false,
      });
      const dispatchWorker = worker.get(DispatchProcessor).worker;
      await worker.close();
      expect(dispatchWorker.closing).toBeTruthy();
    } finally {
      await database.drop();
    }
  });
});
