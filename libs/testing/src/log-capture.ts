import { loadConfig } from '@herald/config';
import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../../apps/api/src/create-app';
import { TEST_ADMIN, type TestApi } from './test-api';
import { createTestDatabase, testRedisUrl } from './test-database';

/** Everything the process wrote to stdout/stderr (and the console) while capturing. */
export interface LogCapture {
  text(): string;
  stop(): void;
}

/**
 * Captures (and swallows) process.stdout/stderr writes and console output, which is where Nest's
 * ConsoleLogger and anything else in the app write their logs.
 */
export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const record = (chunk: unknown): void => {
    chunks.push(
      typeof chunk === 'string'
        ? chunk
        : Buffer.isBuffer(chunk)
          ? chunk.toString('utf8')
          : String(chunk),
    );
  };
  const streams = [process.stdout, process.stderr];
  const originalWrites = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      record(chunk);
      const callback = rest.find((arg) => typeof arg === 'function');
      if (typeof callback === 'function') callback();
      return true;
    }) as typeof stream.write;
  }
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originalConsole = methods.map((method) => console[method]);
  for (const method of methods)
    console[method] = (...args: unknown[]) => record(`${format(...args)}\n`);
  let stopped = false;
  return {
    text: () => chunks.join(''),
    stop() {
      if (stopped) return;
      stopped = true;
      streams.forEach((stream, index) => (stream.write = originalWrites[index]));
      methods.forEach((method, index) => (console[method] = originalConsole[index]));
    },
  };
}

/**
 * Like createTestApi, but the app logs as in production (Nest's default logger, not `false`) and
 * every log line from its start to its close is captured.
 */
export async function createLoggingTestApi(
  env: Record<string, string> = {},
): Promise<{ api: TestApi; logs: LogCapture }> {
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
  const logs = captureLogs();
  try {
    const app = await createApp(config);
    await app.init();
    const db = new DataSource({ type: 'postgres', url: database.url });
    await db.initialize();
    const api: TestApi = {
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
          logs.stop();
        }
      },
    };
    return { api, logs };
  } catch (error) {
    logs.stop();
    throw error;
  }
}
