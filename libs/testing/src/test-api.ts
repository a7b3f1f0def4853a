import type { INestApplication } from '@nestjs/common';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp, type CreateAppOptions } from '../../../apps/api/src/create-app';
import { createTestDatabase, testRedisUrl, type TestDatabase } from './test-database';

export const TEST_ADMIN = { email: 'admin@herald.test', password: 'admin-password-123' };

/** Anything the factories can call the API through: an in-process app or a real process. */
export interface HttpClient {
  http: TestAgent;
}

export interface TestApi extends HttpClient {
  app: INestApplication;
  /** A direct connection to the suite's database, for assertions. */
  db: DataSource;
  database: TestDatabase;
  config: HeraldConfig;
  close(): Promise<void>;
}

/**
 * The real API on a fresh database (cloned from the migrated template) and the test run's Redis
 * under a key prefix of its own, with a bootstrap admin. Nothing is mocked.
 */
export async function createTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  return startTestApi(env, { logger: false });
}

/**
 * What createTestApi and createLoggingTestApi share: a fresh database, the configuration every
 * test API runs with (overridden by `env`), the app, and a direct connection for assertions.
 * `onClose` runs last, even when closing fails.
 */
export async function startTestApi(
  env: Record<string, string>,
  options: CreateAppOptions,
  onClose: () => void = () => undefined,
): Promise<TestApi> {
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
    HERALD_ADMIN_EMAIL: TEST_ADMIN.email,
    HERALD_ADMIN_PASSWORD: TEST_ADMIN.password,
    HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    HERALD_MIGRATE: 'false',
    ...env,
  });
  const app = await createApp(config, options);
  await app.init();
  const db = new DataSource({ type: 'postgres', url: database.url });
  await db.initialize();
  return {
    app,
    http: request(app.getHttpServer()),
    db,
    database,
    config,
    async close() {
      try {
        await app.close();
        await db.destroy();
        await database.drop();
      } finally {
        onClose();
      }
    },
  };
}
